// The release as a maintainer runs it, against a real registry: a clone of HEAD gets a changeset,
// `changeset version` and a "Version packages" commit, every package is built and published by
// `changeset publish` to a throwaway Verdaccio on 127.0.0.1, and then an empty app installs
// @msgkit/smscx from it (third-party packages from the npm registry) and sends an SMS to the sandbox
// through it, with both import and require. The registry and the sandbox are stopped at the end.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChildren } from '../test-child.mjs';
import { gitIdentity, publishedPackages, registryToken, root, run, runAsync, startRegistry, turboCacheDir, writeScopedNpmrc } from './release-flow.mjs';

const published = publishedPackages;
const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

let work = '';
let clone = '';
let app = '';
let registry;
let sandbox;
let before = {};
let after = {};
let publishOutput = '';
let installOutput = '';
let cliApp = '';
let cliInstallOutput = '';
let bothApp = '';
const bundledLibrary = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).devDependencies['libphonenumber-js'];

/** An empty project whose @msgkit scope comes from the throwaway registry and the rest from npm's. */
function emptyApp(name) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  writeScopedNpmrc(join(dir, '.npmrc'), registry.url);
  return dir;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'msgkit-release-'));
  clone = join(work, 'clone');
  const head = run('git', ['rev-parse', 'HEAD'], { cwd: root }).trim();
  run('git', ['clone', '--quiet', '--no-checkout', root, clone], { cwd: work });
  run('git', ['checkout', '--quiet', '-B', 'release-test', head], { cwd: clone });
  for (const name of published) before[name] = versionOf(join(clone, 'packages', name));

  // The store is filled by the install of the checkout this test runs in.
  await runAsync('pnpm', ['install', '--frozen-lockfile', '--offline', '--reporter=silent'], { cwd: clone, env: { CI: 'true' } });
  writeFileSync(join(clone, '.changeset', 'release-test.md'), "---\n'@msgkit/smscx': patch\n---\n\nA change made by the release test.\n");
  run('pnpm', ['exec', 'changeset', 'version'], { cwd: clone });
  run('git', ['add', '-A'], { cwd: clone });
  run('git', ['commit', '--quiet', '-m', 'Version packages'], { cwd: clone, env: gitIdentity });
  for (const name of published) after[name] = versionOf(join(clone, 'packages', name));

  // Built after versioning (the CLI prints its version from package.json). Packages whose inputs
  // match the checkout's come from its turbo cache, read only.
  const cacheDir = turboCacheDir();
  const cache = cacheDir ? [`--cache-dir=${cacheDir}`, '--cache=local:r'] : [];
  await runAsync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only', ...cache], { cwd: clone });

  registry = await startRegistry(join(work, 'registry'));
  const npmrc = join(work, 'publisher.npmrc');
  writeScopedNpmrc(npmrc, registry.url, await registryToken(registry.url));
  // Every registry setting points at the throwaway registry, and the user config is a temporary file:
  // no token of the machine's own npm login can reach this publish.
  const toRegistry = { npm_config_userconfig: npmrc, npm_config_registry: registry.url, 'npm_config_@msgkit:registry': registry.url };
  publishOutput = await runAsync('pnpm', ['exec', 'changeset', 'publish'], { cwd: clone, env: { ...gitIdentity, ...toRegistry } });

  app = emptyApp('app');
  installOutput = await runAsync('npm', ['install', '--no-audit', '--no-fund', '@msgkit/smscx'], { cwd: app, all: true });
  cliApp = emptyApp('cli-app');
  cliInstallOutput = await runAsync('npm', ['install', '--no-audit', '--no-fund', '@msgkit/cli'], { cwd: cliApp, all: true });
  // An app that also uses libphonenumber-js itself, at the very version core bundles.
  bothApp = emptyApp('both-app');
  await runAsync('npm', ['install', '--no-audit', '--no-fund', '@msgkit/core', `libphonenumber-js@${bundledLibrary}`], { cwd: bothApp });

  sandbox = await startSandbox({ port: 0 });
  // Every child above ends by itself or is ended by runAsync's watchdog once it stops making
  // progress; this only ends a hang of the hook's own code, far above the slowest loaded machine.
}, 3_600_000);

