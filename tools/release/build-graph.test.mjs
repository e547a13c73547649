// `pnpm build` and `pnpm demo` work on a fresh clone without Java: the generated clients are
// committed, so generation runs only in `pnpm generate` and in the drift check of `pnpm test`.
// turbo's dry run lists the task graph without running anything, which is cheap and exact.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const turboDry = (...args) =>
  JSON.parse(execFileSync('pnpm', ['exec', 'turbo', 'run', ...args, '--dry=json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: HANG_LIMIT_MS }));
const rootScripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const providers = ['smscx', 'smsworks', 'octopush', 'infobip'];

describe('the build graph', () => {
  it('has no generate task and no task that runs the generator', () => {
    const { tasks } = turboDry('build');
    expect(tasks.length).toBeGreaterThan(5);
    expect(tasks.filter((task) => task.task === 'generate').map((task) => task.taskId)).toEqual([]);
    const generating = tasks.filter((task) => /generate\.mjs|openapi-generator/.test(task.command ?? ''));
    expect(generating.map((task) => `${task.taskId}: ${task.command}`)).toEqual([]);
  });

  it('is what `pnpm build` and `pnpm demo` run, and `pnpm test` still runs the drift check', () => {
    expect(rootScripts.build).toBe('turbo run build');
    expect(rootScripts.demo).toMatch(/^turbo run build\b/);
    expect(rootScripts.demo).not.toMatch(/generate/);
    // pnpm test runs the steps of tools/test-all.mjs in order; the registry rehearsal runs on its own
    // after every other test: it loads the machine.
    expect(rootScripts.test).toBe('node tools/test-all.mjs');
    const steps = readFileSync(join(root, 'tools', 'test-all.mjs'), 'utf8');
    const at = (pattern) => steps.search(pattern);
    expect(at(/'check:drift'/)).toBeGreaterThan(0);
    expect(at(/'--concurrency=2'/)).toBeGreaterThan(at(/'check:drift'/));
    expect(at(/'test:registry'/)).toBeGreaterThan(at(/'--concurrency=2'/));
    expect(rootScripts['check:drift']).toMatch(/check-drift\.mjs/);
  });

  it("hashes each provider's spec into its generate task, so a spec change is never a cache hit", () => {
    const { tasks } = turboDry('generate');
    for (const vendor of providers) {
      const task = tasks.find((candidate) => candidate.taskId === `@msgkit/${vendor}#generate`);
      expect(task, vendor).toBeDefined();
      expect(Object.keys(task.inputs)).toContain(`../../specs/${vendor}.yaml`);
    }
  });

  it('rebuilds the sandbox when a spec changes, since the build embeds them', () => {
    const { tasks } = turboDry('build', '--filter=@msgkit/sandbox');
    const sandbox = tasks.find((task) => task.taskId === '@msgkit/sandbox#build');
    const inputs = Object.keys(sandbox.inputs);
    for (const vendor of providers) expect(inputs).toContain(`../../specs/${vendor}.yaml`);
    expect(inputs).toContain('scripts/embed-specs.mjs');
    expect(inputs.filter((file) => file.startsWith('src/generated/'))).toEqual([]);
  });
});
