/**
 * `campaignResults`: one row per recipient of a queue campaign, read from a real Redis after real
 * workers sent through the sandbox over loopback and its reports were recorded by the queue's recorder.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { describe, expect, it } from 'vitest';
import { failoverCampaign } from './failover';
import { enqueueCampaign } from './producer';
import { campaignResults, CampaignNotFoundError, type CampaignResultRow } from './results';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis } = useTestRedis();

const startReceiver = (prefix: string) => startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });

const collect = async (rows: AsyncIterable<CampaignResultRow>) => {
  const out: CampaignResultRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
};
const smscxAnswer = (entries: Array<[string, string]>) => ({
  info: { campaignId: randomUUID(), totalPhoneNumbers: entries.length, totalParts: 0, totalCost: 0, currency: 'EUR', scheduled: false },
  data: entries.map(([to, status]) => ({ msgId: randomUUID(), status, statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0, to, countryIso: 'GB', from: 'Shop', parts: 1 })),
});
const DELIVERED = ['DELIVERED', 'DELIVERED_TO_HANDSET'];

/** Posts again the reports the sandbox gave up on (its own timeout on a loaded machine), as a vendor retries. */
async function redeliver(sandbox: Sandbox): Promise<void> {
  await sandbox.settled();
  for (const d of sandbox.deliveries()) {
    if (d.ok || d.dropped || d.status === 403) continue;
    for (;;) {
      const status = (await fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(d.body) })).status;
      if (status === 200 || status === 403) break;
    }
  }
}

