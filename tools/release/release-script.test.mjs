// `pnpm release` publishes only a committed, versioned tree, and only after the tests pass.
// Each case runs the real script in a throwaway clone of HEAD.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { gitIdentity, root, run } from './release-flow.mjs';

const script = join(root, 'tools/release/release.mjs');
let dirs = [];

function cloneOfHead() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-release-script-'));
  dirs.push(dir);
  run('git', ['clone', '--quiet', '--no-checkout', root, dir], { cwd: tmpdir() });
  run('git', ['checkout', '--quiet', run('git', ['rev-parse', 'HEAD'], { cwd: root }).trim()], { cwd: dir });
  return dir;
}

const release = (cwd) =>
  spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', timeout: HANG_LIMIT_MS, env: { ...process.env, MSGKIT_RELEASE_DRY_RUN: '1' } });

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('pnpm release', () => {
  it('is what the root package.json runs', () => {
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.release).toBe('node tools/release/release.mjs');
  });

  it('refuses a tree with an uncommitted change, and runs nothing', () => {
    const dir = cloneOfHead();
    writeFileSync(join(dir, 'README.md'), `${readFileSync(join(dir, 'README.md'), 'utf8')}\nlocal edit\n`);
    const result = release(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the working tree has changes');
    expect(result.stderr).toContain('README.md');
    expect(result.stdout).not.toContain('pnpm test');
  });

  it('refuses a tree with an untracked file', () => {
    const dir = cloneOfHead();
    writeFileSync(join(dir, 'notes.txt'), 'draft\n');
    const result = release(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('notes.txt');
  });

  it('refuses changesets that were not turned into versions yet', () => {
    const dir = cloneOfHead();
    writeFileSync(join(dir, '.changeset', 'unreleased.md'), "---\n'@msgkit/core': patch\n---\n\nA change.\n");
    run('git', ['add', '-A'], { cwd: dir });
    run('git', ['commit', '--quiet', '-m', 'a change'], { cwd: dir, env: gitIdentity });
    const result = release(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('pnpm changeset version');
  });

  it('on a clean, versioned tree runs the tests first and then changeset publish', () => {
    const dir = cloneOfHead();
    const pending = run('git', ['ls-files', '.changeset/*.md'], { cwd: dir }).split('\n').filter((file) => file && !file.endsWith('README.md'));
    if (pending.length > 0) {
      run('git', ['rm', '--quiet', ...pending], { cwd: dir });
      run('git', ['commit', '--quiet', '-m', 'Version packages'], { cwd: dir, env: gitIdentity });
    }
    const result = release(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['release: pnpm test', 'release: pnpm exec changeset publish']);
  });
});
