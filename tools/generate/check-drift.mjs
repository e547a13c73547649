#!/usr/bin/env node
// Fails when regenerating the clients would change anything that is committed: generated code (each
// provider's src/generated, the client, and src/generated-checks, the request checks) is only ever
// changed by `pnpm generate`, and the committed output must be what the specs produce.
//
// The clients are regenerated into a temporary folder, with the generators, specs and templates of
// openapitools.json, and compared file by file with the committed ones; the checkout is never
// written, so `pnpm test` runs this beside the builds and tests that read the committed clients.
//
// `--root <dir>` checks another checkout of the repository (the tests use a temporary clone).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

// The check is about committed code: uncommitted edits in a generated folder would be compared in
// its place, so they are named and nothing is regenerated.
const before = git('status', '--porcelain', '--untracked-files=all', '--', ...folders).trimEnd();
if (before) fail(`uncommitted changes in generated code; commit or discard them before checking:\n${before}`);

// Each folder's generator entry, with paths made absolute so that the entry can write elsewhere.
const configFile = join(root, 'openapitools.json');
const cli = JSON.parse(readFileSync(configFile, 'utf8'))['generator-cli'];
const fromRoot = (path) => resolve(root, path.replace('#{cwd}', '.'));
// generate.mjs writes the request checks beside the client, in the output's sibling generated-checks.
const entries = folders
  .filter((folder) => folder.endsWith('/generated'))
  .map((folder) => {
    const key = Object.keys(cli.generators ?? {}).find((candidate) => fromRoot(cli.generators[candidate].output) === join(root, folder));
    if (!key) fail(`no generator in openapitools.json writes ${folder}`);
    return { folder, key };
  });

// Beside the checkout (generate.mjs stages there too), so that its final rename stays on one disk.
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
const scratch = mkdtempSync(join(root, 'node_modules', '.cache', 'msgkit-drift-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
const generators = {};
for (const { key } of entries) {
  const entry = cli.generators[key];
  generators[key] = { ...entry, inputSpec: fromRoot(entry.inputSpec), templateDir: fromRoot(entry.templateDir), output: `#{cwd}/out/${key}/generated` };
}
writeFileSync(join(scratch, 'openapitools.json'), JSON.stringify({ 'generator-cli': { ...cli, generators } }));

/** Runs the generator for `key` into the scratch folder; resolves with its exit code and output. */
function generate(key) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'tools', 'generate', 'generate.mjs'), key, '--openapitools', join(scratch, 'openapitools.json')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('close', (status, signal) => done({ key, status: status ?? signal, output }));
  });
}

/** Every file under `dir`, as paths relative to it. */
function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).filter((path) => statSync(join(dir, path)).isFile());
}

mkdirSync(join(scratch, 'out'));
const runs = await Promise.all(entries.map(({ key }) => generate(key)));
const broken = runs.filter((run) => run.status !== 0);
if (broken.length > 0) fail(`regenerating failed:\n${broken.map((run) => `${run.key} (exit ${run.status}):\n${run.output.trim()}`).join('\n')}`);

const changed = [];
const compared = entries.flatMap(({ folder, key }) => [
  { folder, fresh: join(scratch, 'out', key, 'generated') },
  { folder: `${dirname(folder)}/generated-checks`, fresh: join(scratch, 'out', key, 'generated-checks') },
]);
for (const { folder, fresh } of compared) {
  const committed = join(root, folder);
  const freshFiles = new Set(files(fresh));
  for (const file of freshFiles) {
    if (!existsSync(join(committed, file))) changed.push([`${folder}/${file}`, 'missing: the generator writes it']);
    else if (!readFileSync(join(committed, file)).equals(readFileSync(join(fresh, file)))) changed.push([`${folder}/${file}`, 'differs']);
  }
  for (const file of files(committed)) if (!freshFiles.has(file)) changed.push([`${folder}/${file}`, 'extra: the generator does not write it']);
}
if (changed.length > 0) {
  const lines = changed.sort(([a], [b]) => a.localeCompare(b)).map(([path, what]) => `  ${path} (${what})`);
  console.error(`check-drift: regenerating changed committed code:\n${lines.join('\n')}`);
  console.error('Run `pnpm generate` and commit the result in a commit of its own.');
  process.exit(1);
}
console.log(`check-drift: generated clients match the specs (${folders.join(', ')})`);
