import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runChild, stopChildren } from '../test-child.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'generate.mjs');
const scratch = [];

/** A project with one generator entry whose output already holds "committed" code. */
async function project(spec) {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-generate-test-'));
  scratch.push(dir);
  writeFileSync(join(dir, 'spec.yaml'), spec);
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', 'committed.ts'), 'export const committed = true;\n');
  const config = {
    'generator-cli': {
      version: '5.0.0-beta2',
      generators: {
        demo: {
          generatorName: 'typescript-fetch',
          inputSpec: '#{cwd}/spec.yaml',
          output: '#{cwd}/out',
          templateDir: join(dirname(script), '../../templates/typescript-fetch'),
          additionalProperties: { typescriptThreePlus: true, supportsES6: true },
        },
      },
    },
  };
  writeFileSync(join(dir, 'openapitools.json'), JSON.stringify(config));
  const run = await runChild(process.execPath, [script, 'demo', '--openapitools', join(dir, 'openapitools.json')], { cwd: dir });
  return { dir, run };
}

const validSpec = `openapi: 3.0.3
info: { title: Demo, version: '1' }
paths:
  /ping:
    get:
      operationId: ping
      tags: [Demo]
      responses:
        '200':
          description: pong
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pong' }
components:
  schemas:
    Pong:
      type: object
      properties:
        ok: { type: boolean }
`;

afterEach(() => {
  stopChildren();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('generate.mjs', () => {
  it('stops on a spec that is not YAML, naming the file, and leaves the committed code untouched', async () => {
    const { dir, run } = await project('openapi: 3.0.3\ninfo: [unclosed\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('spec.yaml does not parse as YAML');
    expect(readFileSync(join(dir, 'out', 'committed.ts'), 'utf8')).toContain('committed = true');
  });

  it('stops on a spec that parses but is not valid OpenAPI, naming the problem', async () => {
    const { dir, run } = await project(validSpec.replace("      responses:\n", '      responsez:\n'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('spec.yaml is not a valid OpenAPI document');
    expect(run.stderr).toMatch(/responsez|responses/);
    expect(existsSync(join(dir, 'out', 'committed.ts'))).toBe(true);
  });

  it('replaces the output with a complete client when the spec is valid', async () => {
    const { dir, run } = await project(validSpec);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, 'out', 'committed.ts'))).toBe(false);
    expect(readFileSync(join(dir, 'out', 'apis', 'DemoApi.ts'), 'utf8')).toContain('async ping(initOverrides?: RequestInit)');
  });
});
