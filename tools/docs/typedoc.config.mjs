// The API reference of every published package, read from the TSDoc of their sources.
// Entry points come from each package's `exports` (a subpath added there is documented without
// touching this file). Validation warnings are errors: an export without a doc comment, a {@link}
// that resolves to nothing, or a public type the reference cannot reach fails `pnpm docs` and the
// test beside this file (docs.test.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionDefaults } from 'typedoc';

const here = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = resolve(here, '../..');

/** Each public entry point and its source: `./dist/<name>.mjs` in `exports` is built from `src/<name>.ts`. */
export function publicEntries(root = repositoryRoot) {
  const found = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json') continue;
      const built = target?.import?.default ?? target?.default;
      const name = /^\.\/dist\/(.+)\.mjs$/.exec(built ?? '')?.[1];
      const source = name && join(root, 'packages', dir, 'src', `${name}.ts`);
      if (!source || !existsSync(source)) throw new Error(`${manifest.name} exports ${subpath} from ${built}, whose source src/${name}.ts is missing`);
      found.push({ packageName: manifest.name, subpath, source });
    }
  }
  return found;
}

/** The TypeDoc options for the checkout at `root` (a temporary copy in the tests). */
export function typedocOptions(root = repositoryRoot) {
  const entries = publicEntries(root);
  return {
    name: 'msgkit',
    entryPoints: entries.map((entry) => entry.source),
    entryPointStrategy: 'resolve',
    tsconfig: join(root, 'tools/docs/tsconfig.json'),
    out: join(root, 'docs/api'),
    readme: 'none',
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    // The type checks are `pnpm typecheck`'s job; here only the comments and links are checked.
    skipErrorChecking: true,
    disableSources: true,
    githubPages: false,
    // typescript-fetch writes `@export` and `@memberof` on every generated model.
    blockTags: [...OptionDefaults.blockTags, '@export', '@memberof'],
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
    // By default TypeDoc holds to account only the package it runs in (this private one).
    packagesRequiringDocumentation: [...new Set(entries.map((entry) => entry.packageName))],
    requiredToBeDocumented: ['Class', 'Interface', 'Function', 'Variable', 'TypeAlias', 'Enum', 'Namespace'],
    intentionallyNotDocumented: JSON.parse(readFileSync(join(root, 'tools/docs/not-documented-yet.json'), 'utf8')),
    treatValidationWarningsAsErrors: true,
  };
}

export default typedocOptions();
