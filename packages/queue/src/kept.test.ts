/**
 * Reports kept on Octopush's account URL (a ticket no batch indexed), over loopback with a real
 * Redis: the account URL gets the reports of every send of the Octopush account, msgkit's or not,
 * so the kept set can hold any number of foreign reports. Work per flush must not grow with them,
 * a ticket still unknown after the window moves its reports to the counted unplaceable record, and
 * a ticket indexed before the window ends has its reports placed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AttemptOutcome, DeliveryEvent } from '@msgkit/core';
import { sendWithFailover } from '@msgkit/core';
import { DEFAULT_TIMEOUT_MS } from '@msgkit/core/internal';
import { octopushReports, octopushSender } from '@msgkit/octopush';
import { startSandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { createCallbackUrl } from '@msgkit/webhooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { dedupeKeyOf } from './batch';
import { redisFailoverJournal } from './chain';
import { DeliveryRecords } from './deliveries';
import { failoverCampaign } from './failover';
import { RedisJournal } from './journal';
import { createDeliveryRecorder } from './recorder';
import { formatCampaignStatus } from './format';
import { enqueueCampaign } from './producer';
import { campaignStatus } from './status';
import { frNumbers, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { unindexedKey, VendorIds, vendorIdKey } from './vendorIds';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const OCTOPUSH = { octopush: { type: 'sms_premium', purpose: 'alert' } };
const HOUR = 3600 * 1000;
/** SMS.CX's answer to a send, one status per recipient (`NO COVERAGE` refuses one, and it moves on). */
const smscxAnswer = (entries: Array<[string, string]>) => ({
  info: { campaignId: randomUUID(), totalPhoneNumbers: entries.length, totalParts: 0, totalCost: 0, currency: 'EUR', scheduled: false },
  data: entries.map(([to, status]) => ({ msgId: randomUUID(), status, statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0, to, countryIso: 'FR', from: 'Shop', parts: 1 })),
});
const { redis, client } = useTestRedis();

/** A receiver on the account URL whose clock the test moves (ms since the epoch). */
async function startReceiver(prefix: string, options: { window: number; cap?: number }) {
  const clock = { now: Date.UTC(2026, 11, 7, 10) };
  const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [octopushReports], secret, recorder: { keptWindowMs: options.window, ...(options.cap !== undefined && { agedOutCap: options.cap }), now: () => clock.now } });
  const accountUrl = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'octopush', expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000) });
  return { ...receiver, accountUrl, clock };
}

const report = (ticket: string, number: string, status: string) => ({ channel: 'sms', message_id: ticket, list_name: '', number, status, unit_price: 0.065, delivery_date: '2026-12-07 10:00:00', meta_data: {} });
const post = async (url: string, body: unknown) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

/** A foreign report, as the receiver keeps it: another send of the Octopush account. */
const foreign = (i: number): DeliveryEvent => ({ vendor: 'octopush', messageId: `sms_foreign${Math.floor(i / 5)}#+3370${String(i).padStart(7, '0')}`, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, to: `+3370${String(i).padStart(7, '0')}` });

/** Every command Redis ran (scripts' own calls included) since the last CONFIG RESETSTAT. */
/** The chain of the code-120 chain tests: Octopush first (it answers a repeated request_id with code 120), then SMS.CX; no retries. */
const octopushThenSmscx = (sandbox: { baseUrls: { octopush: string; smscx: string } }) => [
  octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 }),
  smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }),
];

async function commandsRun(): Promise<number> {
  const info = await client.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** A campaign of `recipients` enqueued with a sandbox sender (nothing sent: the test posts its reports). */
async function enqueue(prefix: string, campaignId: string, recipients: string[]) {
  const sandbox = await startSandbox({ port: 0 });
  try {
    const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId, sender, recipients, message: { from: 'Shop', text: 'Hello', options: OCTOPUSH }, batchSize: 5 });
  } finally {
    await sandbox.close();
  }
}

