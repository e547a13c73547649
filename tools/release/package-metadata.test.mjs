// What npm shows and what an app resolves for each published package: its own README and LICENSE in
// the tarball, where its source lives, and dependency ranges that let an app keep one copy of the
// libraries it may also use itself (libphonenumber-js excepted: core bundles its own copy).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, root, run } from './release-flow.mjs';

const published = publishedPackages;
const manifest = (name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
const rootRepository = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository;

describe.each(published)('@msgkit/%s as published', (name) => {
  const pkg = manifest(name);

  it('packs its README and LICENSE beside dist', () => {
    const [packed] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'packages', name) }));
    const files = packed.files.map((file) => file.path);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files.some((file) => file.startsWith('dist/'))).toBe(true);
  });

  it('has a README that names it, says how to install it and shows it in use', () => {
    const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
    expect(readme.startsWith(`# ${pkg.name}\n`)).toBe(true);
    expect(readme).toMatch(new RegExp(`npm install (--\\S+ )*(\\S+ )*${pkg.name.replace('/', '\\/')}`));
    expect(readme).toMatch(/```(ts|sh)\n/);
  });

  it('is MIT licensed with the license text, and names its repository, homepage and keywords', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(pkg.repository).toEqual({ ...rootRepository, directory: `packages/${name}` });
    expect(pkg.homepage).toMatch(new RegExp(`/packages/${name}#readme$`));
    expect(pkg.keywords.length).toBeGreaterThan(2);
    expect(pkg.description.length).toBeGreaterThan(20);
  });

  it('asks for zod and libphonenumber-js by caret range, never an exact version', () => {
    for (const dependency of ['zod', 'libphonenumber-js']) {
      const range = pkg.dependencies?.[dependency];
      // Absent, or a caret range; an exact pin would give an app a second copy.
      expect(range === undefined || /^\^\d+\.\d+\.\d+$/.test(range), `${dependency}: ${range}`).toBe(true);
    }
  });
});

it('finds every published package under packages/ (the seven of the README and any added since)', () => {
  expect(published).toEqual(expect.arrayContaining(['cli', 'core', 'infobip', 'octopush', 'sandbox', 'smscx', 'smsworks']));
});

it('core is the package that carries the zod range', () => {
  expect(Object.keys(manifest('core').dependencies)).toContain('zod');
});

it('has no package depend on libphonenumber-js: core bundles the one version its digit reader follows, pinned', () => {
  for (const name of published) {
    const { dependencies = {}, peerDependencies = {}, optionalDependencies = {} } = manifest(name);
    expect({ ...dependencies, ...peerDependencies, ...optionalDependencies }, name).not.toHaveProperty('libphonenumber-js');
  }
  expect(manifest('core').devDependencies['libphonenumber-js']).toMatch(/^\d+\.\d+\.\d+$/);
});
