// `msgkit send -p a,b`: a failover chain on the command line, against the sandbox. What each vendor
// received is read from the sandbox's own stores, never from msgkit's answer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseResults, runCli as run } from './testing';

let sandbox: Sandbox;
let dir: string;
let n = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-chain-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

const path = (name: string) => join(dir, `${n++}-${name}`);
const numbers = (count: number) => Array.from({ length: count }, (_, i) => `+4474005${String(i).padStart(5, '0')}`);
const list = (count: number) => {
  const file = path('list.txt');
  writeFileSync(file, `${numbers(count).join('\n')}\n`);
  return file;
};
const ENV = { SMSCX_API_KEY: 'key', SMSWORKS_TOKEN: 'token' };
const chain = (to: string, extra: string[] = []) => [
  'send',
  '-p',
  'smscx,smsworks',
  '--from',
  'Shop',
  '--to-file',
  to,
  '--text',
  'Hi',
  '--base-url',
  `smscx=${sandbox.baseUrls.smscx}`,
  '--base-url',
  `smsworks=${sandbox.baseUrls.smsworks}`,
  '--retries',
  '0',
  '--batch-size',
  '2',
  '--concurrency',
  '1',
  ...extra,
];
// SMS.CX's documented refusal before acting: 403 no_coverage, code 1119 (specs/smscx.yaml).
const NO_COVERAGE = { vendor: 'smscx', path: '/sms', count: 1, status: 403, body: { error: { type: 'no_coverage', code: 1119, message: 'No coverage', uri: '' } } } as const;
const digits = (e164: string) => e164.replace(/\D/g, '');
const at = (vendor: 'smscx' | 'smsworks') => sandbox.messages(vendor).map((m) => digits(String(m.to)));

describe('msgkit send -p smscx,smsworks', () => {
  it('sends a batch the first provider proved it refused through the second, and says in --results and in report which provider sent each recipient', async () => {
    const journal = path('j.jsonl');
    const results = path('results.csv');
    sandbox.faults.add(NO_COVERAGE);
    const { code, stdout, stderr } = await run(chain(list(6), ['--journal', journal, '--results', results]), ENV);
    expect(code, stderr).toBe(0);
    const all = numbers(6).map(digits);
    expect(at('smsworks')).toEqual(all.slice(0, 2));
    expect(at('smscx').sort()).toEqual(all.slice(2));
    const rows = parseResults(readFileSync(results, 'utf8'));
    expect(rows.map((r) => [r.e164, r.status, r.provider, r.tries])).toEqual([
      ['+447400500000', 'sent', 'smsworks', 'smscx:refused:no_route smsworks:sent'],
      ['+447400500001', 'sent', 'smsworks', 'smscx:refused:no_route smsworks:sent'],
      ...numbers(6)
        .slice(2)
        .map((e164) => [e164, 'sent', 'smscx', 'smscx:sent']),
    ]);
    expect(stdout).toMatch(/smscx\b.*\b4\b/);

    const report = await run(['report', journal, '--json']);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as { chain: string[]; providers: Record<string, { sent: number; tries: Record<string, number> }>; failovers: Record<string, number> };
    expect(json.chain).toEqual(['smscx', 'smsworks']);
    expect(json.providers.smscx).toMatchObject({ sent: 4, tries: { sent: 4, refused: 2, unknown: 0 } });
    expect(json.providers.smsworks).toMatchObject({ sent: 2, tries: { sent: 2, refused: 0, unknown: 0 } });
    expect(json.failovers).toEqual({ no_route: 2 });
    const table = await run(['report', journal]);
    expect(table.stdout).toMatch(/smsworks\s+│?\s*2/);
  });

  it('on resume never asks an earlier provider again for a recipient a later one may have sent, and leaves it unknown there', async () => {
    const journal = path('j.jsonl');
    const results = path('results.csv');
    const to = list(4);
    sandbox.faults.add(NO_COVERAGE);
    // The SMS Works acts, then the answer is lost: it cannot deduplicate, so the batch is unknown there.
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, after: true, drop: true });
    const first = await run(chain(to, ['--journal', journal, '--results', results]), ENV);
    expect(first.code).toBe(1);
    const received = { smscx: sandbox.received('smscx').length, smsworks: sandbox.received('smsworks').length };

    const again = await run(chain(to, ['--journal', journal, '--results', results]), ENV);
    expect(again.code).toBe(1);
    // Nothing more was asked of either vendor: the first batch is unknown at The SMS Works, the second was sent.
    expect({ smscx: sandbox.received('smscx').length, smsworks: sandbox.received('smsworks').length }).toEqual(received);
    const rows = parseResults(readFileSync(results, 'utf8'));
    expect(rows.map((r) => [r.status, r.provider, r.tries.split(' ').map((t) => t.split(':').slice(0, 2).join(':')).join(' ')])).toEqual([
      ['unknown', 'smsworks', 'smscx:refused smsworks:unknown'],
      ['unknown', 'smsworks', 'smscx:refused smsworks:unknown'],
      ['sent', 'smscx', 'smscx:sent'],
      ['sent', 'smscx', 'smscx:sent'],
    ]);
    const everywhere = [...at('smscx'), ...at('smsworks')];
    expect(new Set(everywhere).size).toBe(everywhere.length);
  });

  it('refuses a chain that cannot carry the message before sending anything, naming the provider and the rule', async () => {
    const { code, stderr } = await run(['send', '-p', 'smscx,infobip', '--from', 'Shop', '--to', '+447400500000', '--text', 'Hi', '--base-url', `smscx=${sandbox.baseUrls.smscx}`, '--base-url', `infobip=${sandbox.baseUrls.infobip}`], { ...ENV, INFOBIP_API_KEY: 'k' });
    expect(code).toBe(2);
    expect(stderr).toContain('the chain smscx, infobip cannot carry this message; nothing was sent');
    expect(stderr).toMatch(/^ {2}infobip: from/m);
    expect(sandbox.received()).toEqual([]);
  });

  it('names a provider given twice, and a --base-url without its provider in a chain, as usage errors', async () => {
    const twice = await run(['send', '-p', 'smscx,smscx', '--from', 'Shop', '--to', '+447400500000', '--text', 'Hi'], ENV);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('-p names smscx more than once');
    const bare = await run(['send', '-p', 'smscx,smsworks', '--from', 'Shop', '--to', '+447400500000', '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx], ENV);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('needs one --base-url <sender>=<url> per sender');
    expect(sandbox.received()).toEqual([]);
  });
});
