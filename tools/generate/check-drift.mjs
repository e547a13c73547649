#!/usr/bin/env node
// Fails when regenerating the clients changes anything that is committed: generated code is only
// ever changed by `pnpm generate`, and the committed output must be what the specs produce.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const generated = 'packages/*/src/generated';

// --force: a turbo cache hit would restore the outputs rather than regenerate them.
const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'generate', '--force', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', generated], { cwd: root, encoding: 'utf8' }).trim();
if (changed) {
  console.error(`check-drift: regenerating changed committed code:\n${changed}`);
  console.error(execFileSync('git', ['diff', '--stat', '--', generated], { cwd: root, encoding: 'utf8' }));
  console.error('Run `pnpm generate` and commit the result in a commit of its own.');
  process.exit(1);
}
console.log('check-drift: generated clients match the specs');
