import { defineConfig } from 'vitest/config';

// The release tests drive real processes (pnpm, npm, a registry, turbo): one file at a time, so they
// do not compete for the machine's two cores, with room for a cold build.
export default defineConfig({
  test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 600_000 },
});
