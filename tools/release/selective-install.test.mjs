// A user who needs one vendor installs @msgkit/core and that provider, and nothing else arrives.
// This packs the two packages the way they are published (pnpm pack rewrites workspace:^ ranges),
// installs the tarballs with npm into an empty project, and loads the provider with both import
// and require.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const provider = { dir: 'packages/smscx', name: '@msgkit/smscx', client: 'SmscxClient' };
let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'msgkit-install-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }));
  const tarballs = ['packages/core', provider.dir].map((dir) =>
    execFileSync('pnpm', ['pack', '--pack-destination', project], { cwd: join(root, dir), encoding: 'utf8' }).trim().split('\n').pop(),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, encoding: 'utf8' });
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const run = (file, source) => {
  writeFileSync(join(project, file), source);
  return execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }).trim();
};

describe('installing one provider from its published tarball', () => {
  it('brings @msgkit/core and that provider, and no other provider', () => {
    expect(readdirSync(join(project, 'node_modules', '@msgkit')).sort()).toEqual(['core', provider.name.split('/')[1]]);
  });

  it('loads with import', () => {
    const out = run('esm.mjs', `import * as p from '${provider.name}';\nconsole.log(typeof p.${provider.client}, typeof p.ValidationError);\n`);
    expect(out).toBe('function function');
  });

  it('loads with require', () => {
    const out = run('cjs.cjs', `const p = require('${provider.name}');\nconsole.log(typeof p.${provider.client}, typeof p.ValidationError);\n`);
    expect(out).toBe('function function');
  });
});
