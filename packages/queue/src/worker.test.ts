import { batchDedupeKey, RateLimitError } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { SmscxClient } from '@msgkit/smscx';
import { SmsWorksClient } from '@msgkit/smsworks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smscxAdapter, smsWorksAdapter } from './adapters';
import { RedisJournal } from './journal';
import { campaignStatus } from './status';
import { enqueueCampaign } from './producer';
import { redisAvailable, startTestRedis, type TestRedis } from './test/redis';
import { gbNumbers, waitDone } from './test/helpers';
import { createCampaignWorker } from './worker';

let redis: TestRedis;
let sandbox: Sandbox;
let client: Redis;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  sandbox = await startSandbox({ port: 0 });
  client = new Redis(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await sandbox?.close();
  await redis?.stop();
});

const smscx = (apiKey = 'queue-key', maxRetries = 0) => new SmscxClient({ apiKey, baseUrl: sandbox.baseUrls.smscx, maxRetries });
const smsworks = () => new SmsWorksClient({ token: 'JWT queue', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 });
const requestsOf = (campaign: string, vendor: 'smscx' | 'smsworks') =>
  sandbox.received(vendor).filter((r) => JSON.stringify(r.body).includes(`"${campaign}`) || (r.body as { text?: string; content?: string })?.[vendor === 'smscx' ? 'text' : 'content'] === campaign);

