// Turbo replays a cached task when the files it hashes are unchanged. A file a task reads but does
// not hash lets a stale result through: a root script these checks test could change and turbo
// would replay their old pass; a spec could change and turbo would restore the old client.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The files turbo hashes for each task of `task`, from a dry run (nothing is executed). */
function hashedInputs(task, filters) {
  const args = ['exec', 'turbo', 'run', task, '--dry=json', ...filters.map((f) => `--filter=${f}`)];
  const plan = JSON.parse(execFileSync('pnpm', args, { cwd: repo, encoding: 'utf8', timeout: HANG_LIMIT_MS, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } }));
  return Object.fromEntries(plan.tasks.filter((t) => t.task === task).map((t) => [t.package, Object.keys(t.inputs)]));
}

describe('turbo task inputs', () => {
  it('hash the vendor spec in each generated client, and all four in the sandbox build that embeds them', () => {
    const inputs = hashedInputs('generate', ['@msgkit/smscx', '@msgkit/smsworks', '@msgkit/octopush', '@msgkit/infobip']);
    const sandbox = hashedInputs('build', ['@msgkit/sandbox'])['@msgkit/sandbox'];
    for (const vendor of ['smscx', 'smsworks', 'octopush', 'infobip']) {
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain(`../../specs/${vendor}.yaml`);
      // The same step writes the request checks from the spec.
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain('../../tools/generate/checks.mjs');
      expect(sandbox).toContain(`../../specs/${vendor}.yaml`);
    }
    expect(sandbox).toContain('scripts/embed-specs.mjs');
  });

  it("hash each vendor's spec and the example reader in the tests that run every request example through the clients and the sandbox", () => {
    const inputs = hashedInputs('test', ['@msgkit/smscx', '@msgkit/smsworks', '@msgkit/octopush', '@msgkit/infobip', '@msgkit/sandbox']);
    for (const vendor of ['smscx', 'smsworks', 'octopush', 'infobip']) {
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain(`../../specs/${vendor}.yaml`);
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain('../../tools/test-server/examples.mjs');
      // The tests that break every constraint of the spec.
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain('../../tools/test-server/constraints.mjs');
      expect(inputs[`@msgkit/${vendor}`], vendor).toContain('../../tools/generate/names.mjs');
      expect(inputs['@msgkit/sandbox'], 'sandbox').toContain(`../../specs/${vendor}.yaml`);
    }
    expect(inputs['@msgkit/sandbox']).toContain('../../tools/test-server/examples.mjs');
  });

  it('hash the specs, templates and committed clients in the generator tests, which check-drift runs against', () => {
    const inputs = hashedInputs('test', ['@msgkit/tools-generate'])['@msgkit/tools-generate'];
    for (const file of ['../../openapitools.json', '../../specs/smscx.yaml', '../../packages/smscx/src/generated/index.ts']) {
      expect(inputs).toContain(file);
    }
    expect(inputs.some((file) => file.startsWith('../../templates/'))).toBe(true);
  });

  it("hash every package's sources and manifest in the API reference test, which reads their doc comments", () => {
    const inputs = hashedInputs('test', ['@msgkit/tools-docs'])['@msgkit/tools-docs'];
    for (const file of ['../../packages/core/src/index.ts', '../../packages/smscx/src/client.ts', '../../packages/queue/package.json', '../../tsconfig.base.json', 'not-documented-yet.json']) {
      expect(inputs).toContain(file);
    }
  });

  it('hash the root files that these checks test', () => {
    const inputs = hashedInputs('test', ['@msgkit/tools-checks'])['@msgkit/tools-checks'];
    for (const file of ['../../.ci/run', '../../package.json', '../../redocly.yaml', '../../specs/smscx.yaml', '../test-summary.mjs', '../test-all.mjs', '../../packages/core/package.json', '../../examples/package.json']) {
      expect(inputs).toContain(file);
    }
  });
});
