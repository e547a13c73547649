// The root `test` script, run as pnpm runs it (`sh -c`) in a temporary workspace: its tools
// (test-summary, the step runner) are this checkout's, its one package runs real vitest with the
// test script every package uses, and stand-ins for pnpm and turbo on PATH log each step and fail
// the one named in FAIL_STEP. Whatever fails, the registry rehearsal still runs, the closing
// `N passed, N failed` line still prints, and the exit code is not 0.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const rootManifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const testScript = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8')).scripts.test;
const vitestDir = dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
const scratch = [];

const PASS = "import { expect, it } from 'vitest';\nit('adds', () => { expect(1 + 1).toBe(2); });\n";
const FAIL = "import { expect, it } from 'vitest';\nit('adds wrongly', () => { expect(1 + 1).toBe(3); });\n";

// `turbo run … test …` runs the package's test script as turbo would; any other step only logs
// itself and fails when FAIL_STEP names it.
const TURBO = `#!/bin/sh
echo "turbo $*" >> "$CALLS"
case " $* " in
  *" test:registry "*) [ "$FAIL_STEP" = registry ] && exit 1; exit 0 ;;
  *" test "*) (cd packages/a && sh -c "$TEST_SCRIPT" > /dev/null 2>&1) || exit 1; exit 0 ;;
esac
exit 0
`;
const PNPM = `#!/bin/sh
echo "pnpm $*" >> "$CALLS"
case "$1" in
  exec) shift; exec "$@" ;;
  lint:specs) [ "$FAIL_STEP" = lint ] && exit 1; exit 0 ;;
  check:drift) [ "$FAIL_STEP" = drift ] && exit 1; exit 0 ;;
  check:changesets) [ "$FAIL_STEP" = changesets ] && exit 1; exit 0 ;;
esac
exit 9
`;

/** Runs the root test script in a fresh workspace whose package holds the given test files. */
function pnpmTest({ failStep = '', files = { 'a.test.mjs': PASS } } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'msgkit-test-command-'));
  scratch.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'probe-root', private: true, scripts: rootManifest.scripts }));
  mkdirSync(join(root, 'tools'));
  for (const file of ['test-summary.mjs', 'test-all.mjs']) copyFileSync(join(repo, 'tools', file), join(root, 'tools', file));
  const pkg = join(root, 'packages', 'a');
  mkdirSync(join(pkg, 'node_modules'), { recursive: true });
  symlinkSync(vitestDir, join(pkg, 'node_modules', 'vitest'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'a', type: 'module', scripts: { test: testScript } }));
  for (const [file, source] of Object.entries(files)) writeFileSync(join(pkg, file), source);
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const [name, source] of [['pnpm', PNPM], ['turbo', TURBO]]) {
    writeFileSync(join(bin, name), source);
    chmodSync(join(bin, name), 0o755);
  }
  const calls = join(root, 'calls.log');
  writeFileSync(calls, '');
  const env = {
    ...process.env,
    PATH: [bin, join(here, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
    CALLS: calls,
    FAIL_STEP: failStep,
    TEST_SCRIPT: testScript,
    CI: 'true',
  };
  const run = spawnSync('sh', ['-c', rootManifest.scripts.test], { cwd: root, env, encoding: 'utf8', timeout: HANG_LIMIT_MS });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls: readFileSync(calls, 'utf8') };
}

const closingLine = (stdout) => stdout.trimEnd().split('\n').at(-1);
const ranRegistry = (calls) => /turbo .*test:registry/.test(calls);

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm test', () => {
  it('runs every step and exits 0 with the closing line when all of them pass', () => {
    const { status, stdout, calls } = pnpmTest();
    for (const step of ['pnpm lint:specs', 'pnpm check:drift', 'pnpm check:changesets']) expect(calls).toContain(step);
    expect(calls).toMatch(/turbo run build typecheck lint:package test/);
    expect(ranRegistry(calls)).toBe(true);
    expect(closingLine(stdout)).toBe('1 passed, 0 failed');
    expect(status).toBe(0);
  });

  it('still rehearses the release and prints the closing line when a test fails, and exits non-zero', () => {
    const { status, stdout, calls } = pnpmTest({ files: { 'a.test.mjs': PASS, 'fail.test.mjs': FAIL } });
    expect(ranRegistry(calls)).toBe(true);
    expect(closingLine(stdout)).toBe('1 passed, 1 failed');
    expect(status).not.toBe(0);
  });

  it('runs every later step and prints the closing line when the spec lint fails, naming the step, and exits non-zero', () => {
    const { status, stdout, stderr, calls } = pnpmTest({ failStep: 'lint' });
    expect(calls).toContain('pnpm check:drift');
    expect(calls).toMatch(/turbo run build typecheck lint:package test/);
    expect(ranRegistry(calls)).toBe(true);
    expect(closingLine(stdout)).toBe('1 passed, 0 failed');
    expect(stderr).toContain('step failed: spec lint');
    expect(status).not.toBe(0);
  });

  it('runs every other step and prints the closing line when the changeset check fails, naming the step, and exits non-zero', () => {
    const { status, stdout, stderr, calls } = pnpmTest({ failStep: 'changesets' });
    expect(calls).toMatch(/turbo run build typecheck lint:package test/);
    expect(ranRegistry(calls)).toBe(true);
    expect(closingLine(stdout)).toBe('1 passed, 0 failed');
    expect(stderr).toContain('step failed: changeset check');
    expect(status).not.toBe(0);
  });

  it('prints the closing line when the registry rehearsal fails, naming the step, and exits non-zero', () => {
    const { status, stdout, stderr } = pnpmTest({ failStep: 'registry' });
    expect(closingLine(stdout)).toBe('1 passed, 0 failed');
    expect(stderr).toContain('step failed: registry rehearsal');
    expect(status).not.toBe(0);
  });
});
