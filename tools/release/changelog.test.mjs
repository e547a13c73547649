// What step 2 of the release (`pnpm changeset version`, README "Releasing") writes, run in a
// throwaway clone of HEAD: every published package it bumps gets a CHANGELOG.md whose newest entry
// is its new version, and no package is bumped to a new major that no changeset asked for.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedPackages, root, run } from './release-flow.mjs';

const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const major = (version) => version.split('.')[0];

let clone = '';
const before = {};
const after = {};
let requestedMajors = new Set();

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'msgkit-changelog-'));
  run('git', ['clone', '--quiet', '--no-checkout', root, clone], { cwd: tmpdir() });
  run('git', ['checkout', '--quiet', run('git', ['rev-parse', 'HEAD'], { cwd: root }).trim()], { cwd: clone });
  // changeset reads only manifests and changesets: the checkout's installed modules serve the clone.
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  // A patch of core reaches every package that depends on it, as a real release of a core fix does.
  writeFileSync(join(clone, '.changeset', 'changelog-test.md'), "---\n'@msgkit/core': patch\n---\n\nA change made by the changelog test.\n");
  const pending = readdirSync(join(clone, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
  requestedMajors = new Set(
    pending.flatMap((file) => [...readFileSync(join(clone, '.changeset', file), 'utf8').matchAll(/^['"]?(@msgkit\/[\w-]+)['"]?:\s*major\s*$/gm)].map((m) => m[1])),
  );
  for (const name of publishedPackages) before[name] = manifest(join(clone, 'packages', name)).version;
  run(process.execPath, [join(clone, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: clone });
  for (const name of publishedPackages) after[name] = manifest(join(clone, 'packages', name)).version;
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

describe('changeset version', () => {
  it('gives every published package a new version and a CHANGELOG.md that starts with it', () => {
    for (const name of publishedPackages) {
      expect(after[name], name).not.toBe(before[name]);
      const changelog = join(clone, 'packages', name, 'CHANGELOG.md');
      expect(existsSync(changelog), `${name} has no CHANGELOG.md`).toBe(true);
      const text = readFileSync(changelog, 'utf8');
      expect(text.startsWith(`# @msgkit/${name}\n`), name).toBe(true);
      expect(text.match(/^## (.+)$/m)?.[1], name).toBe(after[name]);
    }
    expect(readFileSync(join(clone, 'packages/core/CHANGELOG.md'), 'utf8')).toContain('A change made by the changelog test.');
  });

  it('bumps no package to a new major that no changeset asked for', () => {
    const majors = publishedPackages.filter((name) => major(after[name]) !== major(before[name]));
    expect(majors.filter((name) => !requestedMajors.has(`@msgkit/${name}`)).map((name) => `${name} ${before[name]} -> ${after[name]}`)).toEqual([]);
  });
});
