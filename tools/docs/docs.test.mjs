import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDocs } from './check.mjs';
import { repositoryRoot } from './typedoc.config.mjs';

// TypeDoc compiles every package's sources: minutes on a loaded machine, so the bound is wide (it is
// a limit against a hang, never a measure of speed).
const TYPEDOC_RUN_MS = 600_000;

describe('the API reference', () => {
  it('has a doc comment on every public export and no broken link', async () => {
    expect(await checkDocs()).toEqual([]);
  }, TYPEDOC_RUN_MS);

  const dirs = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fails when an export loses its doc comment or a link names nothing, in a temporary copy', async () => {
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

    const problems = await checkDocs(copy);
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.includes('@msgkit/core.normalizePhone ('))).toMatch(/does not have any documentation/);
    expect(problems.find((p) => p.includes('normalizePhoneNumbers'))).toMatch(/Failed to resolve link/);
  }, TYPEDOC_RUN_MS);
});
