// `pnpm msgkit …` from a clone: runs the CLI as built in packages/cli, building it (and the packages
// it needs) first when it has not been built yet. Build output goes to stderr so stdout stays the CLI's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'packages/cli/dist/bin.mjs');
if (!existsSync(bin)) {
  process.stderr.write('msgkit is not built yet: building @msgkit/cli and its dependencies…\n');
  const build = spawnSync('pnpm', ['turbo', 'run', 'build', '--filter=@msgkit/cli...', '--output-logs=errors-only'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
process.argv.splice(1, 1, bin);
await import(pathToFileURL(bin).href);
