/**
 * The dashboard's Redis source against a real redis-server: a queue campaign whose delivery reports
 * were recorded through the queue's recorder shows delivered and failed, with the same totals
 * `msgkit campaign status` prints (the queue's `CampaignStatus.deliveries`).
 */
import type { CampaignSender, DeliveryEvent } from '@msgkit/core';
import { campaignStatus, createCampaignWorker, createDeliveryRecorder, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, type TestRedis } from '@msgkit/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCampaigns } from './redisSource';

let redis: TestRedis | undefined;
let url: string;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(() => redis?.stop());

/** A vendor in the test's process: it takes every batch and names a message id per recipient. */
const vendor: CampaignSender = {
  name: 'smscx',
  maxRecipients: 100,
  dedupe: { field: 'idempotencyId', source: 'test', repeat: 'replays' },
  credentials: [],
  options: [],
  callback: false,
  reference: false,
  clientIds: false,
  refusals: [],
  recipientRefusals: [],
  validate: () => [],
  classify: () => ({ failover: false, outcome: { status: 'unknown', code: 'internal', message: 'test' } }),
  send: async (batch) => ({ ids: ['g'], messages: batch.map((to) => ({ to, id: `m${to}` })) }),
};
const numbers = Array.from({ length: 6 }, (_, i) => `+4474007000${i}${i}`);
const report = (to: string, batch: number, status: 'delivered' | 'undelivered' | 'sent', final: boolean): DeliveryEvent => ({
  vendor: 'smscx',
  messageId: `m${to}`,
  status,
  final,
  raw: { status: status.toUpperCase(), ...(status === 'undelivered' && { code: 21, error: 'absent subscriber' }) },
  at: new Date().toISOString(),
  reference: { campaign: 'shown', batch },
});

describe.skipIf(!redisAvailable)('a queue campaign on the dashboard', () => {
  it('shows the recipients reports decided as delivered and failed (by the vendor\'s words), the rest as sent, with the totals of msgkit campaign status', async () => {
    const prefix = `d${Date.now()}`;
    await enqueueCampaign({ connection: url, prefix, campaignId: 'shown', sender: vendor, recipients: numbers, message: { text: 'Hi' }, batchSize: 3 });
    const worker = createCampaignWorker({ connection: url, prefix, sender: vendor });
    try {
      for (;;) {
        const status = await campaignStatus(url, 'shown', { prefix });
        if (status?.done && status.inFlight.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.close();
    }
    const recorder = await createDeliveryRecorder({ connection: url, prefix });
    try {
      // Out of order, repeated, and a report that names no number (placed by its message id).
      await recorder.record({ events: [report(numbers[0]!, 0, 'delivered', true), report(numbers[0]!, 0, 'sent', false), report(numbers[1]!, 0, 'undelivered', true)] });
      await recorder.record({ events: [report(numbers[1]!, 0, 'undelivered', true), { ...report(numbers[3]!, 1, 'delivered', true) }, report(numbers[4]!, 1, 'sent', false)] });
    } finally {
      await recorder.close();
    }
    const status = (await campaignStatus(url, 'shown', { prefix }))!;
    expect(status.deliveries).toMatchObject({ delivered: 2, failed: 1, pending: 3, unknown: 0 });

    const source = await RedisCampaigns.open(url, { prefix });
    const { campaigns } = await source.refresh();
    const summary = campaigns.find((c) => c.info().campaignId === 'shown')!.totals.summary();
    expect(summary.totals).toEqual({ pending: 0, sent: 3, delivered: 2, failed: 1, unknown: 0 });
    expect(summary.recipients).toBe(6);
    expect(summary.failures).toEqual([expect.objectContaining({ vendor: 'smscx', state: 'failed', recipients: 1, reason: 'UNDELIVERED 21 absent subscriber' })]);
  });
});
