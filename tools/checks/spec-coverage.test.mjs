// Every spec under specs/ is walked, constraint by constraint, by its provider's
// spec-constraints.test.ts (tools/test-server/constraints.mjs breaks each one on a valid request and
// fails the test when one reaches the server). A spec without such a test, or a test that stops
// asserting that nothing went unenforced, would leave a new limit unchecked without any test failing.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = [];

/** What is missing for each spec of `dir`: its package (openapitools.json) or a constraint test that walks it whole. */
function uncovered(dir) {
  const generators = Object.values(JSON.parse(readFileSync(join(dir, 'openapitools.json'), 'utf8'))['generator-cli'].generators);
  return readdirSync(join(dir, 'specs'))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => {
      const name = file.replace(/\.yaml$/, '');
      const entry = generators.find((generator) => generator.inputSpec.endsWith(`/specs/${file}`));
      if (!entry) return [`specs/${file}: no generator in openapitools.json`];
      const test = join(entry.output.replace('#{cwd}/', '').split('/').slice(0, 2).join('/'), 'src/spec-constraints.test.ts');
      if (!existsSync(join(dir, test))) return [`specs/${file}: no ${test}`];
      const source = readFileSync(join(dir, test), 'utf8');
      const needs = [`loadSpec('${name}')`, 'await enforcement(spec, calls, server', 'expect(unenforced).toEqual([])', 'expect(checked).toBe(requestConstraints(spec).length)'];
      return needs.filter((text) => !source.includes(text)).map((text) => `${test}: does not contain ${text}`);
    });
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the constraint tests', () => {
  it('walk every spec under specs/, each asserting that none of its constraints reached the server', () => {
    expect(readdirSync(join(root, 'specs')).filter((file) => file.endsWith('.yaml')).length).toBeGreaterThanOrEqual(4);
    expect(uncovered(root)).toEqual([]);
  });

  it('fail on a copy with a new spec that no constraint test walks, and on a test that no longer asserts its walk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msgkit-spec-coverage-'));
    scratch.push(dir);
    const config = JSON.parse(readFileSync(join(root, 'openapitools.json'), 'utf8'));
    config['generator-cli'].generators.newvendor = { inputSpec: '#{cwd}/specs/newvendor.yaml', output: '#{cwd}/packages/newvendor/src/generated' };
    writeFileSync(join(dir, 'openapitools.json'), JSON.stringify(config));
    mkdirSync(join(dir, 'specs'));
    for (const file of readdirSync(join(root, 'specs'))) writeFileSync(join(dir, 'specs', file), readFileSync(join(root, 'specs', file)));
    writeFileSync(join(dir, 'specs/newvendor.yaml'), 'openapi: 3.0.3\n');
    for (const vendor of ['smscx', 'smsworks', 'octopush', 'infobip']) {
      mkdirSync(join(dir, 'packages', vendor, 'src'), { recursive: true });
      let source = readFileSync(join(root, 'packages', vendor, 'src/spec-constraints.test.ts'), 'utf8');
      if (vendor === 'octopush') source = source.replace('expect(unenforced).toEqual([])', 'expect(unenforced.length).toBeGreaterThanOrEqual(0)');
      writeFileSync(join(dir, 'packages', vendor, 'src/spec-constraints.test.ts'), source);
    }
    expect(uncovered(dir).sort()).toEqual([
      'packages/octopush/src/spec-constraints.test.ts: does not contain expect(unenforced).toEqual([])',
      'specs/newvendor.yaml: no packages/newvendor/src/spec-constraints.test.ts',
    ]);
  });
});
