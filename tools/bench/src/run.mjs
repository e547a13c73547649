// Runs every bench file in this folder (any *.mjs exporting `run`), one after another, in file
// name order, each in a fresh Node process so one bench's JIT state, heap and open sockets cannot
// tilt the next one's ratios. Add a bench by adding a file; nothing here needs to change.
// `pnpm bench core` runs only the files whose names contain `core`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const skip = new Set(['run.mjs', 'harness.mjs', 'harness-phone.mjs']);
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
  const script = `const b = await import(${JSON.stringify(pathToFileURL(join(here, file)).href)}); if (typeof b.run === 'function') await b.run();`;
  // A guard against a hung bench, not a time budget: the million-row phone bench reads four million
  // numbers through the bare library, 6 minutes of CPU that took 23 on a shared machine.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit', timeout: 3_600_000 });
  if (child.status !== 0) failed.push(file);
}
if (failed.length > 0) {
  console.log(`\n${failed.length} bench file(s) failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
