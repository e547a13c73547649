/**
 * Octopush reports of queue campaigns, over loopback: a real Redis, the sandbox posting every
 * report to the account's one callback URL (an account token, no campaign in it), a receiver built
 * from `createWebhookHandler` and `createDeliveryRecorder`, and a worker that indexes each batch's
 * ticket before its outcome.
 */
import { randomBytes } from 'node:crypto';
import { octopushReports, octopushSender } from '@msgkit/octopush';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { startSandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DeliveryRecords, standingOf } from './deliveries';
import { failoverCampaign } from './failover';
import { formatCampaignStatus } from './format';
import { enqueueCampaign } from './producer';
import { campaignStatus } from './status';
import { frNumbers, sendingWith, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { VendorIds, vendorIdKey } from './vendorIds';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const OCTOPUSH = { octopush: { type: 'sms_premium', purpose: 'alert' } };
const { redis, client } = useTestRedis();

/** The receiver, and the account URL: a token naming the vendor and an expiry, no campaign. */
async function startReceiver(prefix: string) {
  const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [octopushReports], secret });
  return { ...receiver, accountUrl: createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'octopush', expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000) }) };
}

const report = (ticket: string, number: string, status: string) => ({ channel: 'sms', message_id: ticket, list_name: '', number, status, unit_price: 0.065, delivery_date: '2026-12-07 10:00:00', meta_data: {} });
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe.skipIf(!redisAvailable)("Octopush reports of queue campaigns, on the account's one URL", () => {
  it('places every report the sandbox posts to the account URL on its recipient by the batch ticket the worker indexed, and campaign status shows Octopush delivered and failed', async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix);
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, webhooks: { octopush: receiver.accountUrl }, reports: { seed: 3, failures: 0.4, intermediate: true, outOfOrder: true, delayMs: [0, 10] } });
    try {
      const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      const recipients = frNumbers(12, 4000);
      const campaignId = 'c-octopush';
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, sender, recipients, message: { from: 'Shop', text: 'Your parcel is on its way', options: OCTOPUSH }, batchSize: 5 });
      const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: `${receiver.url}/dlr`, secret, accountUrl: true } });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      expect(await receiveAll(sandbox, receiver)).toBe(0);

      const truth = new Map(sandbox.messages('octopush').map((m) => [m.to, m.status === 'DELIVERED' ? 'delivered' : 'failed']));
      expect(truth.size).toBe(12);
      const records = new DeliveryRecords(client, prefix, campaignId);
      for (const to of recipients) {
        const record = await records.get(to);
        expect(record, to).toBeDefined();
        // Each batch's ticket placed its reports, each recipient by the number it names.
        expect(new Set(record!.events.map((e) => e.messageId.split('#')[0])).size).toBe(1);
      }
      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      const delivered = [...truth.values()].filter((s) => s === 'delivered').length;
      expect(status.deliveries).toMatchObject({ delivered, failed: 12 - delivered, pending: 0, unknown: 0 });
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(12);
      expect(formatCampaignStatus(status)).toContain(`delivery: ${delivered} delivered, ${12 - delivered} failed`);
      const outcomes = status.batches;
      expect(outcomes).toBe(3);
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('places the reports of the Octopush attempts of a chain campaign (Octopush, then SMS.CX) by their tickets, and the SMS.CX attempts\' by their signed URLs', async () => {
    const prefix = redis.prefix();
    const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [octopushReports, smscxReports], secret });
    const accountUrl = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'octopush', expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000) });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, webhooks: { octopush: accountUrl }, reports: { seed: 5, failures: 0.4, intermediate: true, outOfOrder: true } });
    try {
      const chain = () => [
        octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 }),
        smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }),
      ];
      const recipients = frNumbers(10, 6000);
      const campaignId = 'c-chain-octopush';
      // Octopush refuses the first batch before acting (151, no route): those move on to SMS.CX.
      sandbox.faults.add({ vendor: 'octopush', count: 1, status: 400, body: { code: 151, message: 'Recipient country not serviced' } });
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients, message: { from: 'Shop', text: 'Your parcel is on its way', options: OCTOPUSH }, batchSize: 5 });
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret, accountUrl: true } });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      expect(await receiveAll(sandbox, receiver)).toBe(0);
      const truth = new Map([...sandbox.messages('octopush'), ...sandbox.messages('smscx')].map((m) => [m.to, m.status === 'DELIVERED' ? 'delivered' : 'failed']));
      expect(sandbox.messages('octopush').length).toBeGreaterThan(0);
      expect(sandbox.messages('smscx').length).toBeGreaterThan(0);
      expect(truth.size).toBe(10);
      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      const delivered = [...truth.values()].filter((s) => s === 'delivered').length;
      expect(status.deliveries).toMatchObject({ delivered, failed: 10 - delivered, pending: 0, unknown: 0, unindexed: 0 });
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('places the reports of recipients a failover moved on to Octopush (The SMS Works reported them undelivered) by the tickets of the move\'s answers', async () => {
    const prefix = redis.prefix();
    const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [octopushReports, smsworksReports], secret });
    const accountUrl = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'octopush', expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000) });
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, webhooks: { octopush: accountUrl }, reports: { seed: 3, failures: 0.4 } });
    try {
      const chain = () => [
        smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }),
        octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 }),
      ];
      const recipients = frNumbers(10, 7000);
      const campaignId = 'c-move-octopush';
      const deliveryReports = { url: `${receiver.url}/dlr`, secret, accountUrl: true };
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients, message: { from: 'Shop', text: 'Your parcel is on its way', options: OCTOPUSH }, batchSize: 5 });
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      expect(await receiveAll(sandbox, receiver)).toBe(0);
      expect(sandbox.messages('octopush')).toEqual([]);
      const moved = (await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), onReport: true, deliveryReports }))!;
      expect(moved.sent).toBeGreaterThan(0);
      expect(await receiveAll(sandbox, receiver)).toBe(0);
      const truth = new Map(sandbox.messages('octopush').map((m) => [m.to, m.status === 'DELIVERED' ? 'delivered' : 'failed']));
      expect(truth.size).toBe(moved.sent);
      const records = await new DeliveryRecords(client, prefix, campaignId).all();
      for (const [to, state] of truth) expect([to, records.get(to)?.holder, records.get(to) && standingOf(records.get(to)!).state]).toEqual([to, 'octopush', state]);
      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      expect(status.deliveries).toMatchObject({ pending: 0, unknown: 0, unindexed: 0 });
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('keeps and counts a report whose ticket no batch indexed, never dropping it, and places it once a worker indexes that ticket; one its batch cannot place moves to the counted aged-out record', async () => {
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix);
    try {
      const sandbox = await startSandbox({ port: 0 });
      const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      const recipients = frNumbers(2, 5000);
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c-kept', sender, recipients, message: { from: 'Shop', text: 'Hello', options: OCTOPUSH }, batchSize: 5 });
      await sandbox.close();

      expect((await post(receiver.accountUrl, report('sms_00000000000aa', recipients[0]!, 'DELIVERED'))).status).toBe(200);
      expect(await receiver.recorder.flush()).toBe(1);
      expect(await new VendorIds(client, prefix).keptCount()).toBe(1);
      const kept = (await campaignStatus(redis.url, 'c-kept', { prefix }))!;
      expect(kept.deliveries.unindexed).toBe(1);
      expect(formatCampaignStatus(kept)).toContain("1 report(s) on a vendor's account URL name a message id no batch recorded");

      // Another report of that ticket for a number its batch does not hold: it can never be placed, so it
      // leaves the kept set for the aged-out record (counted, kept for proof), and does not stop the others.
      expect((await post(receiver.accountUrl, report('sms_00000000000aa', '+33699999999', 'DELIVERED'))).status).toBe(200);
      await new VendorIds(client, prefix).index('octopush', ['sms_00000000000aa'], { campaign: 'c-kept', batch: 0 });
      expect(await receiver.recorder.flush()).toBe(0);
      expect(await new VendorIds(client, prefix).keptCount()).toBe(0);
      expect(await new VendorIds(client, prefix).agedOutCount()).toBe(1);
      expect(await new VendorIds(client, prefix).agedOut()).toMatchObject([{ reason: 'not_in_batch', ticket: 'sms_00000000000aa', event: { to: '+33699999999' } }]);
      const record = await new DeliveryRecords(client, prefix, 'c-kept').get(recipients[0]!);
      expect(record?.events.map((e) => [e.messageId, e.status])).toEqual([[`sms_00000000000aa#${recipients[0]}`, 'delivered']]);
    } finally {
      await receiver.close();
    }
  });

  it('places a message id once: a second batch naming the same ticket neither moves it nor gets its reports', async () => {
    const prefix = redis.prefix();
    const ids = new VendorIds(client, prefix);
    expect(await ids.index('octopush', ['sms_1', 'sms_2'], { campaign: 'a', batch: 0 })).toEqual([
      { campaign: 'a', batch: 0 },
      { campaign: 'a', batch: 0 },
    ]);
    expect(await ids.index('octopush', ['sms_2', 'sms_3'], { campaign: 'b', batch: 4 })).toEqual([
      { campaign: 'a', batch: 0 },
      { campaign: 'b', batch: 4 },
    ]);
    expect(await ids.lookup('octopush', 'sms_2#+33600000000')).toEqual({ campaign: 'a', batch: 0 });
    // Each id expires with the reports it can still get (default 14 days).
    const ttl = await client.ttl(vendorIdKey(prefix, 'octopush', 'sms_3'));
    expect(ttl).toBeGreaterThan(13 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(14 * 24 * 3600);
  });

  it("records no batch as sent before its ticket is indexed: an index Redis refuses leaves the batch's outcome unknown, not sent", async () => {
    const prefix = redis.prefix();
    const sandbox = await startSandbox({ port: 0 });
    try {
      const real = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      let ticket = '';
      const sender = sendingWith(real, async (batch, message, options) => {
        const sent = await real.send(batch, message, options);
        ticket = sent.ids[0]!;
        // Another type at the ticket's key: SET … NX GET fails (WRONGTYPE), as an index write that does not happen.
        await client.hset(vendorIdKey(prefix, 'octopush', ticket), 'x', '1');
        return sent;
      });
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c-order', sender, recipients: frNumbers(2, 6000), message: { from: 'Shop', text: 'Hello', options: OCTOPUSH }, batchSize: 5, attempts: 1 });
      const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: 'http://127.0.0.1:9/dlr', secret, accountUrl: true } });
      let status;
      try {
        status = await waitDone(redis.url, 'c-order', prefix);
      } finally {
        await worker.close();
      }
      expect(ticket).toMatch(/^sms_/);
      expect([status.sent.recipients, status.unknown.recipients]).toEqual([0, 2]);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses delivery reports for Octopush unless its account URL is said to reach the receiver, before taking any batch', () => {
    const sender = octopushSender({ apiLogin: 'a@b.c', apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    expect(() => createCampaignWorker({ connection: redis.url, sender, deliveryReports: { url: 'https://hooks.example.com/dlr', secret } })).toThrow(/octopush takes no callback URL per send.*deliveryReports\.accountUrl/);
  });
});
