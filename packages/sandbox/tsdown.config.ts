import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

// The shared build, but for Node: the sandbox is an HTTP server (node:http, node:crypto), never a
// browser library, so the node platform resolves its built-ins without warnings.
export default { ...msgkitBuild({ index: 'src/index.ts' }), platform: 'node' as const };
