/**
 * `msgkit … | head`: the reader of standard output goes away early. The built command runs as a
 * real child process whose stdout is a real pipe; the test closes its end of the pipe, as `head`
 * does once it has its lines, and the command must end quietly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openFileJournal } from '@msgkit/journal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(dirname(createRequire(import.meta.url).resolve('@msgkit/cli/package.json')), 'dist', 'bin.mjs');

let dir: string;
let sandbox: Sandbox;
let list: string;
let journal: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-pipe-'));
  sandbox = await startSandbox({ port: 0 });
  // Far more output than a pipe buffers (64 kB), so the command is still writing when the reader leaves.
  list = join(dir, 'list.csv');
  writeFileSync(list, `phone,country\n${Array.from({ length: 60_000 }, (_, i) => `07400 ${String(100_000 + i)},GB`).join('\n')}\n`);
  // A journal of 40 batches begun and never settled: `report --unknown` lists every recipient.
  journal = join(dir, 'campaign.journal');
  const store = await openFileJournal(journal, { provider: 'smsworks', sender: 'Shop', text: 'Hi', options: {}, recipients: 'test' });
  for (let index = 0; index < 40; index++) {
    const recipients = Array.from({ length: 500 }, (_, i) => `+447400${String(index * 500 + i).padStart(6, '0')}`);
    await store.begin({ index, recipients, rows: recipients.map((_, i) => index * 500 + i + 2) });
  }
  await store.close();
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** What the reader got before it left. */
  read: string;
}

/**
 * Runs the command with stdout on a pipe whose reader leaves after `after` bytes (0: before the
 * command writes anything). Bounded: a command that hangs is killed and the test fails on its signal.
 */
function runClosingEarly(args: string[], after: number, env: Record<string, string> = {}): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
    let read = '';
    let stderr = '';
    const leave = () => child.stdout.destroy();
    if (after === 0) leave();
    else {
      child.stdout.on('data', (chunk: Buffer) => {
        read += chunk.toString();
        if (read.length >= after) leave();
      });
    }
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, read });
    });
  });
}

const quiet = (result: Closed) => {
  expect(result.signal).toBeNull();
  expect(result.stderr).not.toMatch(/EPIPE|ERR_STREAM|Error|\n\s+at /);
};

describe('a reader that closes standard output early (`| head`)', () => {
  it('ends normalize --csv quietly with exit 0 once the reader has its lines', async () => {
    const result = await runClosingEarly(['normalize', '--csv', '--file', list], 200);
    expect(result.read.startsWith('row,input,e164,')).toBe(true);
    quiet(result);
    expect(result.code).toBe(0);
    // Nothing about rows it never read: the summary would count only part of the file.
    expect(result.stderr).not.toContain('inputs:');
  });

  it('ends report --unknown quietly with exit 0 once the reader has its lines', async () => {
    const result = await runClosingEarly(['report', '--unknown', journal], 200);
    expect(result.read).toContain('campaign ');
    quiet(result);
    expect(result.code).toBe(0);
  });

  it.each([
    ['segments', ['segments', 'Hello']],
    ['normalize (table)', ['normalize', '--file', list]],
    ['normalize --json', ['normalize', '--json', '--country', 'GB', '07400 123456']],
    ['report', ['report', journal]],
    ['--help', ['--help']],
    ['--version', ['--version']],
  ])('ends %s quietly with exit 0 when the reader left before anything was written', async (_name, args) => {
    const result = await runClosingEarly(args, 0);
    quiet(result);
    expect(result.code).toBe(0);
  });

  it('lets a send finish its campaign and keep its own exit code: the pipe has no say in what is sent', async () => {
    const to = Array.from({ length: 30 }, (_, i) => `+4474001${String(i).padStart(5, '0')}`);
    const args = ['send', '-p', 'smsworks', '--from', 'Shop', '--to', ...to, 'not a number', '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '10'];
    const result = await runClosingEarly(args, 0, { SMSWORKS_TOKEN: 'token' });
    quiet(result);
    expect(sandbox.messages('smsworks').map((m) => `+${m.to}`).sort()).toEqual(to);
    // One input was invalid: the campaign's own code, whatever became of its summary.
    expect(result.code).toBe(1);
  });
});
