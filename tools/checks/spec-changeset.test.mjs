// spec-changeset.mjs against small throwaway repositories: a spec, the package generated from it
// (openapitools.json), and histories that do or do not announce a spec change with a changeset.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'spec-changeset.mjs');
const scratch = [];
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' });

function write(dir, file, text) {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

function commit(dir, message, files) {
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', message);
}

const changeset = (name) => `---\n'${name}': patch\n---\n\nThe demo client checks a new limit.\n`;

/** A repository on main with one spec, its package, and this check added after some history. */
function repository() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-spec-changeset-'));
  scratch.push(dir);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'spec-changeset test');
  git(dir, 'config', 'user.email', 'spec-changeset@localhost');
  const generators = { demo: { inputSpec: '#{cwd}/specs/demo.yaml', output: '#{cwd}/packages/demo/src/generated' } };
  commit(dir, 'start', {
    'openapitools.json': JSON.stringify({ 'generator-cli': { generators } }),
    'packages/demo/package.json': JSON.stringify({ name: '@msgkit/demo' }),
    'specs/demo.yaml': 'openapi: 3.0.3\n',
    '.changeset/README.md': 'Changesets.\n',
  });
  // Before the check existed, a spec changed without a word: history it does not judge.
  commit(dir, 'an old spec change', { 'specs/demo.yaml': 'openapi: 3.0.3\n# old\n' });
  commit(dir, 'add the check', { 'tools/checks/spec-changeset.mjs': readFileSync(script, 'utf8') });
  return dir;
}

