/**
 * Delivery states of a queue campaign sent through a chain of senders, end to end over loopback:
 * a real Redis, the sandbox posting real reports to each vendor's own signed callback URL, a
 * receiver built from `createWebhookHandler` and `createDeliveryRecorder`, and `reconcileCampaign`
 * asking each vendor of the chain about the recipients it holds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DeliveryEvent } from '@msgkit/core';
import { octopushSender } from '@msgkit/octopush';
import { startSandbox, type ReportBehaviour, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import {   verifyCallbackUrl } from '@msgkit/webhooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DeliveryRecords, standingOf } from './deliveries';
import { RedisJournal } from './journal';
import { enqueueCampaign } from './producer';
import { reconcileCampaign } from './reconcileStore';
import { campaignRecipients, campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis, client } = useTestRedis();

const startReceiver = (prefix: string) => startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });

const senders = (sandbox: Sandbox) => ({
  smscx: smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }),
  smsworks: smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }),
});
// The SMS Works' documented refusal of a credential (shared/vendors/smsworks.md): nothing was sent, the batch moves on.
const SMSWORKS_401 = { vendor: 'smsworks' as const, path: '/batch/send', count: 1, status: 401, body: { message: 'UNAUTHORIZED', errorCode: 401, status: 'UNAUTHORIZED' } };
const smscxAnswer = (entries: Array<[string, string]>) => ({
  info: { campaignId: randomUUID(), totalPhoneNumbers: entries.length, totalParts: 0, totalCost: 0, currency: 'EUR', scheduled: false },
  data: entries.map(([to, status]) => ({ msgId: randomUUID(), status, statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0, to, countryIso: 'GB', from: 'Shop', parts: 1 })),
});
const DELIVERED = ['DELIVERED', 'DELIVERED_TO_HANDSET'];
/** Each vendor's final word per recipient, E.164 → [vendor, state]. */
const truthOf = (sandbox: Sandbox) => {
  const out = new Map<string, [string, 'delivered' | 'failed']>();
  for (const vendor of ['smscx', 'smsworks'] as const) {
    for (const m of sandbox.messages(vendor)) out.set(`+${m.to.replace(/\D/g, '')}`, [vendor, DELIVERED.some((d) => m.status.startsWith(d)) ? 'delivered' : 'failed']);
  }
  return out;
};

/** Runs a chain campaign [smsworks, smscx] whose first request The SMS Works refuses (so SMS.CX takes a batch), until every report posted was received. */
async function chainCampaign(reports: ReportBehaviour, n: number, text: string) {
  const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports });
  const prefix = redis.prefix();
  const receiver = await startReceiver(prefix);
  const chain = () => [senders(sandbox).smsworks, senders(sandbox).smscx];
  const campaignId = `chain-${randomUUID()}`;
  const recipients = gbNumbers(n, 3000);
  await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients, message: { from: 'Shop', text }, batchSize: 5 });
  sandbox.faults.add(SMSWORKS_401);
  const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret } });
  try {
    await waitDone(redis.url, campaignId, prefix);
  } finally {
    await worker.close();
  }
  expect(await receiveAll(sandbox, receiver)).toBe(0);
  return { sandbox, receiver, prefix, campaignId, recipients, chain };
}

