import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smscxReports } from '@msgkit/smscx';
import { readJournal, type StateLine } from '@msgkit/journal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { spoolPath, startReceiver } from './dlrReceiver';
import { parseResults, runCli as run } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (name: string, text?: string) => {
  const path = join(dir, `${n++}-${name}`);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};
const numbers = (count: number, prefix = '+4474005') => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
const deliveries = async (journal: string) => {
  const lines: StateLine[] = [];
  await readJournal(journal, undefined, (s) => lines.push(s));
  return lines.filter((s) => s.t === 'delivery');
};
const secret = randomBytes(32).toString('base64url');

describe('msgkit webhooks serve', () => {
  it('records the sandbox\'s duplicated, shuffled, per-part reports in the journal while the send holds it, so msgkit report shows delivered and failed', async () => {
    const journal = file('j.jsonl');
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 20 });
    const sandbox = await startSandbox({
      port: 0,
      dlrDelayMs: 5,
      webhooks: { smscx: createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', ttlSeconds: 3600 }) },
      reports: { seed: 7, failures: 0.3, intermediate: true, perPart: true, duplicates: 0.5, outOfOrder: true, delayMs: [0, 20] },
    });
    try {
      const list = file('list.txt', numbers(12).join('\n'));
      const sent = await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Your parcel is on its way. '.repeat(7), '--base-url', sandbox.baseUrls.smscx, '--batch-size', '4', '--journal', journal], { SMSCX_API_KEY: 'k' });
      expect(sent.code).toBe(0);
      await sandbox.settled();
      await receiver.handler.drain();
      expect(await receiver.flush()).toBe(true);
      expect(receiver.spooled()).toBe(0);
      expect(readFileSync(spoolPath(journal), 'utf8')).toBe('');
      expect(receiver.handler.stats.refused).toMatchObject({ forged: 0, unsigned: 0, invalid_report: 0, record_failed: 0 });

      const recorded = await deliveries(journal);
      expect(recorded.length).toBeGreaterThanOrEqual(12);
      const results = file('results.csv');
      const report = await run(['report', journal, '--results', results]);
      expect(report.code).toBe(0);
      const rows = parseResults(readFileSync(results, 'utf8'));
      const truth = new Map(sandbox.messages().map((m) => [m.to, m.status]));
      expect(rows).toHaveLength(12);
      for (const row of rows) expect([row.e164, row.state]).toEqual([row.e164, truth.get(row.e164) === 'DELIVERED' ? 'delivered' : 'failed']);
      expect(rows.some((r) => r.state === 'failed')).toBe(true);
      expect(report.stdout).toMatch(/delivered\s*│?\s*\d+/);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('refuses a forged callback and one for another campaign, recording neither', async () => {
    const journal = file('j.jsonl');
    const list = file('list.txt', numbers(1).join('\n'));
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 20 });
    try {
      await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--journal', journal], { SMSCX_API_KEY: 'k' });
      const body = JSON.stringify({ event: 'dlr_update', data: [{ msgId: 'm-1', phoneNumber: numbers(1)[0], status: 'DELIVERED', statusDate: new Date().toISOString() }] });
      const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.status);
      const forged = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret: randomBytes(32), vendor: 'smscx', ttlSeconds: 60 });
      expect(await post(forged)).toBe(403);
      const other = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', campaign: 'c-another', ttlSeconds: 60 });
      expect(await post(other)).toBe(500);
      expect(await receiver.flush()).toBe(true);
      expect(await deliveries(journal)).toEqual([]);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('runs as a command: Infobip reports with its BASIC credentials reach the journal, and SIGTERM ends it with exit 0', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
    const journal = file('j.jsonl');
    const child = spawn(process.execPath, [bin, 'webhooks', 'serve', '--journal', journal, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', INFOBIP_WEBHOOK_AUTH: 'hooks:s3cret' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    let sandbox: Sandbox | undefined;
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const found = /msgkit webhooks: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (found) resolve(found[1]!);
        });
        child.on('close', (code) => reject(new Error(`exited ${code} before printing its address: ${out}`)));
      });
      const hook = new URL('/dlr', address);
      hook.username = 'hooks';
      hook.password = 's3cret';
      sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, webhooks: { infobip: hook.toString() }, reports: { seed: 3, failures: 0.5, duplicates: 0.5, outOfOrder: true } });
      const wrong = new URL(hook);
      wrong.password = 'guess';
      expect((await fetch(new URL('/dlr', address), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('hooks:guess').toString('base64')}` }, body: '{"results":[]}' })).status).toBe(403);

      const list = file('list.txt', numbers(4, '+4915100').join('\n'));
      await run(['send', '-p', 'infobip', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.infobip, '--journal', journal], { INFOBIP_API_KEY: 'k' });
      await sandbox.settled();
      expect(sandbox.deliveries().filter((d) => !d.ok && d.status !== 403)).toEqual([]);
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);

      const results = file('results.csv');
      expect((await run(['report', journal, '--results', results])).code).toBe(0);
      const truth = new Map(sandbox.messages().map((m) => [m.to, m.status]));
      const rows = parseResults(readFileSync(results, 'utf8'));
      expect(rows.map((r) => r.state).sort()).toEqual(rows.map((r) => (truth.get(r.e164.slice(1)) ?? truth.get(r.e164)) === 'DELIVERED' ? 'delivered' : 'failed').sort());
      expect(rows.every((r) => r.state === 'delivered' || r.state === 'failed')).toBe(true);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
      await sandbox?.close();
    }
  });
});
