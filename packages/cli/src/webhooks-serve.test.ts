import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { infobipReports } from '@msgkit/infobip';
import { smscxReports } from '@msgkit/smscx';
import { smsworksReports } from '@msgkit/smsworks';
import { readJournal, reopenFileJournal, type StateLine } from '@msgkit/journal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpool, spoolPath, startReceiver, UNPLACED } from './dlrReceiver';
import { parseResults, runCli as run, scratch } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const { file, remove } = scratch('msgkit-cli-webhooks-');
afterAll(remove);
const numbers = (count: number, prefix = '+4474005') => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
const deliveries = async (journal: string) => {
  const lines: StateLine[] = [];
  await readJournal(journal, undefined, (s) => lines.push(s));
  return lines.filter((s) => s.t === 'delivery');
};
const secret = randomBytes(32).toString('base64url');

/** A `send --dlr-url` run checked, then every report the sandbox posted received and moved into the journal: the campaign id and the sandbox's posts. */
async function reported(sent: { code: number; stdout: string; stderr: string }, sandbox: Sandbox, receiver: Awaited<ReturnType<typeof startReceiver>>, journal: string) {
  expect([sent.code, sent.stderr]).toEqual([0, expect.not.stringContaining('msgkit:')]);
  expect(sent.stdout).toContain(`delivery reports: to ${receiver.url}/dlr, signed for campaign`);
  await sandbox.settled();
  await receiver.handler.drain();
  expect(await receiver.flush()).toBe(true);
  const { campaignId } = (await readJournal(journal)).header;
  const attempts = sandbox.deliveries();
  expect(attempts.length).toBeGreaterThan(0);
  // The sandbox's duplicates are byte-identical posts: refused as replays (403), the only refusals.
  expect(attempts.filter((d) => !d.ok && d.status !== 403)).toEqual([]);
  expect(receiver.handler.stats.refused).toMatchObject({ forged: 0, expired: 0, unsigned: 0, invalid_report: 0, record_failed: 0 });
  return { campaignId, attempts };
}

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
      // Exit 1: some recipients failed.
      expect([report.code, report.stderr]).toEqual([1, '']);
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
      // Only the send's answer (each message accepted) is recorded.
      expect((await deliveries(journal)).map((d) => d.e['status'])).toEqual(['accepted']);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('keeps a report that overtook the send\'s answer in the spool, counts it in msgkit report once the answer is recorded, and moves it when the journal is free', async () => {
    const sent = file('sent.jsonl');
    const list = file('list.txt', numbers(2).join('\n'));
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      expect((await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--journal', sent], { SMSCX_API_KEY: 'k' })).code).toBe(0);
    } finally {
      await sandbox.close();
    }
    // The same journal as it stood before the send recorded its answer.
    const text = readFileSync(sent, 'utf8').split('\n');
    const answers = text.filter((l) => l.includes('"t":"delivery"'));
    expect(answers).toHaveLength(2);
    const journal = file('j.jsonl', text.filter((l) => !l.includes('"t":"delivery"')).join('\n'));
    const busy = await reopenFileJournal(journal);
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 20 });
    try {
      const answer = JSON.parse(answers[0]!) as { i: number; e: { messageId: string; to: string } };
      const url = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', ttlSeconds: 60 });
      const body = JSON.stringify({ event: 'dlr_update', data: [{ msgId: answer.e.messageId, status: 'DELIVERED', datetime: '2026-01-02 03:04:05' }] });
      expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
      expect(await readSpool(spoolPath(journal))).toMatchObject({ lines: [{ t: 'delivery', i: UNPLACED }] });

      await busy.note({ t: 'delivery', i: answer.i, e: answer.e as unknown as Record<string, unknown> });
      const results = file('results.csv');
      expect((await run(['report', journal, '--results', results])).code).toBe(0);
      expect(parseResults(readFileSync(results, 'utf8')).map((r) => [r.e164, r.state])).toEqual(numbers(2).map((to) => [to, to === answer.e.to ? 'delivered' : 'pending']));

      expect(await receiver.flush()).toBe(false);
      await busy.close();
      expect(await receiver.flush()).toBe(true);
      expect(readFileSync(spoolPath(journal), 'utf8')).toBe('');
      expect((await deliveries(journal)).map((d) => [d.i, d.e['status'], (d.e['reference'] as { recipient?: string }).recipient])).toEqual([
        [answer.i, 'accepted', answer.e.to],
        [answer.i, 'delivered', answer.e.to],
      ]);
    } finally {
      await busy.close();
      await receiver.close();
    }
  });

  it('moves the reports it can place and keeps in a new spool, still appendable, the one whose answer is not recorded yet', async () => {
    const sent = file('sent-2.jsonl');
    const list = file('list-2.txt', numbers(2).join('\n'));
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      expect((await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--journal', sent], { SMSCX_API_KEY: 'k' })).code).toBe(0);
    } finally {
      await sandbox.close();
    }
    const text = readFileSync(sent, 'utf8').split('\n');
    const answers = text.filter((l) => l.includes('"t":"delivery"')).map((l) => JSON.parse(l) as { i: number; e: { messageId: string; to: string } });
    expect(answers).toHaveLength(2);
    const [first, second] = answers as [(typeof answers)[0], (typeof answers)[0]];
    // The journal holds the first answer only; the second is still to be recorded.
    const journal = file('j-2.jsonl', text.filter((l) => !l.includes('"t":"delivery"') || l.includes(first.e.messageId)).join('\n'));
    const busy = await reopenFileJournal(journal);
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 20 });
    const url = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', ttlSeconds: 60 });
    const post = (messageId: string, status: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'dlr_update', data: [{ msgId: messageId, status, datetime: '2026-01-02 03:04:05' }] }) });
    try {
      expect((await post(first.e.messageId, 'DELIVERED')).status).toBe(200);
      expect((await post(second.e.messageId, 'DELIVERED')).status).toBe(200);
      await busy.close();
      // The first is placed and moved; the second waits alone in the spool that replaced the old one.
      expect(await receiver.flush()).toBe(false);
      expect((await readSpool(spoolPath(journal))).lines.map((l) => [l.i, (l as { e: Record<string, unknown> }).e['messageId']])).toEqual([[UNPLACED, second.e.messageId]]);
      // A report taken after the spool was replaced is appended to the new one.
      expect((await post(second.e.messageId, 'SENT')).status).toBe(200);
      expect((await readSpool(spoolPath(journal))).lines).toHaveLength(2);

      const writer = await reopenFileJournal(journal);
      await writer.note({ t: 'delivery', i: second.i, e: second.e as unknown as Record<string, unknown> });
      await writer.close();
      expect(await receiver.flush()).toBe(true);
      expect(readFileSync(spoolPath(journal), 'utf8')).toBe('');
      expect((await deliveries(journal)).filter((d) => d.e['status'] !== 'accepted').map((d) => [d.i, d.e['status'], (d.e['reference'] as { recipient?: string }).recipient])).toEqual([
        [first.i, 'delivered', first.e.to],
        [second.i, 'delivered', second.e.to],
        [second.i, 'sent', second.e.to],
      ]);
    } finally {
      await busy.close();
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

describe('msgkit send --dlr-url', () => {
  const vendors = [
    { provider: 'smscx', env: { SMSCX_API_KEY: 'k' }, args: ['--from', 'Shop'], format: smscxReports },
    { provider: 'smsworks', env: { SMSWORKS_TOKEN: 't' }, args: ['--from', 'Shop'], format: smsworksReports },
    { provider: 'infobip', env: { INFOBIP_API_KEY: 'k' }, args: [], format: infobipReports },
  ] as const;
  for (const v of vendors) {
    it(`has ${v.provider} post each batch's reports to a signed URL of the campaign, and every recipient ends delivered or failed in the journal`, async () => {
      const journal = file('j.jsonl');
      const receiver = await startReceiver({ journal, formats: [v.format], secrets: [secret], flushEveryMs: 20 });
      const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 11, failures: 0.3, intermediate: true, duplicates: 0.5, outOfOrder: true, delayMs: [0, 20] } });
      try {
        const list = file('list.txt', numbers(9).join('\n'));
        const sent = await run(['send', '-p', v.provider, ...v.args, '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls[v.provider], '--batch-size', '4', '--journal', journal, '--dlr-url', `${receiver.url}/dlr?site=eu`], { ...v.env, MSGKIT_WEBHOOK_SECRET: secret });
        // Each batch's reports went to its own URL: campaign and batch signed in, the user's query kept.
        const { campaignId, attempts } = await reported(sent, sandbox, receiver, journal);
        const batches = new Set(attempts.map((d) => {
          const url = new URL(d.url);
          expect(url.searchParams.get('site')).toBe('eu');
          const claims = JSON.parse(Buffer.from(url.searchParams.get('msgkit_token')!.split('.')[1]!, 'base64url').toString()) as { campaign: string; batch: number };
          expect(claims.campaign).toBe(campaignId);
          return claims.batch;
        }));
        expect([...batches].sort()).toEqual([0, 1, 2]);

        const results = file('results.csv');
        await run(['report', journal, '--results', results]);
        const truth = new Map(sandbox.messages().map((m) => [m.to.replace(/\D/g, ''), m.status]));
        const rows = parseResults(readFileSync(results, 'utf8'));
        expect(rows).toHaveLength(9);
        const delivered = ['DELIVERED', 'DELIVERED_TO_HANDSET'];
        for (const row of rows) expect([row.e164, row.state]).toEqual([row.e164, delivered.some((d) => truth.get(row.e164!.slice(1))?.startsWith(d)) ? 'delivered' : 'failed']);
        expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['delivered', 'failed']));
      } finally {
        await sandbox.close();
        await receiver.close();
      }
    });
  }

  it("signs each batch's URL for each provider of a chain: a batch SMS.CX proved it refused reports from Infobip to Infobip's URL, and every recipient ends delivered or failed at the provider that sent it", async () => {
    const journal = file('j.jsonl');
    const receiver = await startReceiver({ journal, formats: [smscxReports, infobipReports], secrets: [secret], flushEveryMs: 20 });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 5, failures: 0.3, intermediate: true, duplicates: 0.5, outOfOrder: true, delayMs: [0, 20] } });
    try {
      // SMS.CX proves it sent nothing of the first batch (no coverage, specs/smscx.yaml 1119): that batch moves on to Infobip.
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 403, body: { error: { type: 'no_coverage', code: 1119, message: 'No coverage', uri: '' } } });
      const list = file('list.txt', numbers(9).join('\n'));
      const base = ['--base-url', `smscx=${sandbox.baseUrls.smscx}`, '--base-url', `infobip=${sandbox.baseUrls.infobip}`];
      const args = ['send', '-p', 'smscx,infobip', '--from', 'Shop', '--infobip-from', 'scenario', '--to-file', list, '--text', 'Hi', ...base, '--batch-size', '4', '--concurrency', '1', '--journal', journal];
      const sent = await run([...args, '--dlr-url', `${receiver.url}/dlr`], { SMSCX_API_KEY: 'k', INFOBIP_API_KEY: 'k', MSGKIT_WEBHOOK_SECRET: secret });
      const { campaignId, attempts } = await reported(sent, sandbox, receiver, journal);
      // Each vendor posted to the URL signed for it, for the batch it took.
      const posted = new Set(attempts.map((d) => {
        const claims = JSON.parse(Buffer.from(new URL(d.url).searchParams.get('msgkit_token')!.split('.')[1]!, 'base64url').toString()) as { vendor: string; campaign: string; batch: number };
        expect([claims.vendor, claims.campaign]).toEqual([d.vendor, campaignId]);
        return `${claims.vendor}:${claims.batch}`;
      }));
      expect([...posted].sort()).toEqual(['infobip:0', 'smscx:1', 'smscx:2']);

      const results = file('results.csv');
      await run(['report', journal, '--results', results]);
      const truth = new Map([...sandbox.messages('smscx'), ...sandbox.messages('infobip')].map((m) => [String(m.to).replace(/\D/g, ''), String(m.status)]));
      const rows = parseResults(readFileSync(results, 'utf8'));
      expect(rows.map((r) => r.provider)).toEqual([...Array(4).fill('infobip'), ...Array(5).fill('smscx')]);
      for (const row of rows) expect([row.e164, row.state]).toEqual([row.e164, truth.get(row.e164!.slice(1))?.startsWith('DELIVERED') ? 'delivered' : 'failed']);
      expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['delivered', 'failed']));
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('refuses a chain with a provider that takes no report URL per send, naming it and where its reports go', async () => {
    const list = file('list.txt', numbers(1).join('\n'));
    const journal = file('j.jsonl');
    const env = { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'k', SMSCX_API_KEY: 'k', MSGKIT_WEBHOOK_SECRET: secret };
    const r = await run(['send', '-p', 'smscx,octopush', '--octopush-type', 'sms_premium', '--octopush-purpose', 'alert', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--journal', journal, '--dlr-url', 'https://hooks.example.com/dlr', '--base-url', 'smscx=http://127.0.0.1:9', '--base-url', 'octopush=http://127.0.0.1:9'], env);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--dlr-url: octopush takes no callback URL per send: .*callback_url_for_deliveries/)]);
    expect(existsSync(journal)).toBe(false);
  });

  it('refuses before sending: Octopush (no callback field per send), no --journal, no secret, a URL that is not http(s)', async () => {
    const list = file('list.txt', numbers(1).join('\n'));
    const env = { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'k', SMSCX_API_KEY: 'k', MSGKIT_WEBHOOK_SECRET: secret };
    const journal = file('j.jsonl');
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['-p', 'octopush', '--type', 'sms_premium', '--journal', journal, '--dlr-url', 'https://hooks.example.com/dlr'], env, /callback_url_for_deliveries/],
      [['-p', 'smscx', '--dlr-url', 'https://hooks.example.com/dlr'], env, /--dlr-url needs --journal/],
      [['-p', 'smscx', '--journal', journal, '--dlr-url', 'https://hooks.example.com/dlr'], { SMSCX_API_KEY: 'k' }, /MSGKIT_WEBHOOK_SECRET/],
      [['-p', 'smscx', '--journal', journal, '--dlr-url', 'ftp://hooks.example.com/dlr'], env, /--dlr-url: baseUrl must be an http\(s\) URL/],
    ];
    for (const [args, e, message] of cases) {
      const r = await run(['send', ...args, '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', 'http://127.0.0.1:9'], e);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
    expect(existsSync(journal)).toBe(false);
  });
});
