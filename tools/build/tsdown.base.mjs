// The one build configuration every published package uses: ESM and CJS side by side, each with
// its own declaration files (.d.mts / .d.cts) so that both `import` and `require` resolve types
// correctly (checked by attw), and nothing bundled from dependencies.
import { defineConfig } from 'tsdown';

/** @param {Record<string, string>} entry subpath name -> source file, e.g. { index: 'src/index.ts' } */
export function msgkitBuild(entry) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    fixedExtension: true,
    sourcemap: false,
    clean: true,
    treeshake: true,
    outDir: 'dist',
  });
}
