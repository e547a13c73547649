// The msgkit command as a process on the two things a terminal user does to a long campaign: press
// Ctrl-C in the middle (it stops starting batches, waits for those in flight, leaves the journal
// consistent and says how to resume), and hand it a list of 200 000 rows (it streams, shows
// progress on stderr from the first second, and its output is right).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { readChainJournal } from './chain-journal.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);
const env = { PATH: process.env.PATH, SMSCX_API_KEY: 'e2e-key' };

/** Runs msgkit; `onStderr` sees stderr as it comes and may signal the child. */
function msgkit(args, onStderr) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => {
    stderr += c;
    onStderr?.(stderr, child);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), HANG_LIMIT_MS);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

let sandbox;
let dir;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-journal-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Ctrl-C during msgkit send --journal', () => {
  it('waits for the batches in flight, exits 130 saying how to resume, and the same command finishes the campaign', async () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => `+447500${String(i).padStart(6, '0')}`);
    const list = join(dir, 'list.txt');
    const journal = join(dir, 'campaign.journal');
    writeFileSync(list, numbers.join('\n'));
    // Slow answers, so that batches are in flight when the signal comes.
    sandbox.faults.add({ vendor: 'smscx', count: 1000, delayMs: 60 });
    const args = ['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--batch-size', '100', '--concurrency', '3', '--journal', journal];
    let signalled = false;
    const first = await msgkit(args, (_, child) => {
      if (!signalled && sandbox.messages('smscx').length > 0) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('interrupted; run the same command to resume');
    const { attempts } = await readChainJournal(journal);
    // Consistent: no attempt left interrupted (begun, never settled), and the vendor has exactly the recipients recorded as sent.
    expect(attempts.filter((a) => a.outcome === undefined)).toEqual([]);
    const sent = attempts.filter((a) => a.outcome.status === 'sent').reduce((n, a) => n + a.to.length, 0);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(numbers.length);
    expect(sandbox.messages('smscx')).toHaveLength(sent);
    console.log(`Ctrl-C: ${sent} of ${numbers.length} recipients sent before the interrupt, ${attempts.length} attempts recorded`);

    sandbox.faults.clear();
    const second = await msgkit(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${sent} of the sent were sent by an earlier run`);
    const to = sandbox.messages('smscx').map((m) => m.to);
    expect(to).toHaveLength(numbers.length);
    expect(new Set(to).size).toBe(numbers.length);
  });
});

describe('a list of 200 000 rows', () => {
  const ROWS = 200_000;
  let list;
  beforeAll(() => {
    list = join(dir, 'big.csv');
    const lines = ['name;phone'];
    for (let i = 0; i < ROWS; i++) lines.push(`n${i};07400 ${String(i % 190_000).padStart(6, '0')}`);
    writeFileSync(list, `${lines.join('\n')}\n`);
  });

  it('send --dry-run streams it with progress on stderr and counts it right', async () => {
    const run = await msgkit(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '-c', 'GB', '--text', 'Hi', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/reading: \d+ rows/);
    expect(run.stdout).toContain(`smscx: ${ROWS} inputs -> 190000 recipients (10000 duplicates, 0 invalid)`);
    expect(run.stdout).toContain('would send 8 request(s)');
  });

  it('normalize --csv writes one row per input with its line in the file', async () => {
    const run = await msgkit(['normalize', '--file', list, '-c', 'GB', '--csv']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe('row,input,e164,status,error,type');
    expect(lines[1]).toBe('2,07400 000000,+447400000000,valid,,MOBILE');
    expect(lines.at(-1)).toBe(`${ROWS + 1},07400 ${String((ROWS - 1) % 190_000).padStart(6, '0')},+4474000${String((ROWS - 1) % 190_000).padStart(5, '0')},duplicate,,MOBILE`);
  });
});
