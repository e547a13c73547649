import { configDefaults, defineConfig } from 'vitest/config';
import { HANG_LIMIT_MS } from '../test-child.mjs';

// The release tests drive real processes (pnpm, npm, a registry, turbo): one file at a time, so they
// do not compete for the machine's two cores.
//
// The registry rehearsal is not part of `test`: it loads the machine enough to upset other packages'
// tests running beside it, so `pnpm test` runs it alone afterwards as `test:registry`
// (vitest.registry.config.mjs). Every package keeps the same `test` script.
export const shared = { fileParallelism: false, testTimeout: HANG_LIMIT_MS, hookTimeout: HANG_LIMIT_MS };

export default defineConfig({
  test: { ...shared, exclude: [...configDefaults.exclude, 'registry-release.test.mjs'] },
});
