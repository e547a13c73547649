// .ci/run, copied into a temporary folder with stand-ins for pnpm and npx on PATH, so that each
// step can be made to fail on purpose: the script must exit non-zero whenever a step fails.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pnpmVersion = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).packageManager.split('@')[1];
const scratch = [];

// Logs every call, prints the version CI asks for, and fails the step named in FAIL_STEP.
const PNPM = `#!/bin/sh
echo "pnpm $*" >> "$CALLS"
case "$1" in
  --version) echo "${pnpmVersion}"; exit 0 ;;
  install) [ "$FAIL_STEP" = install ] && exit 3; exit 0 ;;
  test) if [ "$FAIL_STEP" = test ]; then echo "5 passed, 1 failed"; exit 1; fi; echo "6 passed, 0 failed"; exit 0 ;;
esac
exit 0
`;
// A redis-server that stays up until killed (or exits at once when REDIS_EXITS is set), and a
// redis-cli whose first REDIS_SLOW_PINGS pings fail, as while a loaded machine starts the server.
const REDIS_SERVER = `#!/bin/sh
[ -n "$REDIS_EXITS" ] && exit 1
trap 'kill $! 2>/dev/null; exit 0' TERM
sleep 1000 &
wait
`;
const REDIS_CLI = `#!/bin/sh
n=$(($(cat "$PINGS" 2>/dev/null || echo 0) + 1))
echo "$n" > "$PINGS"
[ "$n" -gt "\${REDIS_SLOW_PINGS:-0}" ] && { echo PONG; exit 0; }
exit 1
`;
// \`npx -y pnpm@<version> <args>\` runs that pnpm: here, the stand-in above.
const NPX = `#!/bin/sh
echo "npx $*" >> "$CALLS"
[ "$1" = -y ] && shift
case "$1" in pnpm@*) shift; exec pnpm "$@" ;; esac
exit 9
`;

function ciRun(failStep, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-ci-run-'));
  scratch.push(dir);
  mkdirSync(join(dir, '.ci'));
  copyFileSync(join(repo, '.ci', 'run'), join(dir, '.ci', 'run'));
  mkdirSync(join(dir, 'bin'));
  for (const [name, source] of [['pnpm', PNPM], ['npx', NPX], ['redis-server', REDIS_SERVER], ['redis-cli', REDIS_CLI]]) {
    writeFileSync(join(dir, 'bin', name), source);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  const calls = join(dir, 'calls.log');
  writeFileSync(calls, '');
  const env = { ...process.env, PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH}`, CALLS: calls, FAIL_STEP: failStep ?? '', PINGS: join(dir, 'pings'), ...extraEnv };
  const run = spawnSync('bash', [join(dir, '.ci', 'run')], { cwd: dir, env, encoding: 'utf8', timeout: HANG_LIMIT_MS });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls: readFileSync(calls, 'utf8').trim().split('\n') };
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('.ci/run', () => {
  it('exits 0 after installing with the lockfile frozen and running the tests, when both succeed', () => {
    const { status, stdout, calls } = ciRun();
    expect(calls).toContain('pnpm install --frozen-lockfile');
    expect(calls).toContain('pnpm test');
    expect(stdout).toContain('6 passed, 0 failed');
    expect(status).toBe(0);
  });

  it('exits non-zero when the tests fail', () => {
    const { status, stdout } = ciRun('test');
    expect(stdout).toContain('5 passed, 1 failed');
    expect(status).not.toBe(0);
  });

  it('waits for a Redis that is slow to answer however many pings it takes, and runs the tests', () => {
    // More failed pings than the 100 tries (10 s) CI once allowed it.
    const { status, calls } = ciRun(undefined, { REDIS_SLOW_PINGS: '102' });
    expect(calls).toContain('pnpm test');
    expect(status).toBe(0);
  });

  it('stops with the reason, without running the tests, when redis-server exits before it answers', () => {
    const { status, stderr, calls } = ciRun(undefined, { REDIS_EXITS: '1', REDIS_SLOW_PINGS: '1000000' });
    expect(stderr).toContain('redis-server exited before it answered');
    expect(calls).not.toContain('pnpm test');
    expect(status).not.toBe(0);
  });

  it('exits non-zero without running the tests when the install fails', () => {
    const { status, calls } = ciRun('install');
    expect(calls).not.toContain('pnpm test');
    expect(status).not.toBe(0);
  });
});
