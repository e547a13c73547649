import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { infobipReports } from '@msgkit/infobip';
import { octopushReports } from '@msgkit/octopush';
import { smscxReports } from '@msgkit/smscx';
import { smsworksReports } from '@msgkit/smsworks';
import { startSandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from './dlrReceiver';
import { parseResults, runCli as run, scratch } from './testing';

// CI size of the 100 000-recipient figure: the same path (send, reports, reconcile, report), seeded.
const RECIPIENTS = 60;
const { file, remove } = scratch('msgkit-cli-dlr-drops-');
afterAll(remove);
const secret = randomBytes(32).toString('base64url');
const DELIVERED = ['DELIVERED', 'DELIVERED_TO_HANDSET'];

describe('with 20 % of delivery reports dropped and 5 % delayed past the horizon', () => {
  const vendors = [
    { provider: 'smscx', env: { SMSCX_API_KEY: 'k' }, args: ['--from', 'Shop'], format: smscxReports, lookup: true },
    { provider: 'smsworks', env: { SMSWORKS_TOKEN: 't' }, args: ['--from', 'Shop'], format: smsworksReports, lookup: true },
    { provider: 'infobip', env: { INFOBIP_API_KEY: 'k' }, args: [], format: infobipReports, lookup: true },
    // No callback field per send and no read of a message's state: the account webhook, then unknown with its reason.
    { provider: 'octopush', env: { OCTOPUSH_API_LOGIN: 'a@b.c', OCTOPUSH_API_KEY: 'k' }, args: ['--from', 'Shop', '--type', 'sms_low_cost'], format: octopushReports, lookup: false },
  ] as const;
  for (const v of vendors) {
    it(`${v.provider}: every recipient ends delivered or failed as the vendor holds it, or unknown with a reason, after msgkit reconcile`, async () => {
      const journal = file('j.jsonl');
      const receiver = await startReceiver({ journal, formats: [v.format], secrets: [secret], flushEveryMs: 20 });
      const account = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: v.provider, ttlSeconds: 3600 });
      const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, ...(v.provider === 'octopush' && { webhooks: { octopush: account } }), reports: { seed: 20, drop: 0.25, failures: 0.3, intermediate: true, duplicates: 0.3, outOfOrder: true, delayMs: [0, 10] } });
      try {
        const list = file('list.txt', Array.from({ length: RECIPIENTS }, (_, i) => `+4474006${String(i).padStart(5, '0')}`).join('\n'));
        const base = ['--base-url', sandbox.baseUrls[v.provider]];
        const dlr = v.provider === 'octopush' ? [] : ['--dlr-url', `${receiver.url}/dlr`];
        const sent = await run(['send', '-p', v.provider, ...v.args, '--to-file', list, '--text', 'Hi', ...base, '--batch-size', '20', '--journal', journal, ...dlr], { ...v.env, MSGKIT_WEBHOOK_SECRET: secret });
        expect(sent.code).toBe(0);
        await sandbox.settled();
        await receiver.handler.drain();
        expect(await receiver.flush()).toBe(true);

        // A fifth of the lost reports (5 % of all) come back after reconcile: delayed past the horizon.
        const lost = sandbox.deliveries().filter((d) => d.dropped);
        const late = lost.filter((_, i) => i % 5 === 0);
        const reconciled = await run(['reconcile', journal, '--horizon', '0s', ...base, ...(v.provider === 'smsworks' ? ['--from', 'Shop', '--text', 'Hi'] : [])], v.env);
        expect(reconciled.stderr).toBe('');
        const truth = new Map(sandbox.messages().map((m) => [m.to.replace(/\D/g, ''), m.status]));
        const check = async () => {
          const results = file('results.csv');
          await run(['report', journal, '--results', results]);
          const rows = parseResults(readFileSync(results, 'utf8'));
          expect(rows).toHaveLength(RECIPIENTS);
          const counts: Record<string, number> = {};
          for (const row of rows) {
            counts[row.state!] = (counts[row.state!] ?? 0) + 1;
            const held = truth.get(row.e164!.slice(1));
            expect(held).toBeDefined();
            if (row.state === 'unknown') expect(row.reason).toMatch(/^[a-z_]+/);
            else expect([row.e164, row.state]).toEqual([row.e164, DELIVERED.some((d) => held!.startsWith(d)) ? 'delivered' : 'failed']);
          }
          expect(counts['pending']).toBeUndefined();
          return counts;
        };
        const before = await check();
        if (v.lookup) expect(before['unknown']).toBeUndefined();
        else expect(before['unknown']).toBeGreaterThan(0);

        expect(late.length).toBeGreaterThan(0);
        for (const d of late) expect((await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status).toBe(200);
        expect(await receiver.flush()).toBe(true);
        const after = await check();
        // A late report agrees with the vendor's answer (nothing regresses); where there was no lookup it settles the recipient.
        if (v.lookup) expect(after).toEqual(before);
        else expect(after['unknown']).toBeLessThan(before['unknown']!);
      } finally {
        await sandbox.close();
        await receiver.close();
      }
    });
  }
});
