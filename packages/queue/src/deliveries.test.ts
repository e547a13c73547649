/**
 * A queue campaign's delivery states, end to end over loopback: a real Redis, the sandbox posting
 * real reports (duplicated, shuffled, per part, dropped) to a receiver built from
 * `createWebhookHandler` and `createDeliveryRecorder`, and `reconcileCampaign` asking the sandbox.
 */
import { randomBytes } from 'node:crypto';
import type { CampaignSender, DeliveryEvent, DeliveryReportFormat } from '@msgkit/core';
import { infobipReports, infobipSender } from '@msgkit/infobip';
import { octopushSender } from '@msgkit/octopush';
import { startSandbox, type ReportBehaviour, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DeliveryRecords, standingOf } from './deliveries';
import { enqueueCampaign } from './producer';
import { reconcileCampaign } from './reconcileStore';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis, client } = useTestRedis();

/** A report receiver of the test's own: the webhook handler recording into Redis through the queue's recorder. */
const startReceiver = (prefix: string, formats: DeliveryReportFormat[], port = 0) => startTestReceiver({ connection: redis.url, prefix, formats, secret, port });

const vendors = {
  smscx: { format: smscxReports, sender: (s: Sandbox) => smscxSender({ apiKey: 'k', baseUrl: s.baseUrls.smscx, maxRetries: 0 }), message: { from: 'Shop' } },
  infobip: { format: infobipReports, sender: (s: Sandbox) => infobipSender({ apiKey: 'k', baseUrl: s.baseUrls.infobip, maxRetries: 0 }), message: {} },
  smsworks: { format: smsworksReports, sender: (s: Sandbox) => smsworksSender({ token: 'JWT t', baseUrl: s.baseUrls.smsworks, maxRetries: 0 }), message: { from: 'Shop' } },
} as const;
type Vendor = keyof typeof vendors;

/** Runs a campaign of `n` recipients through a worker that asks for reports, until every report the sandbox posted was received. */
async function campaignWithReports(vendor: Vendor, reports: ReportBehaviour, n: number, text: string) {
  const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports });
  const prefix = redis.prefix();
  const receiver = await startReceiver(prefix, [vendors[vendor].format]);
  const sender: CampaignSender = vendors[vendor].sender(sandbox);
  const campaignId = `c-${vendor}`;
  const recipients = gbNumbers(n, 2000);
  await enqueueCampaign({ connection: redis.url, prefix, campaignId, sender, recipients, message: { ...vendors[vendor].message, text }, batchSize: 5 });
  const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: `${receiver.url}/dlr`, secret } });
  try {
    await waitDone(redis.url, campaignId, prefix);
  } finally {
    await worker.close();
  }
  // A report that overtook its batch's answer is placed once the answer is recorded.
  expect(await receiveAll(sandbox, receiver)).toBe(0);
  return { sandbox, receiver, prefix, campaignId, recipients, sender };
}

const DELIVERED = ['DELIVERED', 'DELIVERED_TO_HANDSET'];
const truthOf = (sandbox: Sandbox) => new Map(sandbox.messages().map((m) => [`+${m.to.replace(/\D/g, '')}`, DELIVERED.some((d) => m.status.startsWith(d)) ? 'delivered' : 'failed']));

