// check-drift.mjs against a temporary clone of this repository's HEAD, with the commits a careless
// change would make. The clone borrows this checkout's installed node_modules through symlinks
// (its root node_modules is a real folder so that the generator stages on the clone's own disk).
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'check-drift.mjs');
const root = resolve(dirname(script), '../..');
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const GENERATION_MS = 240_000;

let clone;

function makeClone() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-drift-'));
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
  return dir;
}

// The five generator JVMs run beside other packages' tests, some of which time loopback answers:
// at the lowest CPU priority, with the JIT and GC settings that suit short runs, they yield.
const nice = spawnSync('nice', ['-n', '0', 'true']).status === 0;
const env = { ...process.env, JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1' };

function check(timeout) {
  const command = [process.execPath, script, '--root', clone];
  if (nice) command.unshift('nice', '-n', '19');
  const run = spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout, env });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

/** The first committed file under `folder` whose name ends with `suffix`. */
function committed(folder, suffix) {
  const file = git(clone, 'ls-files', '--', folder).split('\n').find((f) => f.endsWith(suffix));
  if (!file) throw new Error(`no committed ${suffix} file under ${folder}`);
  return file;
}

function resetClone() {
  git(clone, 'reset', '--quiet', '--hard', git(root, 'rev-parse', 'HEAD').trim());
  git(clone, 'clean', '--quiet', '-fd', '--', 'packages');
}

beforeAll(() => {
  clone = makeClone();
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

describe('check-drift.mjs', () => {
  it('passes on a checkout whose generated code is what the specs produce', () => {
    const { status, output } = check(GENERATION_MS);
    expect(output).toContain('check-drift: generated clients match the specs');
    for (const vendor of ['smscx', 'smsworks', 'octopush', 'infobip']) {
      expect(output).toContain(`packages/${vendor}/src/generated,`);
      expect(output).toContain(`packages/${vendor}/src/generated-checks`);
    }
    expect(status).toBe(0);
  }, GENERATION_MS + 10_000);

  it('fails on committed drift, naming a changed, a deleted and an extra generated file, and a hand edit of the generated checks', () => {
    resetClone();
    const changed = committed('packages/smscx/src/generated/models', '.ts');
    const deleted = committed('packages/octopush/src/generated/apis', '.ts');
    const extra = 'packages/smsworks/src/generated/models/HandWritten.ts';
    // A limit loosened by hand in the checks, where no spec says so.
    const checks = committed('packages/infobip/src/generated-checks', 'index.ts');
    const source = readFileSync(join(clone, checks), 'utf8');
    expect(source).toContain('maxLength: 4000');
    writeFileSync(join(clone, checks), source.replace('maxLength: 4000', 'maxLength: 40000'));
    appendFileSync(join(clone, changed), '\nexport const edited = true;\n');
    unlinkSync(join(clone, deleted));
    writeFileSync(join(clone, extra), 'export const handWritten = true;\n');
    git(clone, 'add', '--all', '--', 'packages');
    git(clone, 'commit', '--quiet', '-m', 'edit generated code by hand');

    const { status, output } = check(GENERATION_MS);
    expect(output).toContain('regenerating changed committed code');
    for (const file of [changed, deleted, extra, checks]) expect(output).toContain(file);
    expect(status).toBe(1);
  }, GENERATION_MS + 10_000);

  it('refuses to regenerate over uncommitted changes in generated code, naming them and keeping them', () => {
    resetClone();
    const untracked = 'packages/infobip/src/generated/Untracked.ts';
    const modified = committed('packages/infobip/src/generated/models', '.ts');
    writeFileSync(join(clone, untracked), 'export const untracked = true;\n');
    appendFileSync(join(clone, modified), '\nexport const local = true;\n');

    const { status, output } = check(60_000);
    expect(output).toContain('uncommitted changes in generated code');
    expect(output).toContain(untracked);
    expect(output).toContain(modified);
    expect(status).toBe(1);
    // The infobip generator replaces its whole folder: the file survives only if nothing ran.
    expect(existsSync(join(clone, untracked))).toBe(true);
  }, 70_000);

  it("makes a new optional SMS.CX field with maxLength 64 one regenerated diff, drift until it is committed, then a limit checked before sending", async () => {
    resetClone();
    const spec = join(clone, 'specs/smscx.yaml');
    const text = readFileSync(spec, 'utf8');
    const schema = text.indexOf('\n    SendSmsRequest:\n');
    const properties = text.indexOf('\n      properties:\n', schema) + '\n      properties:\n'.length;
    expect(schema).toBeGreaterThan(0);
    const field = '        customerRef:\n          type: string\n          description: A reference of the caller\'s own.\n          maxLength: 64\n';
    writeFileSync(spec, text.slice(0, properties) + field + text.slice(properties));
    git(clone, 'commit', '--quiet', '--all', '-m', 'specs: SMS.CX customerRef');

    const stale = check(GENERATION_MS);
    expect(stale.output).toContain('regenerating changed committed code');
    expect(stale.status).toBe(1);
    // The regeneration it ran is the whole change: the model and one line of the checks.
    expect(git(clone, 'status', '--porcelain').trimEnd().split('\n').sort()).toEqual([' M packages/smscx/src/generated-checks/index.ts', ' M packages/smscx/src/generated/models/SendSmsRequest.ts']);
    const added = git(clone, 'diff', '-U0', '--', 'packages/smscx/src/generated-checks').split('\n').filter((line) => /^[+-] /.test(line));
    expect(added).toEqual(['+    customerRef: { type: "string", maxLength: 64 },']);
    git(clone, 'commit', '--quiet', '--all', '-m', 'smscx: regenerate');
    const fresh = check(GENERATION_MS);
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
  }, 2 * GENERATION_MS + 30_000);

  it('fails when a package with a generate script has no committed generated code', () => {
    resetClone();
    git(clone, 'rm', '-r', '--quiet', '--', 'packages/smsworks/src/generated');
    git(clone, 'commit', '--quiet', '-m', 'drop the generated client');

    const { status, output } = check(60_000);
    expect(output).toContain('packages/smsworks/src/generated holds no committed file');
    expect(status).toBe(1);
  }, 70_000);
});