describe.skipIf(!redisAvailable)("reports kept on Octopush's account URL", () => {
  it("does bounded work per flush with 100 000 foreign reports kept: the campaign's reports are placed once their ticket is indexed, and ageing moves a bounded number of foreign tickets per pass", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    try {
      const ids = new VendorIds(client, prefix);
      for (let i = 0; i < 100_000; i += 2000) await Promise.all(Array.from({ length: 2000 }, (_, j) => ids.keep(foreign(i + j), receiver.clock.now)));
      // Some foreign reports over HTTP too, as the account URL gets them.
      for (let i = 0; i < 5; i++) expect(await post(receiver.accountUrl, report(`sms_http${i}`, '+33700000001', 'DELIVERED'))).toBe(200);
      const recipients = frNumbers(3, 8000);
      await enqueue(prefix, 'c-many', recipients);
      // The campaign's reports overtake the worker's index of their ticket: kept too.
      for (const to of recipients) expect(await post(receiver.accountUrl, report('sms_0000000000c01', to, 'DELIVERED'))).toBe(200);
      expect(await ids.keptCount()).toBe(100_008);
      await ids.index('octopush', ['sms_0000000000c01'], { campaign: 'c-many', batch: 0 });

      await client.config('RESETSTAT');
      const waiting = await receiver.recorder.flush();
      const commands = await commandsRun();
      expect(commands).toBeLessThan(1000);
      expect(waiting).toBe(100_005);
      const records = new DeliveryRecords(client, prefix, 'c-many');
      for (const to of recipients) expect((await records.get(to))?.events.map((e) => e.status), to).toEqual(['delivered']);

      // A pass with nothing indexed and nothing old enough reads no kept report.
      await client.config('RESETSTAT');
      expect(await receiver.recorder.flush()).toBe(100_005);
      expect(await commandsRun()).toBeLessThan(50);

      // Past the window every foreign ticket is old enough: one pass moves a bounded number of them.
      receiver.clock.now += 24 * HOUR + 1;
      await client.config('RESETSTAT');
      const left = await receiver.recorder.flush();
      expect(await commandsRun()).toBeLessThan(3000);
      // At most keptPerFlush (100) tickets, of up to 5 reports each.
      expect(100_005 - left).toBeGreaterThanOrEqual(100);
      expect(100_005 - left).toBeLessThanOrEqual(500);
      expect(await ids.agedOutCount()).toBe(100_005 - left);
    } finally {
      await receiver.close();
    }
  });

  it('moves a foreign report whose ticket is still unknown after the window to the unplaceable record, counted in campaign status and kept for proof up to the cap', async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR, cap: 2 });
    try {
      const ids = new VendorIds(client, prefix);
      await enqueue(prefix, 'c-aged', frNumbers(2, 8100));
      for (let i = 0; i < 3; i++) expect(await post(receiver.accountUrl, report(`sms_foreign00${i}`, `+3370000000${i}`, 'DELIVERED'))).toBe(200);
      receiver.clock.now += 24 * HOUR - 1;
      expect(await receiver.recorder.flush()).toBe(3);
      expect([await ids.keptCount(), await ids.agedOutCount()]).toEqual([3, 0]);

      receiver.clock.now += 2;
      expect(await receiver.recorder.flush()).toBe(0);
      expect([await ids.keptCount(), await ids.agedOutCount()]).toEqual([0, 3]);
      // The record keeps the last `cap` of them, each with its report and why; the count counts all.
      const proof = await ids.agedOut();
      expect(proof).toHaveLength(2);
      for (const p of proof) expect(p).toMatchObject({ reason: 'ticket_unknown', event: { vendor: 'octopush', status: 'delivered' } });
      const status = (await campaignStatus(redis.url, 'c-aged', { prefix }))!;
      expect(status.deliveries).toMatchObject({ unindexed: 0, agedOut: 3 });
      expect(formatCampaignStatus(status)).toContain('3 report(s) on a vendor\'s account URL named a message id no batch recorded within');
    } finally {
      await receiver.close();
    }
  });

  it("moves the reports an earlier version kept in its one hash to the keys by ticket, a bounded number per flush, placing those whose ticket is indexed now and dropping none, not even one its batch cannot place", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    try {
      const ids = new VendorIds(client, prefix);
      const recipients = frNumbers(2, 8300);
      await enqueue(prefix, 'c-legacy', recipients);
      const ours: DeliveryEvent = { vendor: 'octopush', messageId: `sms_00000000legacy#${recipients[0]}`, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, to: recipients[0]! };
      await client.hset(unindexedKey(prefix), 'd-ours', JSON.stringify(ours));
      // Of the same ticket, for a number its batch does not hold: it can never be placed, and must not be lost either.
      await client.hset(unindexedKey(prefix), 'd-stray', JSON.stringify({ ...ours, messageId: 'sms_00000000legacy#+33699999998', to: '+33699999998' }));
      for (let i = 0; i < 250; i++) await client.hset(unindexedKey(prefix), `d-${i}`, JSON.stringify(foreign(i)));
      await ids.index('octopush', ['sms_00000000legacy'], { campaign: 'c-legacy', batch: 0 });
      expect(await ids.keptCount()).toBe(252);
      for (let pass = 0; pass < 10 && (await client.hlen(unindexedKey(prefix))) > 0; pass++) {
        const before = await client.hlen(unindexedKey(prefix));
        await receiver.recorder.flush();
        expect(before - (await client.hlen(unindexedKey(prefix)))).toBeLessThanOrEqual(100 + 10);
      }
      expect(await client.exists(unindexedKey(prefix))).toBe(0);
      expect(await ids.keptCount()).toBe(250);
      expect(await ids.agedOut()).toMatchObject([{ reason: 'not_in_batch', event: { to: '+33699999998' } }]);
      expect((await new DeliveryRecords(client, prefix, 'c-legacy').get(recipients[0]!))?.events.map((e) => e.status)).toEqual(['delivered']);
    } finally {
      await receiver.close();
    }
  });

  it('places, not ages out, a report whose ticket is indexed just before the window ends, also when the index was written without marking its kept reports (an older worker)', async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    try {
      const ids = new VendorIds(client, prefix);
      const recipients = frNumbers(2, 8200);
      await enqueue(prefix, 'c-late', recipients);
      expect(await post(receiver.accountUrl, report('sms_000000000late1', recipients[0]!, 'DELIVERED'))).toBe(200);
      expect(await post(receiver.accountUrl, report('sms_000000000late2', recipients[1]!, 'NOT_DELIVERED'))).toBe(200);
      receiver.clock.now += 24 * HOUR - 1;
      expect(await receiver.recorder.flush()).toBe(2);
      await ids.index('octopush', ['sms_000000000late1'], { campaign: 'c-late', batch: 0 });
      // An older worker's index: the key alone, nothing marks the kept reports ready.
      await client.set(vendorIdKey(prefix, 'octopush', 'sms_000000000late2'), JSON.stringify({ campaign: 'c-late', batch: 0 }));
      receiver.clock.now += 2;
      // The first pass finds the second ticket indexed while ageing it, the next places it.
      await receiver.recorder.flush();
      expect(await receiver.recorder.flush()).toBe(0);
      expect(await ids.agedOutCount()).toBe(0);
      const records = new DeliveryRecords(client, prefix, 'c-late');
      expect((await records.get(recipients[0]!))?.events.map((e) => e.status)).toEqual(['delivered']);
      expect((await records.get(recipients[1]!))?.events.map((e) => e.status)).toEqual(['undelivered']);
    } finally {
      await receiver.close();
    }
  });

  it("says which batch's reports cannot be placed when a worker died after Octopush accepted the batch and the resend met code 120 from the sandbox: sent once, kept unplaced, named in the status", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 1, webhooks: { octopush: receiver.accountUrl } });
    try {
      const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      const recipients = frNumbers(3, 8400);
      const message = { from: 'Shop', text: 'Hello', options: OCTOPUSH };
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c-120', sender, recipients, message, batchSize: 5 });
      // A worker began batch 0, Octopush accepted it, and the worker died before it read the answer (its ticket) or recorded anything.
      await new RedisJournal(client, prefix).begin('c-120', 0, 'dead-worker');
      const { fingerprint: digest } = (await campaignStatus(redis.url, 'c-120', { prefix }))!;
      const lost = await sender.send(recipients, message, { dedupeKey: dedupeKeyOf({ campaignId: 'c-120', index: 0, digest }) });
      expect(lost.ids).toEqual([expect.stringMatching(/^sms_/)]);
      const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: `${receiver.url}/dlr`, secret, accountUrl: true } });
      let status;
      try {
        status = await waitDone(redis.url, 'c-120', prefix);
      } finally {
        await worker.close();
      }
      // The resend carried the same request_id; the sandbox refused it with 120 and sent nothing.
      const sends = sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign');
      expect(sends.map((r) => [r.status, r.acted, r.messages])).toEqual([
        [200, true, 3],
        [400, false, 0],
      ]);
      expect(sandbox.received('octopush')).toHaveLength(1);
      expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual([...recipients].sort());
      expect(status.sent.recipients).toBe(3);
      expect(status.unknown.batches).toBe(0);
      expect(await new RedisJournal(client, prefix).outcome('c-120', 0)).toMatchObject({ outcome: 'sent', ids: [], duplicate: true, reports: 'ticket_unknown' });
      expect(await receiveAll(sandbox, receiver)).toBe(3);
      const after = (await campaignStatus(redis.url, 'c-120', { prefix }))!;
      expect(after.unplaceableBatches).toEqual([{ index: 0, count: 3, reason: 'ticket_unknown' }]);
      expect(after.deliveries).toMatchObject({ pending: 3, unindexed: 3 });
      expect(formatCampaignStatus(after)).toContain('batch 0 (3 recipients): sent, but the vendor gave no message id for it (Octopush code 120 to a resend');
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it("marks a chain batch the same way when a worker died after Octopush, the chain's first vendor, accepted it and the resumed chain's resend met code 120: sent by octopush once, no other vendor asked, named in the status", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 1, webhooks: { octopush: receiver.accountUrl } });
    try {
      const chain = () => octopushThenSmscx(sandbox);
      const recipients = frNumbers(3, 8500);
      const message = { from: 'Shop', text: 'Hello', options: OCTOPUSH };
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch-120', senders: chain(), recipients, message, batchSize: 5 });
      // A worker began batch 0 and its chain's first attempt; Octopush accepted it, and the worker
      // died before it recorded the answer: the journal's settle is where it stopped.
      const journal = new RedisJournal(client, prefix);
      await journal.begin('ch-120', 0, 'dead-worker');
      const { fingerprint: digest } = (await campaignStatus(redis.url, 'ch-120', { prefix }))!;
      const dying = { ...redisFailoverJournal(journal, 'ch-120'), settle: () => Promise.reject(new Error('worker died')) };
      await expect(sendWithFailover(chain(), recipients, message, { dedupeKey: dedupeKeyOf({ campaignId: 'ch-120', index: 0, digest }), batchIndex: 0, journal: dying })).rejects.toThrow('worker died');
      expect(sandbox.received('octopush')).toHaveLength(1);
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret, accountUrl: true } });
      let status;
      try {
        status = await waitDone(redis.url, 'ch-120', prefix);
      } finally {
        await worker.close();
      }
      const sends = sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign');
      expect(sends.map((r) => [r.status, r.acted, r.messages])).toEqual([
        [200, true, 3],
        [400, false, 0],
      ]);
      expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual([...recipients].sort());
      expect(sandbox.received('smscx')).toEqual([]);
      expect(status.sent.recipients).toBe(3);
      expect(status.unknown.batches).toBe(0);
      expect(await journal.outcome('ch-120', 0)).toMatchObject({ outcome: 'sent', sentBy: { octopush: 3 }, ids: [], reports: 'ticket_unknown' });
      expect(await receiveAll(sandbox, receiver)).toBe(3);
      const after = (await campaignStatus(redis.url, 'ch-120', { prefix }))!;
      expect(after.unplaceableBatches).toEqual([{ index: 0, count: 3, reason: 'ticket_unknown' }]);
      expect(formatCampaignStatus(after)).toContain('batch 0 (3 recipients): sent, but the vendor gave no message id for it (Octopush code 120 to a resend');
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it("counts in unplaceableBatches only the recipients of a chain batch that Octopush, answering the resumed chain's resend with code 120, holds: not those the first vendor sent", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 1, webhooks: { octopush: receiver.accountUrl } });
    try {
      const chain = () => [
        smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }),
        octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 }),
      ];
      const recipients = frNumbers(4, 8600);
      const message = { from: 'Shop', text: 'Hello', options: OCTOPUSH };
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch-120-part', senders: chain(), recipients, message, batchSize: 5 });
      // SMS.CX takes two and refuses two for no coverage: those two move on to Octopush.
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 200, body: smscxAnswer(recipients.map((to, i) => [to, i < 2 ? 'ACCEPTED' : 'NO COVERAGE'])) });
      // A worker recorded SMS.CX's answer, began the attempt at Octopush, which accepted it, and died before it recorded that answer.
      const journal = new RedisJournal(client, prefix);
      await journal.begin('ch-120-part', 0, 'dead-worker');
      const { fingerprint: digest } = (await campaignStatus(redis.url, 'ch-120-part', { prefix }))!;
      const record = redisFailoverJournal(journal, 'ch-120-part');
      const dying = { ...record, settle: (batch: number, attempt: number, outcome: AttemptOutcome) => (attempt === 0 ? record.settle(batch, attempt, outcome) : Promise.reject(new Error('worker died'))) };
      await expect(sendWithFailover(chain(), recipients, message, { dedupeKey: dedupeKeyOf({ campaignId: 'ch-120-part', index: 0, digest }), batchIndex: 0, journal: dying })).rejects.toThrow('worker died');
      expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual(recipients.slice(2).sort());
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret, accountUrl: true } });
      let status;
      try {
        status = await waitDone(redis.url, 'ch-120-part', prefix);
      } finally {
        await worker.close();
      }
      // The resend met code 120: nothing sent twice, SMS.CX not asked again.
      expect(sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign').map((r) => [r.status, r.acted, r.messages])).toEqual([
        [200, true, 2],
        [400, false, 0],
      ]);
      expect(sandbox.messages('octopush')).toHaveLength(2);
      expect(sandbox.requests('smscx').filter((r) => r.operationId === 'sendSms')).toEqual([]);
      expect(status.sent.recipients).toBe(4);
      expect(await journal.outcome('ch-120-part', 0)).toMatchObject({ outcome: 'sent', sentBy: { smscx: 2, octopush: 2 }, reports: 'ticket_unknown' });
      const after = (await campaignStatus(redis.url, 'ch-120-part', { prefix }))!;
      expect(after.unplaceableBatches).toEqual([{ index: 0, count: 2, reason: 'ticket_unknown' }]);
      expect(formatCampaignStatus(after)).toContain('batch 0 (2 recipients): sent, but the vendor gave no message id for it');
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it("counts in unplaceableBatches only the Octopush recipients of a chain batch still standing there after a timer moved others on to SMS.CX, the batch's resend having met code 120", async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix, { window: 24 * HOUR });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 1, webhooks: { octopush: receiver.accountUrl } });
    try {
      const chain = () => octopushThenSmscx(sandbox);
      const recipients = frNumbers(4, 8700);
      const message = { from: 'Shop', text: 'Hello', options: OCTOPUSH };
      const deliveryReports = { url: `${receiver.url}/dlr`, secret, accountUrl: true };
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch-120-moved', senders: chain(), recipients, message, batchSize: 5 });
      // A worker died after Octopush accepted the batch; the next one's resend met code 120.
      const journal = new RedisJournal(client, prefix);
      await journal.begin('ch-120-moved', 0, 'dead-worker');
      const { fingerprint: digest } = (await campaignStatus(redis.url, 'ch-120-moved', { prefix }))!;
      const dying = { ...redisFailoverJournal(journal, 'ch-120-moved'), settle: () => Promise.reject(new Error('worker died')) };
      await expect(sendWithFailover(chain(), recipients, message, { dedupeKey: dedupeKeyOf({ campaignId: 'ch-120-moved', index: 0, digest }), batchIndex: 0, journal: dying })).rejects.toThrow('worker died');
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports });
      try {
        await waitDone(redis.url, 'ch-120-moved', prefix);
      } finally {
        await worker.close();
      }
      expect((await campaignStatus(redis.url, 'ch-120-moved', { prefix }))!.unplaceableBatches).toEqual([{ index: 0, count: 4, reason: 'ticket_unknown' }]);
      // One recipient has its final report (placed by its campaign, batch and number); the three others have none an hour on, and the timer asked for by name moves them.
      const [first] = sandbox.messages('octopush').filter((m) => m.to === recipients[0]);
      await receiver.recorder.record({ events: [{ vendor: 'octopush', messageId: `${first!.id}#${recipients[0]}`, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-01-01T00:00:00Z', to: recipients[0]!, reference: { campaign: 'ch-120-moved', batch: 0 } }] });
      const moved = (await failoverCampaign({ connection: redis.url, prefix, campaignId: 'ch-120-moved', senders: chain(), deliveryReports, afterNoReportMs: 60_000, now: new Date(Date.now() + HOUR) }))!;
      expect(moved.moves.map((m) => m.to).sort()).toEqual(recipients.slice(1).sort());
      expect(sandbox.messages('smscx').map((m) => `+${m.to.replace(/\D/g, '')}`).sort()).toEqual(recipients.slice(1).sort());
      const after = (await campaignStatus(redis.url, 'ch-120-moved', { prefix }))!;
      expect(after.unplaceableBatches).toEqual([{ index: 0, count: 1, reason: 'ticket_unknown' }]);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it("refuses a window shorter than one send request may take (core's default request timeout, 30 s, or the sendTimeoutMs it is told) before connecting, with code kept_window_too_short", async () => {
    const nowhere = 'redis://127.0.0.1:9';
    for (const keptWindowMs of [0, 1000, DEFAULT_TIMEOUT_MS - 1]) {
      await expect(createDeliveryRecorder({ connection: nowhere, keptWindowMs })).rejects.toMatchObject({ code: 'validation_error', issues: [{ path: ['keptWindowMs'], code: 'kept_window_too_short' }] });
    }
    await expect(createDeliveryRecorder({ connection: nowhere, keptWindowMs: 59_999, sendTimeoutMs: 60_000 })).rejects.toMatchObject({ issues: [{ path: ['keptWindowMs'], code: 'kept_window_too_short', message: expect.stringContaining('60000') }] });
    for (const sendTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      await expect(createDeliveryRecorder({ connection: nowhere, sendTimeoutMs })).rejects.toMatchObject({ issues: [{ path: ['sendTimeoutMs'], code: 'invalid_send_timeout' }] });
    }
    // At the minimum it connects: a window as long as one request is taken.
    for (const options of [{ keptWindowMs: DEFAULT_TIMEOUT_MS }, { keptWindowMs: 1000, sendTimeoutMs: 1000 }]) {
      const recorder = await createDeliveryRecorder({ connection: redis.url, redisPersistence: 'accept-loss', ...options });
      expect(recorder.kept).toMatchObject({ keptWindowMs: options.keptWindowMs, sendTimeoutMs: options.sendTimeoutMs ?? DEFAULT_TIMEOUT_MS });
      await recorder.close();
    }
  });

  it('refuses a negative window, a negative or fractional cap and a per-flush bound under 1 before connecting, naming each', async () => {
    await expect(createDeliveryRecorder({ connection: 'redis://127.0.0.1:9', keptWindowMs: -1, agedOutCap: 1.5, keptPerFlush: 0 })).rejects.toMatchObject({
      issues: [
        { path: ['keptWindowMs'], code: 'invalid_kept_window' },
        { path: ['agedOutCap'], code: 'invalid_aged_out_cap' },
        { path: ['keptPerFlush'], code: 'invalid_kept_per_flush' },
      ],
    });
  });
});
