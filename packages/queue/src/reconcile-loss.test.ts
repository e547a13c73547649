/**
 * Reconciling a queue campaign's unknown batches at Infobip, whose documentation makes "not found"
 * a proof only for a send of known time: with the worker's begin time in Redis an absence proves
 * nothing was sent; after Redis lost its writes (a restart without an append-only file) the same
 * absence proves nothing, and the recipients stay unknown with the reason.
 */
import { spawnSync } from 'node:child_process';
import { infobipSender } from '@msgkit/infobip';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { systemClock, type Clock } from '@msgkit/webhooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRecords, standingOf } from './deliveries';
import { enqueueCampaign } from './producer';
import { reconcileCampaign } from './reconcileStore';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { startRedisServer, type RedisServer } from './test/server';
import { createCampaignWorker, type CampaignWorker } from './worker';

const installed = spawnSync('redis-server', ['--version']).status === 0;
if (!installed && process.env.CI === 'true') throw new Error('the reconcile tests need redis-server (apt-get install redis-server)');

let sandbox: Sandbox;
const servers: RedisServer[] = [];
beforeAll(async () => {
  if (installed) sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await sandbox?.close();
});

// Past Infobip's settle time (10 minutes after the send), well inside its 48 hours of logs.
const later: Clock = { now: () => Date.now() + 11 * 60_000, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
const infobip = () => infobipSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 });
const recipients = gbNumbers(4, 7000);

/** A campaign of two batches whose first request never reaches Infobip's business logic (the connection drops): recorded unknown. */
async function firstBatchUnknown(url: string, campaignId: string, worker: () => CampaignWorker) {
  sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', drop: true, count: 1 });
  const running = worker();
  try {
    const status = await waitDone(url, campaignId, 'loss');
    expect(status.unknownBatches.map((b) => [b.index, b.reason])).toEqual([[0, 'outcome_unknown']]);
  } finally {
    await running.close();
  }
}

describe.skipIf(!installed)('reconcileCampaign at Infobip', () => {
  it('proves by the begin time the worker wrote that an unknown batch was never sent (failed, resendable), and finds the other batch delivered', async () => {
    const redis = await startRedisServer('aof');
    servers.push(redis);
    sandbox.reset();
    await enqueueCampaign({ connection: redis.url, prefix: 'loss', campaignId: 'kept', sender: infobip(), recipients, message: { text: 'kept' }, batchSize: 2 });
    await firstBatchUnknown(redis.url, 'kept', () => createCampaignWorker({ connection: redis.url, prefix: 'loss', sender: infobip() }));
    const summary = (await reconcileCampaign({ connection: redis.url, prefix: 'loss', campaignId: 'kept', sender: infobip(), horizonMs: 0, clock: later }))!;
    expect(summary.senders['infobip']!.batches).toMatchObject({ looked: 1, notSent: 2, unknown: 0 });
    expect((await campaignStatus(redis.url, 'kept', { prefix: 'loss' }))!.deliveries).toMatchObject({ delivered: 2, failed: 2, pending: 0, unknown: 0 });
    const client = new Redis(redis.url);
    try {
      const records = await new DeliveryRecords(client, 'loss', 'kept').all();
      expect(recipients.map((to) => standingOf(records.get(to)!).state)).toEqual(['failed', 'failed', 'delivered', 'delivered']);
      expect(standingOf(records.get(recipients[0]!)!).reason).toMatch(/^not_sent/);
    } finally {
      client.disconnect();
    }
  });

  it('leaves the batch unknown (send_time_unknown), never "not sent", after a restart without an append-only file lost the begin time', async () => {
    const redis = await startRedisServer('rdb');
    servers.push(redis);
    sandbox.reset();
    await enqueueCampaign({ connection: redis.url, prefix: 'loss', campaignId: 'lost', sender: infobip(), recipients, message: { text: 'lost' }, batchSize: 2 });
    const client = new Redis(redis.url);
    client.on('error', () => undefined);
    // The snapshot holds the campaign and its jobs, and nothing a worker wrote after.
    await client.save();
    client.disconnect();
    const worker = () => createCampaignWorker({ connection: redis.url, prefix: 'loss', sender: infobip(), redisPersistence: 'accept-loss', lockDuration: 2_000, stalledInterval: 1_000 });
    await firstBatchUnknown(redis.url, 'lost', worker);
    expect(sandbox.messages('infobip').map((m) => m.to)).toEqual(recipients.slice(2).map((to) => to.slice(1)));
    await redis.kill();
    await redis.start();
    // Redis came back from the snapshot: no outcome, no begin marker, no begin time. A worker finds the loss and records every batch unknown.
    const again = worker();
    let status;
    try {
      status = await waitDone(redis.url, 'lost', 'loss');
    } finally {
      await again.close();
    }
    expect(status.unknownBatches.map((b) => [b.index, b.reason])).toEqual([
      [0, 'state_lost'],
      [1, 'state_lost'],
    ]);
    expect(sandbox.messages('infobip')).toHaveLength(2);

    const summary = (await reconcileCampaign({ connection: redis.url, prefix: 'loss', campaignId: 'lost', sender: infobip(), horizonMs: 0, clock: later }))!;
    // Infobip holds batch 1 (found, delivered); batch 0's absence proves nothing without its send time.
    expect(summary.senders['infobip']!.batches).toMatchObject({ looked: 2, sent: 2, notSent: 0, unknown: 2 });
    expect(summary.senders['infobip']!.reasons).toEqual({ send_time_unknown: 2 });
    const deliveries = (await campaignStatus(redis.url, 'lost', { prefix: 'loss' }))!.deliveries;
    expect(deliveries).toMatchObject({ delivered: 2, failed: 0, pending: 0, unknown: 2 });
    expect(deliveries.reasons).toEqual([{ state: 'unknown', reason: 'send_time_unknown', recipients: 2 }]);
  });
});