describe.skipIf(!redisAvailable)('a campaign worker', () => {
  it('sends every batch once, with the batch dedupe key as SMS.CX idempotencyId, and records it sent', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(25, 0);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c1', provider: 'smscx', recipients: numbers, message: { from: 'Shop', text: 'c1' }, batchSize: 10 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smscxAdapter(smscx()), concurrency: 2 });
    try {
      const status = await waitDone(redis.url, 'c1', prefix);
      expect(status).toMatchObject({ sent: { batches: 3, recipients: 25 }, refused: { batches: 0 }, unknown: { batches: 0 }, pending: { batches: 0, recipients: 0 } });
      const sent = requestsOf('c1', 'smscx');
      expect(sent.map((r) => (r.body as { idempotencyId: string }).idempotencyId).sort()).toEqual([0, 1, 2].map((i) => batchDedupeKey('c1', i)).sort());
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c1').map((m) => m.to).sort()).toEqual([...numbers].sort());
    } finally {
      await worker.close();
    }
  });

  it('resends a batch a dead worker began with the same key, so SMS.CX drops the duplicate', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(4, 100);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c2', provider: 'smscx', recipients: numbers, message: { from: 'Shop', text: 'c2' }, batchSize: 2 });
    // A worker began batch 0 and reached the vendor, then died before recording the outcome.
    await new RedisJournal(client, prefix).begin('c2', 0, 'dead-worker');
    await smscx().sms.send({ from: 'Shop', to: numbers.slice(0, 2), text: 'c2', idempotencyId: batchDedupeKey('c2', 0) });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smscxAdapter(smscx()) });
    try {
      const status = await waitDone(redis.url, 'c2', prefix);
      expect(status.sent).toEqual({ batches: 2, recipients: 4 });
      const delivered = sandbox.messages('smscx').filter((m) => m.text === 'c2');
      expect(delivered.map((m) => m.to).sort()).toEqual([...numbers].sort());
      // The resend got the first send's answer replayed: the campaign the dead worker created.
      const first = delivered.find((m) => m.to === numbers[0])!.groupId;
      const outcome = await new RedisJournal(client, prefix).outcome('c2', 0);
      expect(outcome).toMatchObject({ outcome: 'sent', ids: [first] });
    } finally {
      await worker.close();
    }
  });

  it('marks a batch a dead worker began unknown at The SMS Works, lists its recipients, and does not send it', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(4, 200);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c3', provider: 'smsworks', recipients: numbers, message: { from: 'Shop', text: 'c3' }, batchSize: 2 });
    await new RedisJournal(client, prefix).begin('c3', 1, 'dead-worker');
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smsWorksAdapter(smsworks()) });
    try {
      const status = await waitDone(redis.url, 'c3', prefix);
      expect(status.sent).toEqual({ batches: 1, recipients: 2 });
      expect(status.unknown).toEqual({ batches: 1, recipients: 2 });
      expect(status.unknownBatches).toEqual([expect.objectContaining({ index: 1, reason: 'interrupted', recipients: numbers.slice(2) })]);
      const delivered = sandbox.messages('smsworks').filter((m) => m.text === 'c3').map((m) => `+${m.to}`);
      expect(delivered.sort()).toEqual(numbers.slice(0, 2).sort());
    } finally {
      await worker.close();
    }
  });

  it('records a lost SMS Works answer as unknown and never resends it', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(2, 300);
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, drop: true });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c4', provider: 'smsworks', recipients: numbers, message: { from: 'Shop', text: 'c4' }, batchSize: 2, attempts: 5 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smsWorksAdapter(smsworks()) });
    try {
      const status = await waitDone(redis.url, 'c4', prefix);
      expect(status.unknownBatches).toEqual([expect.objectContaining({ index: 0, reason: 'outcome_unknown', code: 'connection_error', recipients: numbers })]);
      expect(status.unknownBatches[0]).not.toHaveProperty('dedupeKey');
      expect(sandbox.messages('smsworks').filter((m) => m.text === 'c4')).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it('records a refusal with its code and no credential, and sends nothing of that batch', async () => {
    const prefix = redis.prefix();
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 401, body: { error: { type: 'invalid_api_key', code: 0, message: 'Invalid API key', uri: '' } } });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c5', provider: 'smscx', recipients: gbNumbers(2, 400), message: { from: 'Shop', text: 'c5' }, batchSize: 2 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smscxAdapter(smscx('sk_live_S3CRET')) });
    try {
      const status = await waitDone(redis.url, 'c5', prefix);
      expect(status.refusedBatches).toEqual([expect.objectContaining({ index: 0, code: 'authentication_error', status: 401, recipients: gbNumbers(2, 400) })]);
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c5')).toEqual([]);
      const stored = JSON.stringify(await client.hgetall(`${prefix}:campaign:{c5}:outcome`));
      expect(stored).toContain('authentication_error');
      expect(stored).not.toContain('S3CRET');
    } finally {
      await worker.close();
    }
  });

  it('pauses the whole queue on a 429, then sends the batch with the same key without spending an attempt', async () => {
    const prefix = redis.prefix();
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 429, headers: { 'retry-after': '1' }, body: { error: { type: 'rate_limit', code: 0, message: 'slow down', uri: '' } } });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c6', provider: 'smscx', recipients: gbNumbers(2, 500), message: { from: 'Shop', text: 'c6' }, batchSize: 2, attempts: 1 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smscxAdapter(smscx()), rateLimitBackoffMs: 200 });
    const limited: number[] = [];
    const watch = setInterval(() => void client.pttl(`${prefix}:${worker.queue}:limiter`).then((ttl) => ttl > 0 && limited.push(ttl)), 20);
    try {
      const status = await waitDone(redis.url, 'c6', prefix);
      expect(sandbox.faults.list().filter((f) => f.vendor === 'smscx')).toEqual([]);
      expect(limited.length).toBeGreaterThan(0);
      expect(status.sent).toEqual({ batches: 1, recipients: 2 });
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c6')).toHaveLength(2);
    } finally {
      clearInterval(watch);
      await worker.close();
    }
  });

  it('records unknown, and does not resend, a 429 the client says may have been acted on where the vendor cannot deduplicate', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(2, 550);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c10', provider: 'smsworks', recipients: numbers, message: { from: 'Shop', text: 'c10' }, batchSize: 2, attempts: 3 });
    let calls = 0;
    const adapter = smsWorksAdapter({
      batch: {
        send: async () => {
          calls++;
          throw new RateLimitError({ status: 429, message: 'Too Many Requests', headers: {}, body: undefined, outcomeUnknown: true });
        },
      },
    });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter, rateLimitBackoffMs: 100 });
    try {
      const status = await waitDone(redis.url, 'c10', prefix);
      expect(status.unknownBatches).toEqual([expect.objectContaining({ index: 0, reason: 'outcome_unknown', code: 'rate_limited', recipients: numbers })]);
      expect(calls).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it('paces an account with the limiter across its queue, and leaves other accounts to their own queues', async () => {
    const prefix = redis.prefix();
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c7', provider: 'smscx', account: 'slow', recipients: gbNumbers(3, 600), message: { from: 'Shop', text: 'c7' }, batchSize: 1 });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c8', provider: 'smscx', account: 'other', recipients: gbNumbers(1, 610), message: { from: 'Shop', text: 'c8' }, batchSize: 1 });
    // One request a minute: the test sees the first batch go and the next two held back.
    const worker = createCampaignWorker({ connection: redis.url, prefix, account: 'slow', adapter: smscxAdapter(smscx()), limiter: { max: 1, duration: 60_000 } });
    const queue = new Queue(worker.queue, { connection: { url: redis.url }, prefix });
    try {
      expect(worker.queue).toBe('msgkit-smscx-slow');
      let status;
      for (let i = 0; (status = await campaignStatus(redis.url, 'c7', { prefix }))!.sent.batches < 1; i++) {
        if (i > 400) throw new Error('the first batch was never sent');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await queue.getRateLimitTtl(1)).toBeGreaterThan(0);
      expect(status).toMatchObject({ sent: { batches: 1 }, pending: { batches: 2 } });
      expect(await campaignStatus(redis.url, 'c8', { prefix })).toMatchObject({ pending: { batches: 1 } });
    } finally {
      await queue.close();
      await worker.close();
    }
  });

  it('records a batch unknown, with its recipients, when its job was taken from dead workers more often than allowed', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(2, 800);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c9', provider: 'smsworks', recipients: numbers, message: { from: 'Shop', text: 'c9' }, batchSize: 2 });
    const settings = { connection: redis.url, prefix, lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 };
    // A worker whose send never returns, then stops without finishing it or renewing its lock: dead.
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const hung = smsWorksAdapter({ batch: { send: () => (started(), new Promise(() => undefined)) } });
    const dead = createCampaignWorker({ ...settings, adapter: hung });
    await sending;
    await dead.worker.close(true);
    const survivor = createCampaignWorker({ ...settings, adapter: smsWorksAdapter(smsworks()) });
    try {
      const status = await waitDone(redis.url, 'c9', prefix);
      expect(status.unknownBatches).toEqual([expect.objectContaining({ index: 0, reason: 'interrupted', code: 'job_failed', recipients: numbers })]);
      expect(sandbox.messages('smsworks').filter((m) => m.text === 'c9')).toEqual([]);
    } finally {
      await survivor.close();
      await dead.close();
    }
  });
});
