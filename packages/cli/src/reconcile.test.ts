import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal, type StateLine } from '@msgkit/journal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseResults, runCli as run } from './testing';

let sandbox: Sandbox;
let dir: string;
let n = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-reconcile-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());
const file = (name: string, text?: string) => {
  const path = join(dir, `${n++}-${name}`);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};
const numbers = (count: number) => Array.from({ length: count }, (_, i) => `+4474003${String(i).padStart(5, '0')}`);
const states = async (journal: string) => {
  const lines: StateLine[] = [];
  await readJournal(journal, undefined, (s) => lines.push(s));
  return lines;
};

describe('msgkit reconcile', () => {
  it('finds at The SMS Works the batch whose answer was lost, records the answer with its proof, and leaves no recipient unknown', async () => {
    sandbox.reports.set({ drop: 1 });
    const list = file('list.txt', numbers(6).join('\n'));
    const journal = file('j.jsonl');
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', after: true, drop: true, count: 1 });
    const env = { SMSWORKS_TOKEN: 'token' };
    const sent = await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '2', '--concurrency', '1', '--journal', journal], env);
    expect(sent.code).toBe(1);
    const before = await run(['report', journal]);
    expect(before.stdout).toMatch(/unknown\s*│?\s*2\b/);

    const args = ['reconcile', journal, '--horizon', '0s', '--base-url', sandbox.baseUrls.smsworks, '--from', 'Shop', '--text', 'Hi'];
    const done = await run(args, env);
    expect(done.stderr).toBe('');
    expect(done.stdout).toContain('a pace msgkit decided');
    expect(done.code).toBe(0);
    const recorded = await states(journal);
    const batch = recorded.find((s): s is Extract<StateLine, { t: 'reconcile' }> => s.t === 'reconcile' && s.r.kind === 'batch')!;
    expect(batch.r.recipients).toEqual(numbers(6).slice(0, 2).map((to) => expect.objectContaining({ to, outcome: 'sent' })));
    expect((batch.r.proof as Array<{ endpoint: string; status: number }>).length).toBeGreaterThan(0);

    const results = file('results.csv');
    const report = await run(['report', journal, '--results', results]);
    expect(report.stdout).toMatch(/delivered\s*│?\s*6\b/);
    // Every recipient is accounted for now: the batch unknown at send time no longer fails the report.
    expect(report.code).toBe(0);
    const rows = parseResults(readFileSync(results, 'utf8'));
    expect(rows.map((r) => [r.e164, r.state])).toEqual(numbers(6).map((to) => [to, 'delivered']));

    // Everything is final now: a second pass asks nothing and records nothing.
    const again = await run(args, env);
    expect(again.stdout).toContain('0 requests, 0 answer(s) recorded');
    expect(await states(journal)).toHaveLength(recorded.length);
  });

  it('finds at Infobip a batch whose answer was lost, by the bulkId and messageIds msgkit chose from the batch key', async () => {
    sandbox.reports.set({ drop: 1 });
    const list = file('list.txt', numbers(2).join('\n'));
    const journal = file('j.jsonl');
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', after: true, status: 500, count: 1 });
    const env = { INFOBIP_API_KEY: 'key' };
    const base = ['--base-url', sandbox.baseUrls.infobip];
    await run(['send', '-p', 'infobip', '--to-file', list, '--text', 'Hi', ...base, '--journal', journal, '--concurrency', '1'], env);
    // The messages reach their final state at the vendor after its report delay; on a loaded machine, only then.
    await sandbox.settled();
    const soon = await run(['reconcile', journal, '--horizon', '0s', ...base], env);
    expect(soon.stdout).not.toContain('still unknown');
    expect(soon.code).toBe(0);
    const results = file('results.csv');
    await run(['report', journal, '--results', results]);
    expect(parseResults(readFileSync(results, 'utf8')).map((r) => [r.e164, r.state])).toEqual(numbers(2).map((to) => [to, 'delivered']));
  });

  it("proves an Infobip batch not sent when the logs, read past the settling time, do not list msgkit's ids", async () => {
    const list = file('list.txt', numbers(2).join('\n'));
    const journal = file('j.jsonl');
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', status: 500, count: 1 });
    const env = { INFOBIP_API_KEY: 'key' };
    const base = ['--base-url', sandbox.baseUrls.infobip];
    await run(['send', '-p', 'infobip', '--to-file', list, '--text', 'Hi', ...base, '--journal', journal], env);
    const soon = await run(['reconcile', journal, '--horizon', '0s', ...base], env);
    expect(soon.stdout).toContain('still unknown: 2 too_recent');
    // An hour later, as the clock would have it: the begin time moves back, nothing else changes.
    writeFileSync(journal, readFileSync(journal, 'utf8').replace(/"at":"([^"]+)"/g, (_, at: string) => `"at":"${new Date(Date.parse(at) - 3_600_000).toISOString()}"`));
    const later = await run(['reconcile', journal, '--horizon', '15m', ...base], env);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/not sent \(resendable\)[^\n]*\n[^\n]*\n│ batches \(recipients\) │ 2\s+│ 0\s+│ 2 /);
    const results = file('results.csv');
    await run(['report', journal, '--results', results]);
    expect(parseResults(readFileSync(results, 'utf8')).map((r) => [r.state, r.reason.split(':')[0]])).toEqual([
      ['failed', 'not_sent'],
      ['failed', 'not_sent'],
    ]);
  });

  it('leaves a batch unknown where the vendor has no read of a send, naming the reason in the summary and the report', async () => {
    const list = file('list.txt', numbers(2).join('\n'));
    const journal = file('j.jsonl');
    sandbox.faults.add({ vendor: 'octopush', after: true, drop: true, count: 1 });
    const env = { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'b' };
    const base = ['--base-url', sandbox.baseUrls.octopush];
    await run(['send', '-p', 'octopush', '--type', 'sms_low_cost', '--from', 'Shop', '--to-file', list, '--text', 'Hi', ...base, '--journal', journal], env);
    const done = await run(['reconcile', journal, '--horizon', '0s', ...base], env);
    expect(done.code).toBe(1);
    expect(done.stdout).toContain('octopush has no read');
    expect(done.stdout).toContain('still unknown: 2 no_lookup');
    const results = file('results.csv');
    const report = await run(['report', journal, '--results', results]);
    expect(report.code).toBe(1);
    expect(report.stdout).toContain('unknown: 2 no_lookup');
    expect(parseResults(readFileSync(results, 'utf8')).map((r) => [r.state, r.reason])).toEqual([
      ['unknown', 'no_lookup'],
      ['unknown', 'no_lookup'],
    ]);
  });

  it('refuses a text that is not the one the journal records, before asking or recording anything', async () => {
    const journal = file('j.jsonl');
    const list = file('list.txt', numbers(1).join('\n'));
    const env = { SMSWORKS_TOKEN: 'token' };
    await run(['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--journal', journal], env);
    const wrong = await run(['reconcile', journal, '--horizon', '0s', '--base-url', sandbox.baseUrls.smsworks, '--text', 'Hello'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--text is not the text');
    expect(await states(journal)).toEqual([]);
  });
});