describe.skipIf(!redisAvailable)("a chain queue campaign's delivery states in Redis", () => {
  it('signs a callback URL per batch and per sender (the token names the vendor that sent), and every report lands on its recipient: the campaign counts each as its vendor says', async () => {
    const run = await chainCampaign({ seed: 3, failures: 0.3, intermediate: true, duplicates: 0.5, outOfOrder: true, delayMs: [0, 20] }, 20, 'Chain hello');
    const { sandbox, receiver, prefix, campaignId, recipients } = run;
    try {
      expect(receiver.handler.stats.refused).toMatchObject({ forged: 0, unsigned: 0, invalid_report: 0, record_failed: 0 });
      const truth = truthOf(sandbox);
      // Both vendors sent some: SMS.CX the batch The SMS Works refused, The SMS Works the rest.
      expect(sandbox.messages('smscx').length).toBe(5);
      expect(sandbox.messages('smsworks').length).toBe(15);
      const records = (await campaignRecipients(redis.url, campaignId, { prefix }))!;
      for (const vendor of ['smscx', 'smsworks'] as const) {
        for (const m of sandbox.messages(vendor)) {
          const url = new URL(m.callbackUrl!);
          expect(`${url.origin}${url.pathname}`).toBe(`${receiver.url}/dlr`);
          const check = verifyCallbackUrl(url, [secret]);
          expect(check.ok).toBe(true);
          const to = `+${m.to.replace(/\D/g, '')}`;
          const record = records.find((r) => r.to === to)!;
          // The URL names the vendor that sent it, and the recipient's batch.
          expect(check.ok && [check.claims.vendor, check.claims.campaign, check.claims.batch]).toEqual([vendor, campaignId, record.batch]);
          expect(record.sentBy).toBe(vendor);
        }
      }
      const expected = { delivered: 0, failed: 0 };
      for (const to of recipients) expected[truth.get(to)![1]]++;
      expect(expected.failed).toBeGreaterThan(0);
      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      expect(status.deliveries).toMatchObject({ ...expected, pending: 0, unknown: 0, unplaced: 0 });
      const all = await new DeliveryRecords(client, prefix, campaignId).all();
      for (const to of recipients) expect([to, all.get(to)?.holder, standingOf(all.get(to)!).state]).toEqual([to, ...truth.get(to)!]);
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it("keeps a recipient's state as the vendor that sent it says: a report of another vendor of the chain (one that refused it, or never had it) changes nothing, whenever it comes", async () => {
    const run = await chainCampaign({ seed: 5, failures: 0 }, 10, 'Chain owner');
    const { sandbox, receiver, prefix, campaignId } = run;
    try {
      const records = (await campaignRecipients(redis.url, campaignId, { prefix }))!;
      const bySmscx = records.find((r) => r.sentBy === 'smscx')!;
      const bySmsworks = records.find((r) => r.sentBy === 'smsworks')!;
      // SMS.CX's batch was refused by The SMS Works first: its recipients were tried there.
      expect(bySmscx.tried.map((t) => `${t.sender}:${t.outcome}`)).toEqual(['smsworks:refused', 'smscx:sent']);
      const store = new DeliveryRecords(client, prefix, campaignId);
      const before = await store.all();
      expect(standingOf(before.get(bySmscx.to)!).state).toBe('delivered');
      const statusBefore = (await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries;
      expect(statusBefore).toMatchObject({ delivered: 10, failed: 0, pending: 0 });
      const failedReport = (vendor: string, to: string, batch: number): DeliveryEvent => ({
        vendor,
        messageId: `foreign-${to}`,
        status: 'failed',
        final: true,
        raw: { status: 'UNDELIVERABLE' },
        at: '2030-01-01T00:00:00Z',
        to,
        reference: { campaign: campaignId, batch },
      });
      // The SMS Works refused this one (401) before SMS.CX sent it; SMS.CX never had that one.
      await receiver.recorder.record({ events: [failedReport('smsworks', bySmscx.to, bySmscx.batch), failedReport('smscx', bySmsworks.to, bySmsworks.batch)] });
      const after = await store.all();
      expect(standingOf(after.get(bySmscx.to)!)).toEqual(standingOf(before.get(bySmscx.to)!));
      expect(standingOf(after.get(bySmsworks.to)!)).toEqual(standingOf(before.get(bySmsworks.to)!));
      expect((await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries).toEqual(statusBefore);
      // The same foreign report first, then the vendor's own again: the same state (order does not matter).
      const own = sandbox.deliveries().filter((d) => d.vendor === 'smscx');
      expect(own.length).toBeGreaterThan(0);
      // A byte-identical post is a replay (403) to the receiver that took it; the rest are taken again.
      for (const d of own) expect([200, 403]).toContain((await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status);
      for (const to of [bySmscx.to, bySmsworks.to]) expect(standingOf((await store.get(to))!)).toEqual(standingOf(before.get(to)!));
      // The holder's own failure does decide.
      await receiver.recorder.record({ events: [{ ...failedReport('smscx', bySmscx.to, bySmscx.batch), messageId: 'smscx-own', at: '2030-01-02T00:00:00Z' }] });
      expect(standingOf((await store.get(bySmscx.to))!).state).toBe('delivered');
      await receiver.recorder.record({ events: [{ ...failedReport('smsworks', bySmsworks.to, bySmsworks.batch), messageId: 'smsworks-own' }] });
      // Two final words of the vendor that sent it, one delivered: delivered stands (the reducer's rule for any campaign).
      expect(standingOf((await store.get(bySmsworks.to))!).state).toBe('delivered');
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('reconcileCampaign asks each vendor of the chain, at its own pace, about the recipients it holds, and leaves none pending; late reports change nothing', async () => {
    const run = await chainCampaign({ seed: 21, drop: 0.5, failures: 0.3, intermediate: true, duplicates: 0.3, outOfOrder: true }, 30, 'Chain reconcile');
    const { sandbox, receiver, prefix, campaignId, recipients, chain } = run;
    try {
      const before = (await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries;
      expect(before.pending).toBeGreaterThan(0);
      // Both vendors hold recipients whose final report was lost.
      const held = await new DeliveryRecords(client, prefix, campaignId).all();
      const pendingAt = (vendor: string) => recipients.filter((to) => truthOf(sandbox).get(to)![0] === vendor && !['delivered', 'failed'].includes(held.get(to) ? standingOf(held.get(to)!).state : 'pending'));
      expect(pendingAt('smscx').length).toBeGreaterThan(0);
      expect(pendingAt('smsworks').length).toBeGreaterThan(0);
      const summary = (await reconcileCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), horizonMs: 0 }))!;
      expect(Object.keys(summary.senders).sort()).toEqual(['smscx', 'smsworks']);
      expect(summary.senders.smscx!.rateLimit).toBeDefined();
      expect(summary.senders.smsworks!.rateLimit).toBeDefined();
      const kept = await new DeliveryRecords(client, prefix, campaignId).reconciled();
      expect(kept.length).toBe(summary.records);
      // Each vendor was asked only about recipients it sent.
      const records = (await campaignRecipients(redis.url, campaignId, { prefix }))!;
      const vendorOf = new Map(records.map((r) => [r.to, r.sentBy]));
      for (const entry of kept) for (const v of entry.recipients) expect([v.to, vendorOf.get(v.to)]).toEqual([v.to, entry.sender]);
      expect(new Set(kept.map((k) => k.sender))).toEqual(new Set(['smscx', 'smsworks']));
      const after = (await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries;
      expect(after).toMatchObject({ pending: 0, unknown: 0 });
      const truth = truthOf(sandbox);
      const all = await new DeliveryRecords(client, prefix, campaignId).all();
      for (const to of recipients) expect([to, standingOf(all.get(to)!).state]).toEqual([to, truth.get(to)![1]]);
      expect((await reconcileCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), horizonMs: 0 }))!.records).toBe(0);
      const late = sandbox.deliveries().filter((d) => d.dropped);
      expect(late.length).toBeGreaterThan(0);
      for (const d of late) expect((await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status).toBe(200);
      expect((await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries).toEqual(after);
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('counts apart the sent and the unknown recipients of one chain batch, and asks about each only the vendor that holds it: the unknown ones of the attempt that may have them', async () => {
    // No report ever comes: only what the test records and what reconcile finds.
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 1, drop: 1 } });
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix);
    const campaignId = 'chain-mixed';
    const numbers = gbNumbers(5, 3700);
    const chain = () => [senders(sandbox).smscx, senders(sandbox).smsworks];
    try {
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients: numbers, message: { from: 'Shop', text: 'Chain mixed' }, batchSize: 5 });
      // SMS.CX takes three and refuses two for no coverage (they move on); The SMS Works acts on those two, and its answer is lost.
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 200, body: smscxAnswer(numbers.map((to, i) => [to, i < 3 ? 'ACCEPTED' : 'NO COVERAGE'])) });
      sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, after: true, drop: true });
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret } });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      const records = (await campaignRecipients(redis.url, campaignId, { prefix }))!;
      expect(records.map((r) => [r.to, r.status, r.sentBy ?? r.tried.at(-1)!.sender])).toEqual(numbers.map((to, i) => [to, i < 3 ? 'sent' : 'unknown', i < 3 ? 'smscx' : 'smsworks']));
      expect((await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries).toMatchObject({ delivered: 0, failed: 0, pending: 3, unknown: 2 });
      // SMS.CX reports one of its three delivered (by its message id alone, as SMS.CX reports do).
      const first = records[0]!;
      await receiver.recorder.record({ events: [{ vendor: 'smscx', messageId: first.id!, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-01-01T00:00:00Z', reference: { campaign: campaignId, batch: 0 } }] });
      expect(standingOf((await new DeliveryRecords(client, prefix, campaignId).get(first.to))!).state).toBe('delivered');
      // The record of a sent recipient does not make an unknown one pending.
      expect((await campaignStatus(redis.url, campaignId, { prefix }))!.deliveries).toMatchObject({ delivered: 1, failed: 0, pending: 2, unknown: 2 });

      await reconcileCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), horizonMs: 0 });
      const kept = await new DeliveryRecords(client, prefix, campaignId).reconciled();
      const attempts = await new RedisJournal(client, prefix).attempts(campaignId, 0);
      const unknownAttempt = attempts.find((a) => a.sender === 'smsworks')!;
      expect(unknownAttempt.outcome?.status).toBe('unknown');
      const asked = kept.map((k) => [k.sender, k.kind, k.attempt, k.recipients.map((v) => v.to).sort()]);
      expect(asked).toContainEqual(['smsworks', 'batch', unknownAttempt.attempt, numbers.slice(3)]);
      expect(asked.filter(([sender]) => sender === 'smscx')).toEqual([['smscx', 'messages', 0, numbers.slice(1, 3)]]);
      expect(asked.every(([sender, kind]) => (sender === 'smsworks' ? kind === 'batch' : true))).toBe(true);
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('refuses delivery reports for a chain with a vendor that takes no callback URL per send (Octopush), before taking any batch', () => {
    const chain = [smscxSender({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }), octopushSender({ apiLogin: 'a@b.c', apiKey: 'k', baseUrl: 'http://127.0.0.1:9' })];
    expect(() => createCampaignWorker({ connection: redis.url, senders: chain, deliveryReports: { url: 'https://hooks.example.com/dlr', secret } })).toThrow(/octopush takes no callback URL per send/);
  });

  it('reconcileCampaign refuses a chain campaign given only some of its senders, before asking anything', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const prefix = redis.prefix();
    try {
      const s = senders(sandbox);
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'chain-partial', senders: [s.smsworks, s.smscx], recipients: gbNumbers(2, 3900), message: { from: 'Shop', text: 'x' }, batchSize: 2 });
      await expect(reconcileCampaign({ connection: redis.url, prefix, campaignId: 'chain-partial', senders: [s.smscx], horizonMs: 0 })).rejects.toThrow(/sent with the chain smsworks -> smscx/);
      await expect(reconcileCampaign({ connection: redis.url, prefix, campaignId: 'chain-partial', sender: s.smsworks, horizonMs: 0 })).rejects.toThrow(/give each of its senders once/);
    } finally {
      await sandbox.close();
    }
  });
});
