#!/usr/bin/env node
// Fails when a change under specs/ comes without a changeset naming the package it generates: a
// spec change is a change of that client's wire and checks, so its users must read about it.
//
// What is checked depends on what the checkout has:
// - on a branch (HEAD not on main): the whole branch, from its merge base with main, is one change;
// - on main, or a fresh clone of it as CI has: each change main received (each commit on its
//   first-parent line, a merged branch counting as one), from the newest release tag
//   (`@msgkit/<name>@<version>`, set by `changeset publish` on the "Version packages" commit, after
//   which the changesets are consumed) or from the change that added this check, whichever is newer.
// A change touching specs/ must add or edit a `.changeset/*.md` that names the package generated
// from each spec it touches (openapitools.json says which).
//
// `--root <dir>` checks another checkout; `--base <ref>` names main (default: main, else origin/main).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = 'tools/checks/spec-changeset.mjs';
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = resolve(option('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '../..'));
const git = (...gitArgs) => execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const tryGit = (...gitArgs) => {
  try {
    return git(...gitArgs).trim();
  } catch {
    return undefined;
  }
};
const fail = (message) => {
  console.error(`spec-changeset: ${message}`);
  process.exit(1);
};

/** `specs/<x>.yaml` -> the package generated from it, from openapitools.json. */
function specPackages() {
  const config = JSON.parse(readFileSync(join(root, 'openapitools.json'), 'utf8'))['generator-cli'].generators;
  const out = new Map();
  for (const entry of Object.values(config)) {
    const spec = entry.inputSpec.replace('#{cwd}/', '');
    const dir = entry.output.replace('#{cwd}/', '').split('/').slice(0, 2).join('/');
    const manifest = join(root, dir, 'package.json');
    if (existsSync(manifest)) out.set(spec, JSON.parse(readFileSync(manifest, 'utf8')).name);
  }
  return out;
}

/** The package names a changeset's front matter bumps. */
function bumped(text) {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';
  return [...front.matchAll(/^\s*["']?([^"':\s]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)].map((m) => m[1]);
}

const EMPTY_TREE = git('hash-object', '-t', 'tree', '/dev/null').trim();
const isChangeset = (file) => /^\.changeset\/[^/]+\.md$/.test(file) && file !== '.changeset/README.md';

/** One change: its name, the files it adds, changes or deletes, and where its changesets are read. */
function change(name, from, to) {
  const diff = git('diff', '--name-status', '--no-renames', from ?? EMPTY_TREE, to, '--');
  const files = diff
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  return { name, to, files };
}

function problems(unit, packages) {
  const specs = unit.files.filter(([, file]) => file.startsWith('specs/')).map(([, file]) => file);
  if (specs.length === 0) return [];
  const changesets = unit.files.filter(([status, file]) => status !== 'D' && isChangeset(file)).map(([, file]) => file);
  if (changesets.length === 0) return [`${unit.name} changes ${specs.join(', ')} but adds no .changeset/*.md (run \`pnpm changeset\`)`];
  const named = new Set(changesets.flatMap((file) => bumped(git('show', `${unit.to}:${file}`))));
  return specs
    .filter((spec) => packages.has(spec) && !named.has(packages.get(spec)))
    .map((spec) => `${unit.name} changes ${spec}, but none of its changesets (${changesets.join(', ')}) names ${packages.get(spec)}`);
}

if (!tryGit('rev-parse', '--verify', 'HEAD')) fail(`${root} has no commit to check`);
const head = git('rev-parse', 'HEAD').trim();
const baseRef = option('--base') ?? ['main', 'origin/main'].find((ref) => tryGit('rev-parse', '--verify', '--quiet', `${ref}^{commit}`));
const mergeBase = baseRef ? tryGit('merge-base', 'HEAD', baseRef) : undefined;
const packages = specPackages();

let units;
let scope;
if (mergeBase && mergeBase !== head) {
  units = [change(`this branch (${baseRef}..HEAD)`, mergeBase, head)];
  scope = `since ${baseRef} (${mergeBase.slice(0, 10)})`;
} else {
  units = [];
  scope = 'since the first commit';
  const shallow = tryGit('rev-parse', '--is-shallow-repository') === 'true';
  const tags = new Map();
  for (const line of git('tag', '--list', '@msgkit/*@*', '--format=%(objectname) %(*objectname)').split('\n').filter(Boolean)) {
    const [object, peeled] = line.split(' ');
    tags.set(peeled || object, true);
  }
  for (const sha of git('rev-list', '--first-parent', 'HEAD').split('\n').filter(Boolean)) {
    if (tags.has(sha)) {
      scope = `since the release tagged on ${sha.slice(0, 10)}`;
      break;
    }
    const parent = tryGit('rev-parse', '--verify', '--quiet', `${sha}^1`);
    // A shallow clone's oldest commit has a parent it does not hold: diffed against nothing, every
    // spec would look new. The history ends there; with none at all, nothing could be judged.
    if (parent === undefined && shallow) {
      if (units.length === 0) fail(`this shallow clone holds no parent of HEAD, so no change can be read; fetch more history (git fetch --deepen=50)`);
      scope += `, back to ${sha.slice(0, 10)}, as far as this shallow clone reaches`;
      break;
    }
    const unit = change(`${sha.slice(0, 10)} (${git('log', '-1', '--format=%s', sha).trim().slice(0, 72)})`, parent, sha);
    units.push(unit);
    if (unit.files.some(([status, file]) => status === 'A' && file === SELF)) {
      scope = `since this check was added (${sha.slice(0, 10)})`;
      break;
    }
  }
}

const found = units.flatMap((unit) => problems(unit, packages));
if (found.length > 0) fail(`a spec change needs a changeset naming the package it generates:\n${found.map((p) => `  - ${p}`).join('\n')}`);
const touching = units.filter((unit) => unit.files.some(([, file]) => file.startsWith('specs/'))).length;
console.log(`spec-changeset: ${touching} change(s) to specs/ ${scope}, each with a changeset for its package (${relative(process.cwd(), root) || '.'})`);