describe.skipIf(!redisAvailable)('a queue campaign\'s delivery states in Redis', () => {
  for (const vendor of ['smscx', 'infobip'] as const) {
    it(`${vendor}: duplicated, shuffled, per-part reports converge to the vendor's final state per recipient, and the same reports again in reverse order through a second receiver change nothing`, async () => {
      const long = 'Your parcel is on its way. '.repeat(7);
      const run = await campaignWithReports(vendor, { seed: 7, failures: 0.3, intermediate: true, perPart: true, duplicates: 0.5, outOfOrder: true, delayMs: [0, 20] }, 12, long);
      const { sandbox, receiver, prefix, campaignId, recipients } = run;
      try {
        expect(receiver.handler.stats.refused).toMatchObject({ forged: 0, unsigned: 0, invalid_report: 0, record_failed: 0 });
        // Every request carried its batch's signed callback URL.
        expect(sandbox.messages().every((m) => m.callbackUrl?.startsWith(`${receiver.url}/dlr?msgkit_token=`))).toBe(true);
        const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
        const truth = truthOf(sandbox);
        const expected = { delivered: 0, failed: 0 };
        for (const to of recipients) expected[truth.get(to) as 'delivered' | 'failed']++;
        expect(expected.failed).toBeGreaterThan(0);
        expect(status.deliveries).toMatchObject({ ...expected, pending: 0, unknown: 0, unplaced: 0 });
        const records = new DeliveryRecords(client, prefix, campaignId);
        const before = await records.all();
        expect([...before.keys()].sort()).toEqual([...recipients].sort());
        for (const [to, record] of before) expect([to, standingOf(record).state]).toEqual([to, truth.get(to)]);
        // Several parts and statuses per message reached the record.
        expect(Math.max(...[...before.values()].map((r) => r.events.length))).toBeGreaterThan(2);
        const counts = await client.hgetall(records.keys.counts);

        // A receiver started again (on the same address) has no memory of the posts before: every report reaches Redis again, last first.
        await receiver.close();
        const second = await startReceiver(prefix, [vendors[vendor].format], Number(new URL(receiver.url).port));
        try {
          for (const d of [...sandbox.deliveries()].reverse()) {
            const answer = await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) });
            // The sandbox's own duplicates are byte-identical posts: the second of each is a replay.
            expect([200, 403]).toContain(answer.status);
          }
          expect(second.handler.stats.accepted).toBeGreaterThanOrEqual(new Set(sandbox.deliveries().map((d) => JSON.stringify(d.body))).size);
          expect(second.handler.stats.refused).toMatchObject({ forged: 0, expired: 0, record_failed: 0 });
        } finally {
          await second.close();
        }
        expect(await records.all()).toEqual(before);
        expect(await client.hgetall(records.keys.counts)).toEqual(counts);
      } finally {
        await receiver.close().catch(() => undefined);
        await sandbox.close();
      }
    });
  }

  for (const vendor of ['smscx', 'smsworks', 'infobip'] as const) {
    it(`${vendor}: with 20 % of reports dropped, no recipient is pending after reconcileCampaign, each stands as the vendor holds it, and late reports change nothing`, async () => {
      const run = await campaignWithReports(vendor, { seed: 20, drop: 0.2, failures: 0.3, intermediate: true, duplicates: 0.3, outOfOrder: true }, 30, 'Hi');
      const { sandbox, receiver, prefix, campaignId, recipients, sender } = run;
      try {
        const before = (await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries;
        expect(sandbox.deliveries().some((d) => d.dropped)).toBe(true);
        expect(before.pending).toBeGreaterThan(0);

        const summary = (await reconcileCampaign({ connection: redis.url, prefix, campaignId, sender, horizonMs: 0 }))!;
        expect(summary.records).toBeGreaterThan(0);
        expect(summary.senders[vendor]!.rateLimit).toBeDefined();
        const after = (await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries;
        expect(after).toMatchObject({ pending: 0, unknown: 0 });
        const truth = truthOf(sandbox);
        const records = await new DeliveryRecords(client, prefix, campaignId).all();
        for (const to of recipients) expect([to, standingOf(records.get(to)!).state]).toEqual([to, truth.get(to)]);
        // Each answer is kept with the requests that gave it.
        const kept = await new DeliveryRecords(client, prefix, campaignId).reconciled();
        expect(kept.length).toBe(summary.records);
        expect(kept.every((r) => r.proof.length > 0)).toBe(true);
        // Nothing left to ask: a second pass asks nothing.
        expect((await reconcileCampaign({ connection: redis.url, prefix, campaignId, sender, horizonMs: 0 }))!.records).toBe(0);

        // A fifth of the lost reports come after all (late, past the horizon), in-flight ones among them: nothing regresses.
        const late = sandbox.deliveries().filter((d) => d.dropped).filter((_, i) => i % 5 === 0);
        expect(late.length).toBeGreaterThan(0);
        for (const d of late) expect((await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status).toBe(200);
        expect(await receiver.recorder.flush()).toBe(0);
        const later = await new DeliveryRecords(client, prefix, campaignId).all();
        for (const to of recipients) expect([to, standingOf(later.get(to)!)]).toEqual([to, standingOf(records.get(to)!)]);
        expect((await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries).toEqual(after);
      } finally {
        await receiver.close();
        await sandbox.close();
      }
    });
  }

  it('keeps every report of one recipient written at once by several receivers (each on its own connection), in any order, with counters that match the records', async () => {
    const prefix = redis.prefix();
    const to = '+447400009999';
    const event = (status: 'accepted' | 'sent' | 'delivered', final: boolean, part?: number): DeliveryEvent => ({
      vendor: 'smscx',
      messageId: 'm-1',
      status,
      final,
      raw: { status: status.toUpperCase() },
      at: `2026-01-02T03:04:0${part ?? 0}Z`,
      ...(part !== undefined && { part: { index: part, count: 3 } }),
    });
    const events = [event('accepted', false), event('sent', false), ...[1, 2, 3].map((p) => event('delivered', true, p)), event('sent', false, 2)];
    const clients = events.map(() => new Redis(redis.url));
    try {
      // Every writer reads the same empty record first: all but one must find it changed, and reduce again.
      await Promise.all(events.map((e, i) => new DeliveryRecords(clients[i]!, prefix, 'race').apply(to, 0, [e])));
      const records = new DeliveryRecords(client, prefix, 'race');
      const record = (await records.get(to))!;
      expect(record.events).toHaveLength(events.length);
      expect(standingOf(record)).toMatchObject({ state: 'delivered', status: 'delivered' });
      expect((await records.counts()).byState).toEqual({ delivered: 1, failed: 0, pending: 0, unknown: 0 });
      // The same events again, last first, one writer: nothing changes.
      for (const e of [...events].reverse()) await records.apply(to, 0, [e]);
      expect(await records.get(to)).toEqual(record);
      expect((await records.counts()).byState).toEqual({ delivered: 1, failed: 0, pending: 0, unknown: 0 });
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('refuses delivery reports for a sender whose vendor takes no callback URL per send (Octopush), before taking any batch', () => {
    const sender = octopushSender({ apiLogin: 'a@b.c', apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    expect(() => createCampaignWorker({ connection: redis.url, sender, deliveryReports: { url: 'https://hooks.example.com/dlr', secret } })).toThrow(/octopush takes no callback URL per send/);
  });
});
