// `changeset version` in a clone of HEAD, with one changeset written by the test: a patch to one
// package gives that package a patch, at most a patch to the packages that depend on it by a
// normal dependency, and leaves every other version as it is; a minor gives no other package more
// than a patch. @msgkit/queue at 0.0.0 (every patch left @msgkit/cli's peer range) and changesets'
// major bump of peer dependents turned a change to queue into @msgkit/cli 1.0.0.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedPackages, root, run } from './release-flow.mjs';

const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
const NORMAL = ['dependencies', 'optionalDependencies'];
let clone = '';
let head = '';

const manifest = (dir, name) => JSON.parse(readFileSync(join(dir, 'packages', name, 'package.json'), 'utf8'));
const versions = (dir) => Object.fromEntries(publishedPackages.map((name) => [manifest(dir, name).name, manifest(dir, name).version]));
const parse = (version) => version.split('.').map(Number);
const patchOf = (version) => {
  const [major, minor, patch] = parse(version);
  return `${major}.${minor}.${patch + 1}`;
};

/** Every published package that reaches `name` through dependencies or optionalDependencies. */
function normalDependents(name) {
  const manifests = publishedPackages.map((dir) => manifest(clone, dir));
  const found = new Set();
  const visit = (target) => {
    for (const m of manifests) {
      if (found.has(m.name) || !NORMAL.some((field) => m[field]?.[target])) continue;
      found.add(m.name);
      visit(m.name);
    }
  };
  visit(name);
  return found;
}

/**
 * Resets the clone to HEAD, optionally drops the pending changesets (the state right after a
 * "Version packages" commit), adds `changeset` and runs `changeset version`.
 */
function versionWith(changeset, { keepPending }) {
  run('git', ['reset', '--quiet', '--hard', head], { cwd: clone });
  run('git', ['clean', '--quiet', '-fd', '--', '.changeset', 'packages'], { cwd: clone });
  const dir = join(clone, '.changeset');
  if (!keepPending) for (const file of readdirSync(dir)) if (file.endsWith('.md') && file !== 'README.md') unlinkSync(join(dir, file));
  const front = Object.entries(changeset).map(([name, type]) => `'${name}': ${type}`);
  writeFileSync(join(dir, 'bump-test.md'), `---\n${front.join('\n')}\n---\n\nA change made by the bump test.\n`);
  const before = versions(clone);
  run(process.execPath, [changesetBin, 'version'], { cwd: clone });
  return { before, after: versions(clone) };
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'msgkit-bumps-'));
  head = run('git', ['rev-parse', 'HEAD'], { cwd: root }).trim();
  run('git', ['clone', '--quiet', '--shared', '--no-checkout', root, clone], { cwd: tmpdir() });
  run('git', ['checkout', '--quiet', '--detach', head], { cwd: clone });
  // The changelog generator named in .changeset/config.json resolves from the clone.
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
});

afterAll(() => {
  if (clone && existsSync(clone)) rmSync(clone, { recursive: true, force: true });
});

describe('changeset version', () => {
  const names = publishedPackages.map((dir) => manifest(root, dir).name);

  it.each(names)('gives a patch to %s alone a patch, and bumps nothing else beyond a patch of its normal dependents', (name) => {
    const { before, after } = versionWith({ [name]: 'patch' }, { keepPending: false });
    const dependents = normalDependents(name);
    const allowed = (other) => (other === name ? [patchOf(before[other])] : dependents.has(other) ? [before[other], patchOf(before[other])] : [before[other]]);
    const wrong = Object.keys(before).filter((other) => !allowed(other).includes(after[other]));
    expect(wrong.map((other) => `${other} ${before[other]} -> ${after[other]}, expected ${allowed(other).join(' or ')}`)).toEqual([]);
  });

  it.each(names)('gives a minor to %s alone a minor, and no other package more than a patch', (name) => {
    const { before, after } = versionWith({ [name]: 'minor' }, { keepPending: false });
    const minorOf = (version) => {
      const [major, minor] = parse(version);
      return `${major}.${minor + 1}.0`;
    };
    const allowed = (other) => (other === name ? [minorOf(before[other])] : [before[other], patchOf(before[other])]);
    const wrong = Object.keys(before).filter((other) => !allowed(other).includes(after[other]));
    expect(wrong.map((other) => `${other} ${before[other]} -> ${after[other]}, expected ${allowed(other).join(' or ')}`)).toEqual([]);
  });

  it('gives a patch to @msgkit/queue, with every changeset now pending, no package a major', () => {
    const { before, after } = versionWith({ '@msgkit/queue': 'patch' }, { keepPending: true });
    // A changeset may ask for a minor; only an explicit major changeset may move a major number,
    // and a peer dependent dragged out of 0.x to 1.0.0 is the failure this guards against.
    const majors = Object.keys(before).filter((name) => parse(after[name])[0] !== parse(before[name])[0]);
    expect(majors.map((name) => `${name} ${before[name]} -> ${after[name]}`)).toEqual([]);
    expect(after['@msgkit/queue']).not.toBe(before['@msgkit/queue']);
  });
});
