// `lint:package` (publint, then attw) and `pnpm lint:specs` (redocly) against temporary copies,
// once as they are and once broken on purpose: each must pass the first and fail the second.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const scratch = [];
const temporary = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('lint:package', () => {
  const manifests = readdirSync(join(repo, 'packages')).map((name) => readJson(join(repo, 'packages', name, 'package.json')));
  const script = manifests[0].scripts['lint:package'];
  const core = readJson(join(repo, 'packages', 'core', 'package.json'));

  /** core's real package.json over a small dist holding every file its fields point to. */
  function fixture() {
    const dir = temporary('msgkit-lint-package-');
    const { dependencies, devDependencies, peerDependencies, ...manifest } = core;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    const targets = new Set();
    const collect = (value) => {
      if (typeof value === 'string') targets.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect([manifest.main, manifest.module, manifest.types, manifest.exports]);
    for (const target of targets) {
      if (!target.startsWith('./dist/')) continue;
      const file = join(dir, target);
      mkdirSync(dirname(file), { recursive: true });
      if (target.endsWith('.d.mts') || target.endsWith('.d.cts')) writeFileSync(file, 'export declare const answer: number;\n');
      else if (target.endsWith('.mjs')) writeFileSync(file, 'export const answer = 42;\n');
      else if (target.endsWith('.cjs')) writeFileSync(file, "'use strict';\nexports.answer = 42;\n");
    }
    return dir;
  }

  function lint(dir) {
    const bin = join(here, 'node_modules', '.bin');
    const run = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: HANG_LIMIT_MS, env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } });
    return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
  }

  it('is the same script in every package, so what is proved here holds for each', () => {
    expect(script).toBe('publint --strict && attw --pack . --profile node16');
    for (const manifest of manifests) expect(manifest.scripts['lint:package'], manifest.name).toBe(script);
  });

  it('passes on a package whose fields point at files that exist and type-check', () => {
    const { status, output } = lint(fixture());
    expect(output).not.toMatch(/error/i);
    expect(status).toBe(0);
  });

  it('fails through publint when a field points at a file the package does not ship', () => {
    const dir = fixture();
    const manifest = readJson(join(dir, 'package.json'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, main: './dist/missing.cjs' }, null, 2));
    const { status, output } = lint(dir);
    expect(output).toContain('dist/missing.cjs');
    expect(status).not.toBe(0);
  });

  it('fails through attw when the types cannot be resolved, which publint does not look at', () => {
    const dir = fixture();
    appendFileSync(join(dir, 'dist', 'index.d.mts'), "export * from './missing.mjs';\n");
    const { status, output } = lint(dir);
    expect(output).toMatch(/publint|All good/i);
    expect(output).toMatch(/resolution|missing/i);
    expect(status).not.toBe(0);
  });
});

describe('pnpm lint:specs', () => {
  const script = readJson(join(repo, 'package.json')).scripts['lint:specs'];
  const specs = script.split(' ').filter((word) => word.startsWith('specs/'));

  /** redocly.yaml and the specs the script names, copied; the script run from the copy. */
  function lint(edit) {
    const dir = temporary('msgkit-lint-specs-');
    mkdirSync(join(dir, 'specs'));
    copyFileSync(join(repo, 'redocly.yaml'), join(dir, 'redocly.yaml'));
    for (const spec of specs) copyFileSync(join(repo, spec), join(dir, spec));
    edit?.(dir);
    const bin = join(repo, 'node_modules', '.bin');
    const run = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: HANG_LIMIT_MS, env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } });
    return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
  }

  it('passes on the committed specs', () => {
    expect(specs.length).toBeGreaterThanOrEqual(4);
    const { status, output } = lint();
    expect(output).toContain('Your API descriptions are valid');
    expect(status).toBe(0);
  });

  // A new operation answering 200 only: `operation-4xx-response` is a warning in `recommended`,
  // and redocly exits 0 on warnings.
  const probe = (dir) => {
      const file = join(dir, 'specs', 'smscx.yaml');
      const text = readFileSync(file, 'utf8');
      const extra = [
        '  /lint-probe:',
        '    get:',
        '      operationId: lintProbe',
        '      summary: Probe',
        '      description: Probe',
        '      responses:',
        "        '200':",
        '          description: ok',
      ].join('\n');
      writeFileSync(file, text.replace(/^paths:\n/m, `paths:\n${extra}\n`));
  };

  it('fails on a problem the recommended rules only warn about (an operation without a 4xx response)', () => {
    const { status, output } = lint(probe);
    expect(output).toContain('operation-4xx-response');
    expect(status).not.toBe(0);
  });

  it('would pass the same problem with the plain recommended rules, which is why the config is strict', () => {
    const { status, output } = lint((dir) => {
      probe(dir);
      const config = join(dir, 'redocly.yaml');
      writeFileSync(config, readFileSync(config, 'utf8').replace('- recommended-strict', '- recommended'));
    });
    expect(output).toContain('operation-4xx-response');
    expect(status).toBe(0);
  });
});
