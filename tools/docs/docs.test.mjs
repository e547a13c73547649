import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { checkDocs, describeProblems } from './check.mjs';
import { repositoryRoot } from './typedoc.config.mjs';

// TypeDoc compiles every package's sources: minutes on a loaded machine. The only bound is the
// hang limit (CONTRIBUTING.md, "Time in tests").
const TYPEDOC_RUN_MS = HANG_LIMIT_MS;

describe('the API reference', () => {
  it('has a doc comment on every public export and no broken link', async () => {
    const problems = await checkDocs();
    // The message names each undocumented export under its package, for whoever merges next.
    expect(problems, describeProblems(problems)).toEqual([]);
  }, TYPEDOC_RUN_MS);

  const dirs = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fails when an export loses its doc comment, a link names nothing or an entry point its module name, in a temporary copy', async () => {
    // Every package's sources and manifest, with their installed dependencies.
    const copy = mkdtempSync(join(tmpdir(), 'msgkit-docs-'));
    dirs.push(copy);
    for (const path of ['tsconfig.base.json', 'tools/docs/tsconfig.json', 'tools/docs/not-documented-yet.json']) {
      cpSync(join(repositoryRoot, path), join(copy, path));
    }
    for (const dir of readdirSync(join(repositoryRoot, 'packages'))) {
      if (!existsSync(join(repositoryRoot, 'packages', dir, 'package.json'))) continue;
      for (const path of ['package.json', 'src']) cpSync(join(repositoryRoot, 'packages', dir, path), join(copy, 'packages', dir, path), { recursive: true });
      symlinkSync(join(repositoryRoot, 'packages', dir, 'node_modules'), join(copy, 'packages', dir, 'node_modules'));
    }

    const index = join(copy, 'packages/core/src/index.ts');
    const source = readFileSync(index, 'utf8');
    const undocumented = source.replace('/** Normalizes one phone number to E.164, or says why it cannot. */\n', '');
    const brokenLink = undocumented.replace('/** Normalizes a recipient list:', '/** See {@link normalizePhoneNumbers}. Normalizes a recipient list:');
    expect(brokenLink).not.toBe(undocumented);
    expect(undocumented).not.toBe(source);
    writeFileSync(index, brokenLink);
    const dashboard = join(copy, 'packages/dashboard/src/index.ts');
    const dashboardSource = readFileSync(dashboard, 'utf8');
    const unnamed = dashboardSource.replace(' *\n * @module @msgkit/dashboard\n', '');
    expect(unnamed).not.toBe(dashboardSource);
    writeFileSync(dashboard, unnamed);

    const problems = await checkDocs(copy);
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.includes('@msgkit/core.normalizePhone ('))).toMatch(/does not have any documentation/);
    expect(problems.find((p) => p.includes('normalizePhoneNumbers'))).toMatch(/Failed to resolve link/);
    expect(problems).toContain('@msgkit/dashboard: its entry point packages/dashboard/src/index.ts has no `@module @msgkit/dashboard` in its first doc comment');
    const message = describeProblems(problems).split('\n');
    expect(message[0]).toBe('1 export(s) without a doc comment (say what it does, its units and what it throws):');
    expect(message[1]).toBe('  @msgkit/core: normalizePhone (function)');
    expect(message[2]).toBe('2 other problem(s):');
  }, TYPEDOC_RUN_MS);
});
