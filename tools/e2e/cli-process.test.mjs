// The msgkit command run as a real process (its published bin) against the sandbox.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);
const env = { PATH: process.env.PATH, SMSCX_API_KEY: 'e2e-key' };
const msgkit = (args, extraEnv = {}) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: HANG_LIMIT_MS });

let sandbox;
let dir;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-'));
  // `msgkit sandbox` in the foreground, as a user runs it; we read its address from stdout. A
  // sandbox that neither listens nor exits is a hang, ended by the hook's limit.
  sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  sandbox.url = await new Promise((resolve, reject) => {
    let out = '';
    sandbox.once('exit', (code, signal) => reject(new Error(`sandbox exited (${code ?? signal}) before it listened: ${out}`)));
    sandbox.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (sandbox && sandbox.exitCode === null) sandbox.kill('SIGTERM');
});

describe('msgkit as a process', () => {
  it('counts segments', () => {
    const run = msgkit(['segments', '--json', 'Hello {world}']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ encoding: 'GSM-7', units: 15, segments: 1 });
  });

  it('sends a recipients file to the sandbox and every recipient arrives once', async () => {
    const file = join(dir, 'list.csv');
    const numbers = Array.from({ length: 3000 }, (_, i) => `+44 7400 ${String(200000 + i)}`);
    writeFileSync(file, `phone\n${numbers.join('\n')}\n${numbers[0]}\n`);
    const run = msgkit(['send', '--provider', 'smscx', '--from', 'Shop', '--to-file', file, '--text', 'Hello from the CLI', '--base-url', `${sandbox.url}/smscx`, '--batch-size', '1000']);
    expect(run.stderr).toContain('3/3 batches');
    expect(run.stdout).toContain('3000 recipients: 3000 sent, 0 failed; 0 inputs invalid, 1 duplicates merged');
    expect(run.status).toBe(0);
    const messages = await (await fetch(`${sandbox.url}/__sandbox/messages?vendor=smscx`)).json();
    const to = messages.map((m) => m.to);
    expect(to).toHaveLength(3000);
    expect(new Set(to).size).toBe(3000);
  });

  it('exits 2 with a clear message on bad arguments', () => {
    const run = msgkit(['send', '--provider', 'smscx', '--from', 'Shop', '--text', 'x']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('give recipients with --to or --to-file');
  });

  it('stops the sandbox cleanly on SIGTERM', async () => {
    const exited = new Promise((resolve) => sandbox.once('exit', (code) => resolve(code)));
    sandbox.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
