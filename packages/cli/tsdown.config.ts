import { msgkitBuild } from '../../tools/build/tsdown.base.mjs';

export default {
  ...msgkitBuild({ index: 'src/index.ts', bin: 'src/bin.ts', normalizeWorker: 'src/normalizeWorker.ts' }),
  // The provider clients, the sandbox and the queue are loaded on demand (import()). In the CJS
  // build that must stay require(): an import() there would load their ESM builds beside the CJS
  // @msgkit/core, and an error thrown by one would not be an instance of the other's classes.
  outputOptions: { dynamicImportInCjs: false },
};
