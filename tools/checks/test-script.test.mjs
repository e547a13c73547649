// The test script every package runs, applied to a temporary package: a test that asserts nothing
// (its only expect in a callback that never runs) must fail it, not pass as green.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const vitestDir = dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
const scratch = [];

const manifests = ['packages', 'tools'].flatMap((group) =>
  readdirSync(join(repo, group))
    .map((name) => join(repo, group, name, 'package.json'))
    .filter((file) => {
      try {
        return Boolean(JSON.parse(readFileSync(file, 'utf8')).scripts?.test);
      } catch {
        return false;
      }
    })
    .map((file) => JSON.parse(readFileSync(file, 'utf8'))),
);
const script = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8')).scripts.test;

function runScript(source) {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-test-script-'));
  scratch.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(vitestDir, join(dir, 'node_modules', 'vitest'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'probe', type: 'module', scripts: { test: script } }));
  writeFileSync(join(dir, 'probe.test.mjs'), source);
  const env = { ...process.env, CI: 'true', PATH: `${join(here, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };
  const run = spawnSync('sh', ['-c', script], { cwd: dir, env, encoding: 'utf8', timeout: HANG_LIMIT_MS });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the test script of every package', () => {
  it('is one script, which requires every test to make an assertion and writes the report test-summary reads', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const manifest of manifests) expect(manifest.scripts.test, manifest.name).toBe(script);
    expect(script).toContain('--expect.requireAssertions');
    expect(script).toContain('--outputFile.json=.vitest-report.json');
  });

  it('fails a test whose only assertion sits in a callback that never runs', () => {
    const { status, output } = runScript(
      "import { expect, it } from 'vitest';\nit('checks each item', () => {\n  [].forEach((item) => expect(item).toBe(1));\n});\n",
    );
    expect(output).toMatch(/assertion/i);
    expect(status).not.toBe(0);
  });

  it('passes the same test once it asserts something', () => {
    const { status } = runScript("import { expect, it } from 'vitest';\nit('checks each item', () => {\n  [1].forEach((item) => expect(item).toBe(1));\n});\n");
    expect(status).toBe(0);
  });
});
