#!/usr/bin/env node
// Adds up the vitest JSON reports every package's test task wrote (turbo restores them on cache
// hits) and prints one closing line for the whole repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const group of ['packages', 'tools']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const { scripts = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    // `test`, and any `test:<part>` run on its own after it (e.g. tools/release's test:registry),
    // each with its own report: .vitest-report.json, .vitest-report.<part>.json.
    for (const script of Object.keys(scripts).filter((key) => key === 'test' || key.startsWith('test:'))) {
      const part = script === 'test' ? '' : `.${script.slice('test:'.length)}`;
      const file = join(dir, `.vitest-report${part}.json`);
      if (!existsSync(file)) {
        console.error(`test-summary: ${group}/${name} has a ${script} script but wrote no report`);
        process.exit(1);
      }
      const report = JSON.parse(readFileSync(file, 'utf8'));
      passed += report.numPassedTests;
      failed += report.numFailedTests;
      skipped += report.numPendingTests + report.numTodoTests;
      rows.push(`${`${group}/${name}${part}`.padEnd(28)} ${String(report.numPassedTests).padStart(4)} passed, ${report.numFailedTests} failed (${report.testResults.length} files)`);
    }
  }
}
console.log(rows.join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
