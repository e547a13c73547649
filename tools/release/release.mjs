#!/usr/bin/env node
// `pnpm release`: publishes the versions that `pnpm changeset version` wrote and the maintainer
// committed. It refuses to start from a tree that differs from HEAD (what gets published and tagged
// must be exactly a commit) or with changesets not yet turned into versions, runs every test, then
// `changeset publish`, which publishes each package whose version is not on the registry yet and
// tags HEAD with `<name>@<version>` for each. Arguments go on to `changeset publish` (e.g. --otp).
// MSGKIT_RELEASE_DRY_RUN=1 prints the commands instead of running them.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const cwd = process.cwd();
const dryRun = process.env.MSGKIT_RELEASE_DRY_RUN === '1';

function refuse(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

let status;
try {
  status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd, encoding: 'utf8' });
} catch {
  refuse('not inside a git checkout');
}
if (status.trim() !== '') {
  refuse(`the working tree has changes; commit or stash them first, so what is published is a commit:\n${status.trimEnd()}`);
}

const pending = readdirSync(join(cwd, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
if (pending.length > 0) {
  refuse(`changesets not yet applied (${pending.join(', ')}): run \`pnpm changeset version\` and commit "Version packages" first`);
}

const steps = [
  ['pnpm', ['test']],
  ['pnpm', ['exec', 'changeset', 'publish', ...process.argv.slice(2)]],
];
for (const [command, args] of steps) {
  console.log(`release: ${command} ${args.join(' ')}`);
  if (dryRun) continue;
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) refuse(`\`${command} ${args.join(' ')}\` failed; nothing more was done`);
}
if (!dryRun) console.log('release: done; push the version commit and its tags with `git push --follow-tags`');
