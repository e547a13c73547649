// Puts the generator jar where @openapitools/openapi-generator-cli looks for it
// (`storageDir/<version>.jar` from openapitools.json), so generation never downloads anything.
// The jar comes from the npm registry inside @openapitools/openapi-generator-cli@1.0.18-5.0.0-beta2
// (installed under the alias `openapi-generator-jar`); Maven Central is not reachable here.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const config = JSON.parse(readFileSync(join(root, 'openapitools.json'), 'utf8'))['generator-cli'];
const require = createRequire(join(root, 'package.json'));

let source;
try {
  source = join(dirname(require.resolve('openapi-generator-jar/package.json')), 'bin', 'openapi-generator.jar');
} catch {
  console.error('install-jar: the `openapi-generator-jar` dev dependency is not installed; run `pnpm install`.');
  process.exit(1);
}
const target = resolve(root, config.storageDir, `${config.version}.jar`);
if (!existsSync(target) || statSync(target).size !== statSync(source).size) {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}
