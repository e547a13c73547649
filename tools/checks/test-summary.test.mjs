// tools/test-summary.mjs against temporary workspaces whose packages run real vitest with the test
// script the repository's packages use, so the reports are the ones vitest really writes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const summaryScript = join(repo, 'tools', 'test-summary.mjs');
const vitestDir = dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
const testScript = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8')).scripts.test;
const PATH = `${join(here, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`;
const scratch = [];

const PASS = "import { expect, it } from 'vitest';\nit('adds', () => { expect(1 + 1).toBe(2); });\n";
const FAIL = "import { expect, it } from 'vitest';\nit('adds wrongly', () => { expect(1 + 1).toBe(3); });\n";
const BROKEN = "import { it } from 'vitest';\nimport './missing-module.mjs';\nit('never runs', () => {});\n";
const SKIP = "import { expect, it } from 'vitest';\nit('adds', () => { expect(1).toBe(1); });\nit.skip('is skipped', () => {});\nit.todo('is todo');\n";
const ONLY_SKIPPED = "import { it } from 'vitest';\nit.skip('is skipped', () => {});\n";

/** A workspace with packages/a, packages/b and tools/c, each holding the given test files. */
function workspace(files) {
  const root = mkdtempSync(join(tmpdir(), 'msgkit-summary-'));
  scratch.push(root);
  for (const [name, tests] of Object.entries(files)) {
    const dir = join(root, name);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(vitestDir, join(dir, 'node_modules', 'vitest'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: name.replace('/', '-'), type: 'module', scripts: { test: testScript } }));
    for (const [file, source] of Object.entries(tests)) writeFileSync(join(dir, file), source);
  }
  return root;
}

/** Runs one package's test script as turbo would; its exit code is not what is under test. */
function runTests(root, name) {
  spawnSync('sh', ['-c', testScript], { cwd: join(root, name), env: { ...process.env, PATH, CI: 'true' }, encoding: 'utf8', timeout: HANG_LIMIT_MS });
}

function summary(root, ...args) {
  const run = spawnSync(process.execPath, [summaryScript, '--root', root, ...args], { encoding: 'utf8', timeout: HANG_LIMIT_MS });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const closingLine = (stdout) => stdout.trimEnd().split('\n').at(-1);

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('test-summary.mjs', () => {
  it('passes with one closing line when every package ran its tests and all passed', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS }, 'packages/b': { 'b.test.mjs': PASS }, 'tools/c': { 'c.test.mjs': PASS } });
    for (const name of ['packages/a', 'packages/b', 'tools/c']) runTests(root, name);
    const { status, stdout } = summary(root);
    expect(closingLine(stdout)).toBe('3 passed, 0 failed');
    expect(status).toBe(0);
  });

  it('fails when a test fails', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS, 'fail.test.mjs': FAIL } });
    runTests(root, 'packages/a');
    const { status, stdout } = summary(root);
    expect(closingLine(stdout)).toBe('1 passed, 1 failed');
    expect(status).toBe(1);
  });

  it('fails when a test file cannot be loaded, though no test in it failed, and names the file', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS, 'broken.test.mjs': BROKEN } });
    runTests(root, 'packages/a');
    const { status, stdout, stderr } = summary(root);
    expect(closingLine(stdout)).toBe('1 passed, 1 failed');
    expect(stderr).toContain('broken.test.mjs did not run');
    expect(status).toBe(1);
  });

  it('fails when a package with a test script wrote no report', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS }, 'tools/c': { 'c.test.mjs': PASS } });
    runTests(root, 'packages/a');
    const { status, stderr } = summary(root);
    expect(stderr).toContain('tools/c has a test script but wrote no report');
    expect(status).toBe(1);
  });

  it('fails on a report left by an earlier run once --clean has removed the reports, as pnpm test does first', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS }, 'packages/b': { 'b.test.mjs': PASS } });
    runTests(root, 'packages/a');
    runTests(root, 'packages/b');
    expect(summary(root).status).toBe(0);
    expect(summary(root, '--clean').status).toBe(0);
    // This time only packages/a runs: packages/b's earlier report must not count for it.
    runTests(root, 'packages/a');
    const { status, stderr } = summary(root);
    expect(stderr).toContain('packages/b has a test script but wrote no report');
    expect(status).toBe(1);
  });

  it('fails when a package ran no test at all', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': PASS }, 'packages/b': { 'b.test.mjs': ONLY_SKIPPED } });
    runTests(root, 'packages/a');
    runTests(root, 'packages/b');
    const { status, stderr } = summary(root);
    expect(stderr).toContain('packages/b has a test script but ran no test');
    expect(status).toBe(1);
  });

  it('fails on a skipped or todo test even when every other test passed, naming them', () => {
    const root = workspace({ 'packages/a': { 'a.test.mjs': SKIP } });
    runTests(root, 'packages/a');
    const { status, stdout, stderr } = summary(root);
    expect(closingLine(stdout)).toBe('1 passed, 0 failed, 2 skipped');
    expect(stderr).toContain('"is skipped" was skipped');
    expect(stderr).toContain('"is todo" was todo');
    expect(status).toBe(1);
  });
});
