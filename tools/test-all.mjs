#!/usr/bin/env node
// `pnpm test`: every check CI runs, in order. Each step runs even when an earlier one failed, so one
// failure hides no other and the closing `N passed, N failed` line of tools/test-summary.mjs always
// prints; the failed steps are handed to the summary, which lists them and exits 1.
//
// `--root <dir>` runs the steps in another checkout (tools/checks uses temporary ones).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 && args[rootFlag + 1] ? resolve(args[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const summary = join(root, 'tools', 'test-summary.mjs');

// The registry rehearsal (test:registry) loads the machine enough to upset tests running beside it,
// so it runs alone after the others.
const STEPS = [
  ['remove earlier test reports', process.execPath, [summary, '--root', root, '--clean']],
  ['spec lint', 'pnpm', ['lint:specs']],
  ['drift check', 'pnpm', ['check:drift']],
  ['builds, type checks, package lint and tests', 'pnpm', ['exec', 'turbo', 'run', 'build', 'typecheck', 'lint:package', 'test', '--concurrency=2', '--continue', '--output-logs=errors-only']],
  ['registry rehearsal', 'pnpm', ['exec', 'turbo', 'run', 'test:registry', '--output-logs=errors-only']],
];

const failed = [];
for (const [name, command, stepArgs] of STEPS) {
  const run = spawnSync(command, stepArgs, { cwd: root, stdio: 'inherit' });
  const outcome = run.error ? run.error.message : run.status !== 0 ? `exit ${run.status ?? run.signal}` : '';
  if (outcome) failed.push(`${name} (${outcome})`);
}

const closing = spawnSync(process.execPath, [summary, '--root', root, ...failed.flatMap((step) => ['--failed-step', step])], { cwd: root, stdio: 'inherit' });
process.exit(closing.status === 0 && failed.length === 0 ? 0 : 1);
