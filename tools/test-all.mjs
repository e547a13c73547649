#!/usr/bin/env node
// `pnpm test`: every check CI runs. Each step runs even when an earlier one failed, so one failure
// hides no other and the closing `N passed, N failed` line of tools/test-summary.mjs always prints;
// the failed steps are handed to the summary, which lists them and exits 1.
//
// The spec lint, the drift check and the changeset check read only specs, templates, the committed
// clients and git history, and write nothing into the checkout (check-drift regenerates into a
// temporary folder), so they run beside the builds and tests; their output is printed once those end. The registry rehearsal loads the
// machine enough to upset tests running beside it, so it runs alone after them.
//
// `--root <dir>` runs the steps in another checkout (tools/checks uses temporary ones).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 && args[rootFlag + 1] ? resolve(args[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const summary = join(root, 'tools', 'test-summary.mjs');

const CLEAN = ['remove earlier test reports', process.execPath, [summary, '--root', root, '--clean']];
// At a lower priority where `nice` exists: they use the CPU the builds and tests leave idle, and do
// not slow the chain of builds every test waits for.
const niced = spawnSync('nice', ['-n', '10', 'true']).status === 0;
const BESIDE = [
  ['spec lint', 'pnpm', ['lint:specs']],
  ['drift check', 'pnpm', ['check:drift']],
  ['changeset check', 'pnpm', ['check:changesets']],
].map(([name, command, stepArgs]) => (niced ? [name, 'nice', ['-n', '10', command, ...stepArgs]] : [name, command, stepArgs]));
const MAIN = ['builds, type checks, package lint and tests', 'pnpm', ['exec', 'turbo', 'run', 'build', 'typecheck', 'lint:package', 'test', '--concurrency=2', '--continue', '--output-logs=errors-only', '--summarize']];
const AFTER = ['registry rehearsal', 'pnpm', ['exec', 'turbo', 'run', 'test:registry', '--output-logs=errors-only']];

/** Where CI's time went: the slowest tasks of the newest turbo run summary (`--summarize`). */
function slowestTasks(count = 10) {
  const runs = join(root, '.turbo', 'runs');
  if (!existsSync(runs)) return '';
  const newest = readdirSync(runs).map((file) => join(runs, file)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return '';
  const { tasks = [] } = JSON.parse(readFileSync(newest, 'utf8'));
  const timed = tasks.filter((task) => task.execution?.endTime).map((task) => [task.taskId, (task.execution.endTime - task.execution.startTime) / 1000, task.cache?.status]);
  const lines = timed.sort((a, b) => b[1] - a[1]).slice(0, count).map(([id, seconds, cache]) => `  ${seconds.toFixed(0).padStart(5)} s  ${id}${cache === 'HIT' ? ' (cached)' : ''}`);
  return lines.length > 0 ? `slowest tasks:\n${lines.join('\n')}\n` : '';
}

/** Runs one step to its end; its output goes to the terminal, or is kept when `capture` is set. */
function step([name, command, stepArgs], { capture = false } = {}) {
  return new Promise((done) => {
    const child = spawn(command, stepArgs, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => done({ name, failure: error.message, output }));
    child.once('close', (status, signal) => done({ name, failure: status === 0 ? '' : `exit ${status ?? signal}`, output }));
  });
}

const results = [await step(CLEAN)];
const beside = Promise.all(BESIDE.map((each) => step(each, { capture: true })));
results.push(await step(MAIN));
process.stdout.write(slowestTasks());
for (const result of await beside) {
  process.stdout.write(result.output);
  results.push(result);
}
results.push(await step(AFTER));

const failed = results.filter((result) => result.failure).flatMap((result) => ['--failed-step', `${result.name} (${result.failure})`]);
const closing = await step(['summary', process.execPath, [summary, '--root', root, ...failed]]);
process.exit(closing.failure === '' && failed.length === 0 ? 0 : 1);
