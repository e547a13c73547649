import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

// shims: the CommonJS build gets `import.meta.url`, by which the server finds the page's files.
export default { ...msgkitBuild({ index: 'src/index.ts' }), platform: 'node', shims: true };