describe.skipIf(!redisAvailable)('campaignResults: one row per recipient of a queue campaign', () => {
  it('gives every recipient of a single-sender campaign once, in enqueue order, with its batch, provider, message id and the delivery state its reports gave; a refused batch is failed with the vendor\'s code', async () => {
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 3, failures: 0.4, duplicates: 0.3, outOfOrder: true } });
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix);
    const campaignId = 'rows';
    const numbers = gbNumbers(10, 8100);
    const sender = smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
    try {
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, sender, recipients: numbers, message: { from: 'Shop', text: 'Rows' }, batchSize: 3 });
      // The first request the worker sends is refused: nothing of that batch is sent.
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 400, body: { error: { code: 4001, message: 'Invalid sender' } } });
      const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: `${receiver.url}/dlr`, secret } });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      await redeliver(sandbox);
      await receiver.handler.drain();
      expect(await receiver.recorder.flush()).toBe(0);

      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      expect(status.refusedBatches).toHaveLength(1);
      const refused = status.refusedBatches[0]!;
      const rows = await collect(campaignResults(redis.url, campaignId, { prefix, batchesPerRead: 2 }));
      expect(rows.map((r) => r.e164)).toEqual(numbers);
      expect(rows.map((r) => r.batch)).toEqual(numbers.map((_, i) => Math.floor(i / 3)));
      const truth = new Map(sandbox.messages('smscx').map((m) => [`+${m.to.replace(/\D/g, '')}`, m]));
      for (const row of rows) {
        if (row.batch === refused.index) {
          expect(row).toMatchObject({ status: 'refused', provider: '', state: 'failed', tries: `smscx:refused:${refused.code}` });
          expect(row.error).toMatch(new RegExp(`^${refused.code}( \\S+)?: `));
          expect(row.reason).toBe(row.error);
          continue;
        }
        const m = truth.get(row.e164)!;
        expect(row).toMatchObject({ status: 'sent', provider: 'smscx', vendorId: m.id, tries: 'smscx:sent', messageId: m.id, state: DELIVERED.includes(m.status) ? 'delivered' : 'failed' });
        expect(row.reason).not.toBe('');
      }
      // The rows agree with the campaign's counts.
      const count = (state: string) => rows.filter((r) => r.state === state).length;
      expect({ delivered: count('delivered'), failed: count('failed'), pending: count('pending'), unknown: count('unknown') }).toEqual({
        delivered: status.deliveries.delivered,
        failed: status.deliveries.failed,
        pending: status.deliveries.pending,
        unknown: status.deliveries.unknown,
      });
      expect(count('delivered')).toBeGreaterThan(0);
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('names in a chain the vendor that holds each recipient: the one that sent it, the one whose answer was lost (unknown, with why), and its tries', async () => {
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 1, drop: 1 } });
    const prefix = redis.prefix();
    const campaignId = 'rows-chain';
    const numbers = gbNumbers(5, 8200);
    const chain = () => [smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }), smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 })];
    try {
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients: numbers, message: { from: 'Shop', text: 'Chain rows' }, batchSize: 5 });
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 200, body: smscxAnswer(numbers.map((to, i) => [to, i < 3 ? 'ACCEPTED' : 'NO COVERAGE'])) });
      sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, after: true, drop: true });
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain() });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      const rows = await collect(campaignResults(redis.url, campaignId, { prefix }));
      expect(rows.map((r) => [r.e164, r.status, r.provider, r.state])).toEqual(numbers.map((to, i) => [to, i < 3 ? 'sent' : 'unknown', i < 3 ? 'smscx' : 'smsworks', i < 3 ? 'pending' : 'unknown']));
      for (const row of rows.slice(3)) {
        expect(row.tries).toMatch(/^smscx:refused:\S+ smsworks:unknown:\S+$/);
        expect(row.error).toMatch(/^\S+/);
        expect(row.reason).toBe(row.error);
      }
      for (const row of rows.slice(0, 3)) expect(row.vendorId).toMatch(/\S/);
    } finally {
      await sandbox.close();
    }
  });

  it('names the vendor a recipient was moved on to after a final negative report (failoverCampaign), with the move in its tries and its state by the new vendor\'s report', async () => {
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports: { seed: 3, failures: 0.4 } });
    const prefix = redis.prefix();
    const receiver = await startReceiver(prefix);
    const campaignId = 'rows-moved';
    const numbers = gbNumbers(10, 8400);
    const chain = () => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
    const deliveryReports = { url: `${receiver.url}/dlr`, secret };
    const settle = async () => {
      await redeliver(sandbox);
      await receiver.handler.drain();
      expect(await receiver.recorder.flush()).toBe(0);
    };
    try {
      await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), recipients: numbers, message: { from: 'Shop', text: 'Moved rows' }, batchSize: 5 });
      const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chain(), deliveryReports });
      try {
        await waitDone(redis.url, campaignId, prefix);
      } finally {
        await worker.close();
      }
      await settle();
      const failedFirst = new Set(sandbox.messages('smsworks').filter((m) => !DELIVERED.includes(m.status)).map((m) => `+${m.to.replace(/\D/g, '')}`));
      expect(failedFirst.size).toBeGreaterThan(0);
      await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: chain(), onReport: true, deliveryReports });
      await settle();
      const atSmscx = new Map(sandbox.messages('smscx').map((m) => [`+${m.to.replace(/\D/g, '')}`, m]));
      expect([...atSmscx.keys()].sort()).toEqual([...failedFirst].sort());
      const rows = await collect(campaignResults(redis.url, campaignId, { prefix }));
      expect(rows.map((r) => r.e164)).toEqual(numbers);
      for (const row of rows) {
        const moved = atSmscx.get(row.e164);
        if (moved) {
          expect(row).toMatchObject({ status: 'sent', provider: 'smscx', vendorId: moved.id, state: DELIVERED.includes(moved.status) ? 'delivered' : 'failed' });
          expect(row.tries).toMatch(/^smsworks:sent:moved-report-\S+ smscx:sent$/);
        } else expect(row).toMatchObject({ status: 'sent', provider: 'smsworks', tries: 'smsworks:sent', state: 'delivered' });
      }
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('gives a campaign no worker took yet as pending, not sent yet, and throws CampaignNotFoundError for an unknown id', async () => {
    const prefix = redis.prefix();
    const sender = smscxSender({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'waiting', sender, recipients: gbNumbers(4, 8300), message: { from: 'Shop', text: 'Later' }, batchSize: 2 });
    const rows = await collect(campaignResults(redis.url, 'waiting', { prefix }));
    expect(rows.map((r) => [r.status, r.state, r.reason])).toEqual(Array(4).fill(['pending', 'pending', 'not sent yet']));
    await expect(collect(campaignResults(redis.url, 'nope', { prefix }))).rejects.toBeInstanceOf(CampaignNotFoundError);
  });
});
