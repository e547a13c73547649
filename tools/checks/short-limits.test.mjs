// No test may fail on a wall-clock limit a loaded machine can reach (CONTRIBUTING.md, "Time in
// tests"). The scan runs over every committed test file, test helper and package.json, and is shown
// to catch each shape of short limit on purpose-made sources.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS, findShortLimits, isTestCode } from './short-limits.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scan = (text, path = 'packages/x/src/x.test.ts') => findShortLimits([{ path, text }]);

describe('the short-limit check', () => {
  it('finds no fixed wall-clock limit under the hang limit in any committed test code', () => {
    // This check's own files hold the short limits it is shown to catch.
    const own = (path) => path.startsWith('tools/checks/short-limits.');
    const paths = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((path) => isTestCode(path) && !own(path));
    expect(paths.filter((path) => path.endsWith('.test.ts')).length).toBeGreaterThan(20);
    expect(paths).toContain('tools/generate/check-drift.test.mjs');
    const files = paths.map((path) => ({ path, text: readFileSync(join(repo, path), 'utf8') }));
    expect(findShortLimits(files)).toEqual([]);
  });

  it('gives every package the hang limit as its vitest default, for tests and hooks', () => {
    const script = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8')).scripts.test;
    expect(script).toContain(`--testTimeout=${HANG_LIMIT_MS}`);
    expect(script).toContain(`--hookTimeout=${HANG_LIMIT_MS}`);
  });

  it.each([
    ['a per-test timeout', "it('sends', async () => {\n  await send();\n}, 30_000);\n"],
    ['a per-test timeout of it.each', "it.each(cases)('sends %s', async (c) => {\n  await send(c);\n}, 15000);\n"],
    ['a hook timeout', 'beforeAll(async () => {\n  server = await start();\n}, 60_000);\n'],
    ['a timeout option of a test', "it('sends', { timeout: 10_000 }, async () => {});\n"],
    ['a child process timeout', "spawnSync('node', ['x.mjs'], { encoding: 'utf8', timeout: 240_000 });\n"],
    ['a default deadline in a helper', 'export async function waitFor(n, timeoutMs = 3000) {}\n'],
    ['a default deadline after ??', 'const limit = options.timeoutMs ?? 10_000;\n'],
    ['a default deadline in milliseconds', 'export async function waitDone(url, id, ms = 30_000) {}\n'],
    ['an AbortSignal deadline', "await fetch(url, { signal: AbortSignal.timeout(10_000) });\n"],
    ['a socket deadline', 'socket.setTimeout(500);\n'],
    ['a kill timer', "const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);\n"],
    ['a start deadline', "setTimeout(() => reject(new Error('did not start')), 20_000);\n"],
    ['vitest defaults in a script', '{ "scripts": { "test": "vitest run --testTimeout=60000 --hookTimeout=120000" } }\n'],
    ['vitest defaults in a config', 'export default { test: { testTimeout: 60_000 } };\n'],
    ['a vitest wait helper with its 1 s default', 'await vi.waitFor(() => expect(calls).toBe(1));\n'],
  ])('catches %s', (_, source) => {
    expect(scan(source)).toHaveLength(1);
  });

  it.each([
    ['a limit at the hang limit', `spawnSync('node', [], { timeout: ${HANG_LIMIT_MS} });\n`],
    ['a client timeout the test provokes on purpose', 'await client.sms.send(sms, { timeoutMs: 100 }).catch((e) => e);\n'],
    ['a delay', 'await new Promise((resolve) => setTimeout(resolve, 50));\n'],
    ['an abort the test triggers', 'setTimeout(() => controller.abort(), 50);\n'],
    ['a multi-line timer', 'setTimeout(() => {\n  done = true;\n}, 50);\n'],
    ['a test without a timeout', "it('sends', async () => {\n  await send();\n});\n"],
  ])('allows %s', (_, source) => {
    expect(scan(source)).toEqual([]);
  });
});
