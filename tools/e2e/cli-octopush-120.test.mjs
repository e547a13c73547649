// `msgkit send --journal` as a process, SIGKILLed after the sandbox's Octopush accepted its batch
// and before the answer came back (so before the journal recorded it): the same command resends
// with the same request_id, the sandbox refuses the repeat with code 120 by itself, and every
// reader of the journal says `ticket_unknown` for those recipients, sent once, none failed.
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
const env = { PATH: process.env.PATH, OCTOPUSH_API_LOGIN: 'dev@example.com', OCTOPUSH_API_KEY: 'sandbox-key' };

/** Runs msgkit; `watch` is called every 20 ms with the child until it exits (to kill it at the right moment). */
function msgkit(args, watch) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const poll = watch && setInterval(() => watch(child), 20);
  const timer = setTimeout(() => child.kill('SIGKILL'), HANG_LIMIT_MS);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

let sandbox;
let dir;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-octopush-120-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('msgkit send --journal killed after Octopush accepted a batch', () => {
  it('resumes into code 120 and records, prints and reports those recipients as sent and ticket_unknown, sent once', async () => {
    const numbers = Array.from({ length: 5 }, (_, i) => `+3361235${String(i).padStart(4, '0')}`);
    const list = join(dir, 'list.txt');
    const journal = join(dir, 'campaign.journal');
    writeFileSync(list, numbers.join('\n'));
    const args = ['send', '-p', 'octopush', '--type', 'sms_premium', '--purpose', 'alert', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.octopush, '--journal', journal];
    // Octopush acts at once and holds its answer back: the process is killed before it can record it.
    sandbox.faults.add({ vendor: 'octopush', path: '/sms-campaign/send', after: true, delayMs: HANG_LIMIT_MS });
    const first = await msgkit(args, (child) => {
      if (sandbox.messages('octopush').length === numbers.length) child.kill('SIGKILL');
    });
    expect(first.signal).toBe('SIGKILL');
    const before = await readChainJournal(journal);
    expect(before.attempts.map((a) => [a.sender, a.outcome])).toEqual([['octopush', undefined]]);
    sandbox.faults.clear();

    const second = await msgkit(args);
    expect(second.code).toBe(0);
    const sends = sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign');
    expect(sends.map((r) => [r.status, r.acted, r.messages])).toEqual([
      [200, true, numbers.length],
      [400, false, 0],
    ]);
    expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual(numbers);
    const after = await readChainJournal(journal);
    expect(after.attempts.map((a) => a.outcome)).toEqual([undefined, { status: 'sent', ids: [], duplicate: true, code: 'ticket_unknown' }]);
    expect(second.stdout).toContain(`${numbers.length} recipients: ${numbers.length} sent, 0 failed`);
    expect(second.stdout).toContain(`${numbers.length} of the sent are ticket_unknown`);

    const json = JSON.parse((await msgkit([...args, '--json'])).stdout);
    expect(json).toMatchObject({ sent: numbers.length, failed: 0, unknown: 0, refused: 0, ticketUnknown: numbers.length });
    const report = JSON.parse((await msgkit(['report', journal, '--json'])).stdout);
    expect(report).toMatchObject({ totals: { sent: { recipients: numbers.length }, unknown: { recipients: 0 }, refused: { recipients: 0 } }, ticketUnknown: numbers.length });
    expect(sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign')).toHaveLength(2);
  });
});
