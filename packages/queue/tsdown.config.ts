import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

export default msgkitBuild({ index: 'src/index.ts', bin: 'src/bin.ts', testing: 'src/testing.ts' });
