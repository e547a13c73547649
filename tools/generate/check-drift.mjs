#!/usr/bin/env node
// Fails when regenerating the clients changes anything that is committed: generated code (each
// provider's src/generated, the client, and src/generated-checks, the request checks) is only ever
// changed by `pnpm generate`, and the committed output must be what the specs produce.
//
// `--root <dir>` checks another checkout of the repository (the tests use a temporary clone).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 && args[rootFlag + 1] ? resolve(args[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fail = (message) => {
  console.error(`check-drift: ${message}`);
  process.exit(1);
};
const git = (...gitArgs) => execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' });

// The folders come from the packages that have a `generate` script, each named literally: a
// wildcard pathspec without git's glob magic matched no file at all, and the check passed forever.
const folders = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .filter((name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).scripts?.generate)
  .flatMap((name) => [`packages/${name}/src/generated`, `packages/${name}/src/generated-checks`]);
if (folders.length === 0) fail('no package has a generate script; nothing would be checked');
for (const folder of folders) {
  if (git('ls-files', '--', folder).trim() === '') fail(`${folder} holds no committed file; run \`pnpm generate\` and commit the result`);
}

// Regenerating replaces these folders: uncommitted edits there would be lost (or, in a folder the
// generator only adds to, reported as drift), so they are named and nothing is regenerated.
const status = () => git('status', '--porcelain', '--untracked-files=all', '--', ...folders).trimEnd();
const before = status();
if (before) {
  fail(`uncommitted changes in generated code; commit or discard them before checking:\n${before}`);
}

// --force: a turbo cache hit would restore the outputs rather than regenerate them.
const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'generate', '--force', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) fail(`\`turbo run generate\` failed (exit ${run.status ?? run.signal})`);

const changed = status();
if (changed) {
  console.error(`check-drift: regenerating changed committed code:\n${changed}`);
  console.error(git('diff', '--stat', '--', ...folders));
  console.error('Run `pnpm generate` and commit the result in a commit of its own.');
  process.exit(1);
}
console.log(`check-drift: generated clients match the specs (${folders.join(', ')})`);
