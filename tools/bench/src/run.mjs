// Runs every bench file in this folder (any *.mjs exporting `run`), one after another, in file
// name order. Add a bench by adding a file; nothing here needs to change. `pnpm bench core`
// runs only the files whose names contain `core`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const skip = new Set(['run.mjs', 'harness.mjs']);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.mjs') && !skip.has(file) && !file.startsWith('data-'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

console.log(`node ${process.version} · ${files.length} bench file(s)`);
// One failing bench (a missing optional tool, a server that did not start) must not hide the
// figures of the others; the run still exits non-zero.
const failed = [];
for (const file of files) {
  console.log(`\n## ${file}`);
  try {
    const bench = await import(pathToFileURL(join(here, file)).href);
    if (typeof bench.run === 'function') await bench.run();
  } catch (error) {
    failed.push(file);
    console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (failed.length > 0) {
  console.log(`\n${failed.length} bench file(s) failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
