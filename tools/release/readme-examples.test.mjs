// The TypeScript examples of the READMEs compile against the built packages and run: each package's
// README (what npm shows) and the root README's client sections. Each runs as written in its own
// process with the credentials it reads from the environment; a preload sends the vendors' default
// hosts to the sandbox instead and refuses any other host, so nothing leaves the machine.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChildren } from '../test-child.mjs';
import { root, runAsync } from './release-flow.mjs';

const packageReadmes = ['core', 'smscx', 'smsworks', 'octopush', 'infobip', 'sandbox'].map((name) => `packages/${name}/README.md`);
// The root README's sections whose examples are checked here.
const rootSections = ['Using a client', 'One example per provider', 'Campaign senders and failover'];
const dir = join(root, 'tools/release/.readme-examples');

/** ```ts blocks of a markdown text, optionally only those under the given `## ` headings. */
function tsBlocks(markdown, sections) {
  const blocks = [];
  let heading = '';
  for (const part of markdown.split(/^(## .*)$/m)) {
    if (part.startsWith('## ')) heading = part.slice(3).trim();
    else if (!sections || sections.includes(heading)) {
      for (const match of part.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) blocks.push({ heading, code: match[1] });
    }
  }
  return blocks;
}

const examples = [
  ...packageReadmes.flatMap((file) => tsBlocks(readFileSync(join(root, file), 'utf8')).map((block, i) => ({ ...block, file, name: `${file.split('/')[1]}-${i}` }))),
  ...tsBlocks(readFileSync(join(root, 'README.md'), 'utf8'), rootSections).map((block, i) => ({ ...block, file: 'README.md', name: `root-${i}` })),
];
const vendorOf = (code) => ['smscx', 'smsworks', 'octopush', 'infobip'].find((vendor) => code.includes(`from '@msgkit/${vendor}'`));

const preload = `
const redirects = JSON.parse(process.env.README_REDIRECTS);
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const from = Object.keys(redirects).find((prefix) => url.startsWith(prefix));
  // Like a DNS entry, not a proxy: the answer reads as coming from the URL asked for, so the clients'
  // check that no redirect was followed (response.url) sees what it would see from the vendor.
  if (from) {
    return realFetch(redirects[from] + url.slice(from.length), init).then(
      (res) => new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers }),
    );
  }
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('readme example tried to reach ' + url);
  return realFetch(input, init);
};
`;

let sandbox;

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'preload.mjs'), preload);
  for (const example of examples) {
    writeFileSync(join(dir, `${example.name}.mts`), example.code);
    writeFileSync(join(dir, `${example.name}.mjs`), ts.transpileModule(example.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  }
  sandbox = await startSandbox({ port: 0 });
});

afterAll(async () => {
  stopChildren();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the README examples', () => {
  it('are found: one per package README, and one per provider in the root README', () => {
    for (const file of packageReadmes) expect(examples.filter((example) => example.file === file).length, file).toBeGreaterThan(0);
    const rootVendors = examples.filter((example) => example.file === 'README.md').map((example) => vendorOf(example.code));
    expect(new Set(rootVendors)).toEqual(new Set(['smscx', 'smsworks', 'octopush', 'infobip']));
  });

  // exactOptionalPropertyTypes as well as strict: an app compiled with it must take the examples
  // as written (`apiKey: process.env.SMSCX_API_KEY` is `string | undefined`).
  it('type-check against the built packages, strict and with exactOptionalPropertyTypes', () => {
    const program = ts.createProgram(
      examples.map((example) => join(dir, `${example.name}.mts`)),
      { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], skipLibCheck: true },
    );
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file ? `${diagnostic.file.fileName.split('/').pop()}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });

  it.each(examples.map((example) => [`${example.file} #${example.name}`, example]))('%s runs against the sandbox', async (_, example) => {
    const vendor = vendorOf(example.code);
    const before = vendor ? sandbox.received(vendor).length : 0;
    const env = {
      SMSCX_API_KEY: 'readme-smscx-key',
      SMSWORKS_TOKEN: 'readme-smsworks-jwt',
      OCTOPUSH_API_LOGIN: 'readme@example.com',
      OCTOPUSH_API_KEY: 'readme-octopush-key',
      INFOBIP_API_KEY: 'readme-infobip-key',
      INFOBIP_BASE_URL: sandbox.baseUrls.infobip,
      README_REDIRECTS: JSON.stringify({
        'https://api.sms.cx': sandbox.baseUrls.smscx,
        'https://api.thesmsworks.co.uk/v1': sandbox.baseUrls.smsworks,
        'https://api.octopush.com/v1/public': sandbox.baseUrls.octopush,
      }),
    };
    const out = await runAsync(process.execPath, ['--import', join(dir, 'preload.mjs'), join(dir, `${example.name}.mjs`)], { cwd: dir, env });
    expect(out).not.toMatch(/ValidationError|issues/);
    if (example.code.includes("from '@msgkit/sandbox'")) expect(out).toMatch(/^\d+$/m); // starts its own, prints the count it received
    else if (vendor) expect(sandbox.received(vendor).length).toBeGreaterThan(before);
  });
});
