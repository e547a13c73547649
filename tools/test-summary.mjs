#!/usr/bin/env node
// Adds up the vitest JSON reports every package's test task wrote (turbo restores them on cache
// hits) and prints one closing line for the whole repository.
//
// `--clean` deletes every report first; `pnpm test` runs it before turbo, so a report found
// afterwards was written or restored by that run, never left over from an earlier one.
// `--root <dir>` reads another checkout (the tests use temporary ones).
// `--failed-step <name>` (repeatable) names a step of `pnpm test` that failed (tools/test-all.mjs):
// it is listed above the closing line and makes the exit 1, whatever the reports say.
//
// Exits 1 when a step failed, a test failed, a test file failed to run, a test was skipped or left todo, vitest
// reported an error outside the tests, a package with a test script has no report, or a package
// ran no test at all.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORT = '.vitest-report.json';
const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 && args[rootFlag + 1] ? resolve(args[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The test runs of the workspace packages (pnpm-workspace.yaml: packages/*, tools/*, examples): `test`,
 * and any `test:<part>` run on its own after it (tools/release's test:registry), each with its own
 * report (.vitest-report.json, .vitest-report.<part>.json).
 */
function testRuns() {
  const dirs = ['examples'];
  for (const group of ['packages', 'tools']) {
    if (existsSync(join(root, group))) dirs.push(...readdirSync(join(root, group)).map((name) => join(group, name)));
  }
  const found = [];
  for (const dir of dirs.sort()) {
    const manifest = join(root, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const script of Object.keys(scripts).sort()) {
      if (script !== 'test' && !script.startsWith('test:')) continue;
      const part = script === 'test' ? '' : `.${script.slice('test:'.length)}`;
      found.push({ name: `${dir}${part}`, report: join(dir, REPORT.replace(/\.json$/, `${part}.json`)) });
    }
  }
  return found;
}

const runs = testRuns();

if (args.includes('--clean')) {
  for (const run of runs) rmSync(join(root, run.report), { force: true });
  console.log(`test-summary: removed earlier reports of ${runs.length} test runs`);
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const problems = args.flatMap((arg, index) => (arg === '--failed-step' && args[index + 1] ? [`step failed: ${args[index + 1]}`] : []));
for (const { name, report: reportPath } of runs) {
  const file = join(root, reportPath);
  if (!existsSync(file)) {
    problems.push(`${name} has a test script but wrote no report (its tests did not run)`);
    continue;
  }
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${name}: ${reportPath} is not JSON (${error.message})`);
    continue;
  }
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  // A file that fails to import has no test to fail: count the file itself as one failure.
  const brokenFiles = files.filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'));
  const packageFailed = (report.numFailedTests ?? 0) + brokenFiles.length;
  const packagePassed = report.numPassedTests ?? 0;
  passed += packagePassed;
  failed += packageFailed;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const broken of brokenFiles) problems.push(`${name}: ${broken.name} did not run: ${String(broken.message ?? '').split('\n')[0]}`);
  // A skipped or todo test is a check that did not run; green must not include it.
  for (const f of files) {
    for (const a of f.assertionResults ?? []) {
      if (a.status === 'skipped' || a.status === 'pending' || a.status === 'todo') problems.push(`${name}: "${a.fullName ?? a.title}" was ${a.status}, not run`);
    }
  }
  if (packagePassed === 0 && packageFailed === 0) problems.push(`${name} has a test script but ran no test`);
  if (report.success !== true && packageFailed === 0) problems.push(`${name}: vitest reported the run as unsuccessful (an error outside the tests)`);
  rows.push(`${name.padEnd(28)} ${String(packagePassed).padStart(4)} passed, ${packageFailed} failed (${files.length} files)`);
}
console.log(rows.join('\n'));
for (const problem of problems) console.error(`test-summary: ${problem}`);
if (runs.length === 0) console.error('test-summary: no package has a test script');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 || problems.length > 0 ? 1 : 0);