afterAll(async () => {
  stopChildren();
  await Promise.allSettled([sandbox?.close(), registry?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const send = async (file, source) => {
  writeFileSync(join(app, file), source);
  return (await runAsync(process.execPath, [file], { cwd: app, env: { SANDBOX_SMSCX: sandbox.baseUrls.smscx } })).trim();
};
const sendSource = (load) => `${load}
const client = new SmscxClient({ apiKey: 'release-test', baseUrl: process.env.SANDBOX_SMSCX });
client.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Sent through the published package' }).then(
  (sent) => console.log(JSON.stringify({ campaignId: sent.info.campaignId, isValidationError: typeof ValidationError })),
  (error) => { console.error(error); process.exitCode = 1; },
);
`;

describe('a release published to a real registry', () => {
  it('bumps the changed package by its changeset and writes its changelog', () => {
    expect(after.smscx).not.toBe(before.smscx);
    expect(readFileSync(join(clone, 'packages/smscx/CHANGELOG.md'), 'utf8')).toContain('A change made by the release test.');
  });

  it('publishes every package, at the version its package.json carries', async () => {
    for (const name of published) {
      const response = await fetch(new URL(`@msgkit%2f${name}`, registry.url));
      expect(response.status, `${name}: ${publishOutput}`).toBe(200);
      const document = await response.json();
      expect(document['dist-tags'].latest, name).toBe(after[name]);
    }
  });

  it("tags the version commit with each published package's version", () => {
    const tags = run('git', ['tag', '--points-at', 'HEAD'], { cwd: clone }).trim().split('\n').sort();
    expect(tags).toEqual(published.map((name) => `@msgkit/${name}@${after[name]}`).sort());
    expect(run('git', ['log', '-1', '--format=%s'], { cwd: clone }).trim()).toBe('Version packages');
  });

  it('installs into an empty app only @msgkit/core and @msgkit/smscx of ours, at the published versions', () => {
    expect(readdirSync(join(app, 'node_modules', '@msgkit')).sort()).toEqual(['core', 'smscx']);
    expect(versionOf(join(app, 'node_modules/@msgkit/smscx'))).toBe(after.smscx);
    expect(versionOf(join(app, 'node_modules/@msgkit/core'))).toBe(after.core);
    for (const dependency of ['zod', 'uuid']) expect(readdirSync(join(app, 'node_modules'))).toContain(dependency);
    // Core carries its own copy inside dist.
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('libphonenumber-js');
    expect(readdirSync(join(app, 'node_modules/@msgkit/core/dist'))).toEqual(expect.arrayContaining(['libphonenumber-js.LICENSE', 'libphonenumber-js.LICENSE.Apache']));
    expect(installOutput).not.toMatch(/EBADENGINE|npm warn/i);
  });

  it('sends to the sandbox through the installed package loaded with import', async () => {
    const received = sandbox.received('smscx').length;
    const out = JSON.parse(await send('esm.mjs', sendSource("import { SmscxClient, ValidationError } from '@msgkit/smscx';")));
    expect(out.isValidationError).toBe('function');
    expect(typeof out.campaignId).toBe('string');
    expect(sandbox.received('smscx').length).toBe(received + 1);
  });

  it('sends to the sandbox through the installed package loaded with require', async () => {
    const received = sandbox.received('smscx').length;
    const out = JSON.parse(await send('cjs.cjs', sendSource("const { SmscxClient, ValidationError } = require('@msgkit/smscx');")));
    expect(out.isValidationError).toBe('function');
    expect(typeof out.campaignId).toBe('string');
    expect(sandbox.received('smscx').length).toBe(received + 1);
  });

  it('leaves an app’s own libphonenumber-js as published beside @msgkit/core: it still builds a RegExp per parse, msgkit none, same numbers', async () => {
    writeFileSync(
      join(bothApp, 'both.mjs'),
      `import { normalizeRecipients } from '@msgkit/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { createRequire } from 'node:module';
const version = createRequire(import.meta.url)('libphonenumber-js/package.json').version;
const numbers = Array.from({ length: 100 }, (_, i) => '07400 ' + (100000 + i * 7));
const built = (run) => {
  const original = globalThis.RegExp;
  let count = 0;
  globalThis.RegExp = new Proxy(original, { construct: (target, args, newTarget) => (count++, Reflect.construct(target, args, newTarget)) });
  try { run(); } finally { globalThis.RegExp = original; }
  return count;
};
normalizeRecipients(numbers.map((n) => n.replace('07400', '07401')), { defaultCountry: 'GB' });
let ours;
const msgkitBuilt = built(() => (ours = normalizeRecipients(numbers, { defaultCountry: 'GB' }).valid));
let own;
const ownBuilt = built(() => (own = numbers.map((n) => parsePhoneNumberFromString(n, 'GB')?.number)));
console.log(JSON.stringify({ version, msgkitBuilt, ownBuilt, same: JSON.stringify(own) === JSON.stringify(ours) }));
`,
    );
    const out = JSON.parse((await runAsync(process.execPath, ['both.mjs'], { cwd: bothApp })).trim());
    expect(out).toMatchObject({ version: bundledLibrary, msgkitBuilt: 0, same: true });
    expect(out.ownBuilt).toBeGreaterThanOrEqual(100);
  });

  it('installs the CLI on Node 20 without an engine warning, and its bin runs', () => {
    expect(cliInstallOutput).not.toMatch(/EBADENGINE/);
    expect(run(join(cliApp, 'node_modules/.bin/msgkit'), ['--version'], { cwd: cliApp }).trim()).toBe(after.cli);
  });
});
