import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.mjs';

export default defineConfig({
  test: { ...shared, include: ['registry-release.test.mjs'] },
});
