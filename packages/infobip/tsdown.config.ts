import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

export default msgkitBuild({ index: 'src/index.ts', 'omni-send': 'src/omni-send.ts' });
