// check-drift.mjs against temporary clones of this repository's HEAD, with the commits a careless
// change would make. Each test has a clone of its own, so a test that fails or is stopped midway
// leaves nothing behind for the next: its regeneration is killed with its whole process group when
// it ends (tools/test-child.mjs), and its clone is deleted. A clone borrows this checkout's
// installed node_modules through symlinks (its root node_modules is a real folder so that the
// generator stages on the clone's own disk).
//
// `pnpm check:drift` regenerates all four clients of the real tree in every `pnpm test`; these
// tests prove the check passes and fails on purpose, on a clone that keeps only the SMS.CX
// generator, so they add one generator run each, not four.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runChild, stopChildren } from '../test-child.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'check-drift.mjs');
const root = resolve(dirname(script), '../..');
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const VENDORS = ['smscx', 'smsworks', 'octopush', 'infobip'];
// A regeneration ends by itself or is killed by runChild's watchdog when it stops making progress;
// this only ends a test whose own code hangs, far above a regeneration on a loaded machine.
const REGENERATING_TEST_MS = 3_600_000;
const clones = [];

/** A clone of HEAD in which only `kept` of the four vendor packages still has a generate script. */
function makeClone(kept = VENDORS) {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-drift-'));
  clones.push(dir);
  git(root, 'clone', '--quiet', '--shared', '--no-checkout', root, dir);
  git(dir, 'checkout', '--quiet', '--detach', git(root, 'rev-parse', 'HEAD').trim());
  git(dir, 'config', 'user.name', 'drift test');
  git(dir, 'config', 'user.email', 'drift-test@localhost');
  // `.gitignore` says `node_modules/`, which does not match a symlink.
  appendFileSync(join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(root, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  for (const group of ['packages', 'tools']) {
    for (const name of readdirSync(join(dir, group))) {
      const installed = join(root, group, name, 'node_modules');
      if (existsSync(installed)) symlinkSync(installed, join(dir, group, name, 'node_modules'));
    }
  }
  const dropped = VENDORS.filter((vendor) => !kept.includes(vendor));
  for (const vendor of dropped) {
    const file = join(dir, 'packages', vendor, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    delete manifest.scripts.generate;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  if (dropped.length > 0) commit(dir, `only ${kept.join(', ')} generated`);
  return dir;
}

function commit(dir, message) {
  git(dir, 'add', '--all', '--', 'packages');
  git(dir, 'commit', '--quiet', '-m', message);
}

// Short runs: the JIT and GC settings that suit them.
const env = { ...process.env, JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1' };
const check = (clone) => runChild(process.execPath, [script, '--root', clone], { env });

/** The first committed file under `folder` whose name ends with `suffix`. */
function committed(clone, folder, suffix) {
  const file = git(clone, 'ls-files', '--', folder).split('\n').find((f) => f.endsWith(suffix));
  if (!file) throw new Error(`no committed ${suffix} file under ${folder}`);
  return file;
}

afterEach(() => {
  stopChildren();
  for (const dir of clones.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-drift.mjs', () => {
  it('passes on a checkout whose generated code is what the specs produce, and writes nothing into it', async () => {
    const clone = makeClone(['smscx']);
    const folder = join(clone, 'packages/smscx/src/generated');
    const identity = (path) => `${statSync(path).ino}/${statSync(path).mtimeMs}`;
    const before = [identity(folder), identity(join(folder, 'index.ts'))];
    const { status, output } = await check(clone);
    expect(output).toContain('check-drift: generated clients match the specs (packages/smscx/src/generated, packages/smscx/src/generated-checks)');
    expect(status).toBe(0);
    // pnpm test runs the check beside the builds that read these files.
    expect([identity(folder), identity(join(folder, 'index.ts'))]).toEqual(before);
  }, REGENERATING_TEST_MS);

  it('fails naming the generator when a spec cannot be generated', async () => {
    const clone = makeClone(['smscx']);
    writeFileSync(join(clone, 'specs', 'smscx.yaml'), 'openapi: 3.0.3\ninfo: [unclosed\n');
    git(clone, 'commit', '--quiet', '--all', '-m', 'break the spec');
    const { status, output } = await check(clone);
    expect(output).toContain('regenerating failed');
    expect(output).toContain('smscx.yaml does not parse as YAML');
    expect(status).toBe(1);
  });

  it('fails on committed drift, naming a changed, a deleted and an extra generated file, and a hand edit of the generated checks', async () => {
    const clone = makeClone(['smscx']);
    const changed = committed(clone, 'packages/smscx/src/generated/models', '.ts');
    const deleted = committed(clone, 'packages/smscx/src/generated/apis', '.ts');
    const extra = 'packages/smscx/src/generated/models/HandWritten.ts';
    // A limit loosened by hand in the checks, where no spec says so.
    const checks = committed(clone, 'packages/smscx/src/generated-checks', 'index.ts');
    const source = readFileSync(join(clone, checks), 'utf8');
    expect(source).toContain('maxLength: 36');
    writeFileSync(join(clone, checks), source.replace('maxLength: 36', 'maxLength: 360'));
    appendFileSync(join(clone, changed), '\nexport const edited = true;\n');
    unlinkSync(join(clone, deleted));
    writeFileSync(join(clone, extra), 'export const handWritten = true;\n');
    commit(clone, 'edit generated code by hand');

    const { status, output } = await check(clone);
    expect(output).toContain('regenerating changed committed code');
    for (const file of [changed, deleted, extra, checks]) expect(output).toContain(file);
    expect(status).toBe(1);
  }, REGENERATING_TEST_MS);

  it('refuses to regenerate over uncommitted changes in generated code, naming them and keeping them', async () => {
    const clone = makeClone();
    const untracked = 'packages/infobip/src/generated/Untracked.ts';
    const modified = committed(clone, 'packages/infobip/src/generated/models', '.ts');
    writeFileSync(join(clone, untracked), 'export const untracked = true;\n');
    appendFileSync(join(clone, modified), '\nexport const local = true;\n');

    const { status, output } = await check(clone);
    expect(output).toContain('uncommitted changes in generated code');
    expect(output).toContain(untracked);
    expect(output).toContain(modified);
    expect(status).toBe(1);
    // The infobip generator replaces its whole folder: the file survives only if nothing ran.
    expect(existsSync(join(clone, untracked))).toBe(true);
  });

  it("makes a new optional SMS.CX field with maxLength 64 one regenerated diff, drift until it is committed, then a limit checked before sending", async () => {
    const clone = makeClone(['smscx']);
    const spec = join(clone, 'specs/smscx.yaml');
    const text = readFileSync(spec, 'utf8');
    const schema = text.indexOf('\n    SendSmsRequest:\n');
    const properties = text.indexOf('\n      properties:\n', schema) + '\n      properties:\n'.length;
    expect(schema).toBeGreaterThan(0);
    const field = '        customerRef:\n          type: string\n          description: A reference of the caller\'s own.\n          maxLength: 64\n';
    writeFileSync(spec, text.slice(0, properties) + field + text.slice(properties));
    git(clone, 'commit', '--quiet', '--all', '-m', 'specs: SMS.CX customerRef');

    const stale = await check(clone);
    expect(stale.output).toContain('regenerating changed committed code');
    expect(stale.output).toContain('packages/smscx/src/generated-checks/index.ts (differs)');
    expect(stale.output).toContain('packages/smscx/src/generated/models/SendSmsRequest.ts (differs)');
    expect(stale.status).toBe(1);
    // `pnpm generate` then makes the whole change: the model and one line of the checks.
    const generated = await runChild(process.execPath, [join(clone, 'tools/generate/generate.mjs'), 'smscx'], { cwd: clone, env });
    expect(generated.status, generated.output).toBe(0);
    expect(git(clone, 'status', '--porcelain').trimEnd().split('\n').sort()).toEqual([' M packages/smscx/src/generated-checks/index.ts', ' M packages/smscx/src/generated/models/SendSmsRequest.ts']);
    const added = git(clone, 'diff', '-U0', '--', 'packages/smscx/src/generated-checks').split('\n').filter((line) => /^[+-] /.test(line));
    expect(added).toEqual(['+    customerRef: { type: "string", maxLength: 64 },']);
    git(clone, 'commit', '--quiet', '--all', '-m', 'smscx: regenerate');
    const fresh = await check(clone);
    expect(fresh.output).toContain('check-drift: generated clients match the specs');
    expect(fresh.status).toBe(0);

    // The clone's client, as committed: the limit is refused before a request leaves.
    const bodies = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(body));
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":1001,"message":"Unauthorized"}}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { SmscxClient } = await import(pathToFileURL(join(clone, 'packages/smscx/src/client.ts')).href);
      const client = new SmscxClient({ apiKey: 'k-123456', baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0, onNote: () => {} });
      const send = (customerRef) => client.sms.send({ to: ['+447400123456'], from: 'InfoText', text: 'hello', customerRef });
      const refused = await send('r'.repeat(65)).catch((error) => error);
      expect(refused.name).toBe('ValidationError');
      expect(refused.issues.map((issue) => [issue.path, issue.code])).toEqual([[['customerRef'], 'text_too_long']]);
      expect(bodies).toEqual([]);
      // At the limit it goes out, under the field's wire name.
      await send('r'.repeat(64)).catch(() => {});
      expect(bodies.map((body) => body.customerRef)).toEqual(['r'.repeat(64)]);
    } finally {
      server.close();
    }
  }, REGENERATING_TEST_MS);

  it('fails when a package with a generate script has no committed generated code', async () => {
    const clone = makeClone();
    git(clone, 'rm', '-r', '--quiet', '--', 'packages/smsworks/src/generated');
    git(clone, 'commit', '--quiet', '-m', 'drop the generated client');

    const { status, output } = await check(clone);
    expect(output).toContain('packages/smsworks/src/generated holds no committed file');
    expect(status).toBe(1);
  });
});
