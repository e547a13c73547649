// Placeholder main job until the sandbox demo lands: lists the operations each generated client
// exposes, read from the generated API classes.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
for (const provider of ['smscx', 'smsworks', 'octopush', 'infobip']) {
  const apis = join(root, 'packages', provider, 'src', 'generated', 'apis');
  for (const file of readdirSync(apis).filter((f) => f.endsWith('Api.ts'))) {
    const source = readFileSync(join(apis, file), 'utf8');
    const operations = [...source.matchAll(/^ {4}async (\w+)\(/gm)].map((m) => m[1]).filter((name) => !name.endsWith('Raw'));
    console.log(`@msgkit/${provider} ${file.replace('.ts', '')}: ${operations.join(', ')}`);
  }
}