function check(dir) {
  const run = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('spec-changeset.mjs', () => {
  it('passes on main when each change to specs/ since the check was added came with a changeset naming its package', () => {
    const dir = repository();
    commit(dir, 'a new limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n', '.changeset/new-limit.md': changeset('@msgkit/demo') });
    const { status, output } = check(dir);
    expect(output).toContain('1 change(s) to specs/ since this check was added');
    expect(status).toBe(0);
  });

  it('fails on main, naming the commit and the spec, when a spec changed without a changeset', () => {
    const dir = repository();
    commit(dir, 'a silent limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n' });
    const { status, output } = check(dir);
    expect(output).toMatch(/[0-9a-f]{10} \(a silent limit\) changes specs\/demo.yaml but adds no \.changeset\/\*\.md/);
    expect(status).toBe(1);
  });

  it('fails when the changeset names another package than the one the spec generates', () => {
    const dir = repository();
    commit(dir, 'a limit for someone else', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n', '.changeset/other.md': changeset('@msgkit/other') });
    const { status, output } = check(dir);
    expect(output).toContain('changes specs/demo.yaml, but none of its changesets (.changeset/other.md) names @msgkit/demo');
    expect(status).toBe(1);
  });

  it('fails the same in a fresh clone of main, as CI has one', () => {
    const dir = repository();
    commit(dir, 'a silent limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n' });
    const clone = mkdtempSync(join(tmpdir(), 'msgkit-spec-changeset-clone-'));
    scratch.push(clone);
    git(tmpdir(), 'clone', '--quiet', dir, clone);
    const { status, output } = check(clone);
    expect(output).toContain('(a silent limit) changes specs/demo.yaml but adds no');
    expect(status).toBe(1);
  });

  it('passes on a fresh clone of main once the branch that adds it is merged with a changeset, and fails on one without', () => {
    for (const withChangeset of [true, false]) {
      const dir = mkdtempSync(join(tmpdir(), 'msgkit-spec-changeset-'));
      scratch.push(dir);
      git(dir, 'init', '--quiet', '--initial-branch=main');
      git(dir, 'config', 'user.name', 'spec-changeset test');
      git(dir, 'config', 'user.email', 'spec-changeset@localhost');
      commit(dir, 'start', {
        'openapitools.json': JSON.stringify({ 'generator-cli': { generators: { demo: { inputSpec: '#{cwd}/specs/demo.yaml', output: '#{cwd}/packages/demo/src/generated' } } } }),
        'packages/demo/package.json': JSON.stringify({ name: '@msgkit/demo' }),
        'specs/demo.yaml': 'openapi: 3.0.3\n',
      });
      git(dir, 'checkout', '--quiet', '-b', 'spec-checks');
      commit(dir, 'the check, and a spec example', {
        'tools/checks/spec-changeset.mjs': readFileSync(script, 'utf8'),
        'specs/demo.yaml': 'openapi: 3.0.3\n# example\n',
        ...(withChangeset && { '.changeset/checks.md': changeset('@msgkit/demo') }),
      });
      git(dir, 'checkout', '--quiet', 'main');
      git(dir, 'merge', '--quiet', '--no-ff', '-m', 'Merge spec-checks', 'spec-checks');
      const clone = mkdtempSync(join(tmpdir(), 'msgkit-spec-changeset-clone-'));
      scratch.push(clone);
      git(tmpdir(), 'clone', '--quiet', dir, clone);
      expect(git(clone, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
      const { status, output } = check(clone);
      if (withChangeset) expect(output).toContain('1 change(s) to specs/ since this check was added');
      else expect(output).toContain('(Merge spec-checks) changes specs/demo.yaml but adds no');
      expect(status).toBe(withChangeset ? 0 : 1);
    }
  });

  it('reads a shallow clone as far as its history reaches, and asks for more when it holds no parent of HEAD', () => {
    const dir = repository();
    commit(dir, 'a new limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n', '.changeset/new-limit.md': changeset('@msgkit/demo') });
    commit(dir, 'docs', { 'README.md': 'Demo.\n' });
    const shallowClone = (depth) => {
      const clone = mkdtempSync(join(tmpdir(), 'msgkit-spec-changeset-clone-'));
      scratch.push(clone);
      git(tmpdir(), 'clone', '--quiet', `--depth=${depth}`, `file://${dir}`, clone);
      return clone;
    };
    const two = check(shallowClone(2));
    expect(two.output).toContain('0 change(s) to specs/');
    expect(two.output).toContain('as far as this shallow clone reaches');
    expect(two.status).toBe(0);
    const three = check(shallowClone(3));
    expect(three.output).toContain('1 change(s) to specs/');
    expect(three.status).toBe(0);
    const one = check(shallowClone(1));
    expect(one.output).toContain('holds no parent of HEAD');
    expect(one.status).toBe(1);
  });

  it('takes a branch as one change: it fails until a changeset comes, in any commit of the branch', () => {
    const dir = repository();
    git(dir, 'checkout', '--quiet', '-b', 'feature');
    commit(dir, 'a new limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n' });
    const before = check(dir);
    expect(before.output).toContain('this branch (main..HEAD) changes specs/demo.yaml but adds no');
    expect(before.status).toBe(1);
    commit(dir, 'changeset', { '.changeset/new-limit.md': changeset('@msgkit/demo') });
    expect(check(dir).status).toBe(0);
    // Merged, the branch is one change of main's, and main passes too.
    git(dir, 'checkout', '--quiet', 'main');
    git(dir, 'merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature');
    const merged = check(dir);
    expect(merged.output).toContain('1 change(s) to specs/');
    expect(merged.status).toBe(0);
  });

  it('looks no further back than the newest release tag, whose changesets were consumed', () => {
    const dir = repository();
    commit(dir, 'a silent limit', { 'specs/demo.yaml': 'openapi: 3.0.3\n# maxLength: 64\n' });
    expect(check(dir).status).toBe(1);
    commit(dir, 'Version packages', { 'packages/demo/CHANGELOG.md': '# @msgkit/demo\n' });
    git(dir, 'tag', '@msgkit/demo@0.2.0');
    const { status, output } = check(dir);
    expect(output).toContain('0 change(s) to specs/ since the release tagged on');
    expect(status).toBe(0);
  });
});
