#!/usr/bin/env node
// A throwaway npm registry (Verdaccio) on 127.0.0.1 for the release test: `node registry.mjs <dir>`
// keeps its storage and users under <dir>, listens on a free port and prints one JSON line
// `{"url": "http://127.0.0.1:<port>/"}` once it accepts requests. It has no uplink: it serves only
// what is published to it, so an app that must also get third-party packages points only the
// @msgkit scope at it. SIGTERM or SIGINT stops it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runServer } from 'verdaccio';

const dir = resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
  console.error('usage: node registry.mjs <storage dir>');
  process.exit(2);
}
mkdirSync(join(dir, 'storage'), { recursive: true });
const configPath = join(dir, 'config.yaml');
// JSON is YAML, so the config can be written without a YAML library.
writeFileSync(
  configPath,
  JSON.stringify({
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: {
      '@msgkit/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all' },
    },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  }),
);

const server = await runServer(configPath);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
