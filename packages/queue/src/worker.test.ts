import { RateLimitError } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RATE_LIMIT_PAUSE_MS, resumeAccount } from './account';
import { dedupeKeyOf, type CampaignWorkerEvent } from './batch';
import { RedisJournal } from './journal';
import { formatCampaignStatus } from './format';
import { campaignStatus } from './status';
import { enqueueCampaign } from './producer';
import { redisAvailable, startTestRedis, type TestRedis } from './test/redis';
import { gbNumbers, sendingWith, waitDone } from './test/helpers';
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

const smscx = (apiKey = 'queue-key', maxRetries = 0) => smscxSender({ apiKey, baseUrl: sandbox.baseUrls.smscx, maxRetries });
const smsworks = () => smsworksSender({ token: 'JWT queue', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 });
const requestsOf = (campaign: string, vendor: 'smscx' | 'smsworks') =>
  sandbox.received(vendor).filter((r) => JSON.stringify(r.body).includes(`"${campaign}`) || (r.body as { text?: string; content?: string })?.[vendor === 'smscx' ? 'text' : 'content'] === campaign);

describe.skipIf(!redisAvailable)('a campaign worker', () => {
  it('sends every batch once, with the batch dedupe key as SMS.CX idempotencyId, and records it sent', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(25, 0);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c1', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'c1' }, batchSize: 10 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx(), concurrency: 2 });
    try {
      const status = await waitDone(redis.url, 'c1', prefix);
      expect(status).toMatchObject({ sent: { batches: 3, recipients: 25 }, refused: { batches: 0 }, unknown: { batches: 0 }, pending: { batches: 0, recipients: 0 } });
      const sent = requestsOf('c1', 'smscx');
      const digest = status.fingerprint;
      expect(sent.map((r) => (r.body as { idempotencyId: string }).idempotencyId).sort()).toEqual([0, 1, 2].map((index) => dedupeKeyOf({ campaignId: 'c1', index, digest })).sort());
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c1').map((m) => m.to).sort()).toEqual([...numbers].sort());
    } finally {
      await worker.close();
    }
  });

  it('resends a batch a dead worker began with the same key, so SMS.CX drops the duplicate', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(4, 100);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c2', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'c2' }, batchSize: 2 });
    // A worker began batch 0 and reached the vendor, then died before recording the outcome.
    await new RedisJournal(client, prefix).begin('c2', 0, 'dead-worker');
    const { fingerprint: digest } = (await campaignStatus(redis.url, 'c2', { prefix }))!;
    await smscx().send(numbers.slice(0, 2), { from: 'Shop', text: 'c2' }, { dedupeKey: dedupeKeyOf({ campaignId: 'c2', index: 0, digest }) });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx() });
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
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c3', sender: smsworks(), recipients: numbers, message: { from: 'Shop', text: 'c3' }, batchSize: 2 });
    await new RedisJournal(client, prefix).begin('c3', 1, 'dead-worker');
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smsworks() });
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
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c4', sender: smsworks(), recipients: numbers, message: { from: 'Shop', text: 'c4' }, batchSize: 2, attempts: 5 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smsworks() });
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
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 400, body: { error: { type: 'invalid_param', code: 1105, message: 'The parameter `from` is invalid', uri: '' } } });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c5', sender: smscx(), recipients: gbNumbers(2, 400), message: { from: 'Shop', text: 'c5' }, batchSize: 2 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx('sk_live_S3CRET') });
    try {
      const status = await waitDone(redis.url, 'c5', prefix);
      expect(status.refusedBatches).toEqual([expect.objectContaining({ index: 0, code: 'bad_request', status: 400, vendorCode: 1105, recipients: gbNumbers(2, 400) })]);
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c5')).toEqual([]);
      const stored = JSON.stringify(await client.hgetall(`${prefix}:campaign:{c5}:outcome`));
      expect(stored).toContain('bad_request');
      expect(stored).not.toContain('S3CRET');
    } finally {
      await worker.close();
    }
  });

  it('pauses the account for every worker at the first 401, keeps its batches pending, and sends each once after resumeAccount with a good key', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(40, 1_000);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c12', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'c12' }, batchSize: 1 });
    let calls = 0;
    const rejected = smscx('invalid');
    const counting = sendingWith(rejected, (...args) => (calls++, rejected.send(...args)));
    const events: CampaignWorkerEvent[] = [];
    const bad = createCampaignWorker({ connection: redis.url, prefix, sender: counting, onEvent: (e) => events.push(e) });
    let status;
    for (let i = 0; ; i++) {
      status = (await campaignStatus(redis.url, 'c12', { prefix }))!;
      if (status.queueState?.paused || status.done) break;
      if (i > 600) throw new Error(`neither paused nor done: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await bad.close();
    expect(calls).toBe(1);
    expect(status).toMatchObject({ pending: { batches: 40 }, refused: { batches: 0 }, unknown: { batches: 0 } });
    expect(status.queueState.paused).toMatchObject({ code: 'authentication_error', status: 401, campaignId: 'c12' });
    expect(events).toEqual([expect.objectContaining({ type: 'paused', queue: 'msgkit-smscx-default' })]);
    const queue = new Queue(bad.queue, { connection: { url: redis.url }, prefix });
    try {
      expect(await queue.isPaused()).toBe(true);
    } finally {
      await queue.close();
    }

    // Enqueuing again says why nothing moves; the fix is new credentials on the workers, then resume.
    expect(await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c12', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'c12' }, batchSize: 1 })).toMatchObject({
      created: false,
      accountPaused: { code: 'authentication_error' },
    });
    const good = createCampaignWorker({ connection: redis.url, prefix, sender: smscx(), concurrency: 4 });
    try {
      expect(await resumeAccount({ connection: redis.url, prefix, provider: 'smscx' })).toMatchObject({ paused: { code: 'authentication_error' } });
      const done = await waitDone(redis.url, 'c12', prefix);
      expect(done.sent).toEqual({ batches: 40, recipients: 40 });
      expect(done.queueState.paused).toBeUndefined();
      expect(sandbox.messages('smscx').filter((m) => m.text === 'c12').map((m) => m.to).sort()).toEqual([...numbers].sort());
    } finally {
      await good.close();
    }
  });

  it('honours a Retry-After of 31 years for 10 minutes at most, pausing every worker of the account that long, and says so', async () => {
    const prefix = redis.prefix();
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 429, headers: { 'retry-after': '999999999' }, body: { error: { type: 'rate_limit', code: 0, message: 'slow down', uri: '' } } });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c11', sender: smscx(), recipients: gbNumbers(2, 900), message: { from: 'Shop', text: 'c11' }, batchSize: 2 });
    const events: CampaignWorkerEvent[] = [];
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx(), onEvent: (e) => events.push(e) });
    try {
      // The worker pauses the queue first, then records why and says so: wait for all three, however
      // slowly a loaded machine runs the steps between them.
      let ttl = -2;
      let status = await campaignStatus(redis.url, 'c11', { prefix });
      for (let i = 0; ttl <= 0 || !status?.queueState.rateLimited || events.length === 0; i++) {
        if (i > 6000) throw new Error(`the queue was never rate limited, or never said so: ${JSON.stringify({ ttl, events })}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        ttl = await client.pttl(`${prefix}:${worker.queue}:limiter`);
        status = await campaignStatus(redis.url, 'c11', { prefix });
      }
      expect(ttl).toBeLessThanOrEqual(MAX_RATE_LIMIT_PAUSE_MS);
      expect(MAX_RATE_LIMIT_PAUSE_MS).toBe(600_000);
      expect(status!.queueState.rateLimited).toMatchObject({ askedMs: 999_999_999_000, pausedMs: 600_000, capped: true, campaignId: 'c11', index: 0 });
      expect(status!.pending).toEqual({ batches: 1, recipients: 2 });
      expect(formatCampaignStatus(status!)).toContain('every worker paused 10 min (the vendor asked 11574.1 days; capped)');
      expect(events).toEqual([expect.objectContaining({ type: 'rate_limited', notice: expect.objectContaining({ capped: true, pausedMs: 600_000 }) })]);
    } finally {
      await worker.close();
    }
  });

  it('binds each batch key to the campaign content, so an id used again with another text where Redis no longer has the first is sent, not dropped as a duplicate', async () => {
    const numbers = gbNumbers(4, 1_100);
    const base = { connection: redis.url, campaignId: 'c13', sender: smscx(), recipients: numbers, batchSize: 2 };
    // Two prefixes stand for a Redis that lost or never had the first campaign.
    for (const [prefix, text] of [
      [redis.prefix(), 'c13 first'],
      [redis.prefix(), 'c13 second'],
    ] as const) {
      await enqueueCampaign({ ...base, prefix, message: { from: 'Shop', text } });
      const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx() });
      try {
        await waitDone(redis.url, 'c13', prefix);
      } finally {
        await worker.close();
      }
    }
    for (const text of ['c13 first', 'c13 second']) expect(sandbox.messages('smscx').filter((m) => m.text === text).map((m) => m.to).sort()).toEqual([...numbers].sort());
  });

  it('pauses the whole queue on a 429, then sends the batch with the same key without spending an attempt', async () => {
    const prefix = redis.prefix();
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 429, headers: { 'retry-after': '1' }, body: { error: { type: 'rate_limit', code: 0, message: 'slow down', uri: '' } } });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c6', sender: smscx(), recipients: gbNumbers(2, 500), message: { from: 'Shop', text: 'c6' }, batchSize: 2, attempts: 1 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx(), rateLimitBackoffMs: 200 });
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
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c10', sender: smsworks(), recipients: numbers, message: { from: 'Shop', text: 'c10' }, batchSize: 2, attempts: 3 });
    let calls = 0;
    const sender = sendingWith(smsworks(), async () => {
      calls++;
      throw new RateLimitError({ status: 429, message: 'Too Many Requests', headers: {}, body: undefined, outcomeUnknown: true });
    });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender, rateLimitBackoffMs: 100 });
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
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c7', sender: smscx(), account: 'slow', recipients: gbNumbers(3, 600), message: { from: 'Shop', text: 'c7' }, batchSize: 1 });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c8', sender: smscx(), account: 'other', recipients: gbNumbers(1, 610), message: { from: 'Shop', text: 'c8' }, batchSize: 1 });
    // One request a minute: the test sees the first batch go and the next two held back.
    const worker = createCampaignWorker({ connection: redis.url, prefix, account: 'slow', sender: smscx(), limiter: { max: 1, duration: 60_000 } });
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
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'c9', sender: smsworks(), recipients: numbers, message: { from: 'Shop', text: 'c9' }, batchSize: 2 });
    const settings = { connection: redis.url, prefix, lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 };
    // A worker whose send never returns, then stops without finishing it or renewing its lock: dead.
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const hung = sendingWith(smsworks(), () => (started(), new Promise(() => undefined)));
    const dead = createCampaignWorker({ ...settings, sender: hung });
    await sending;
    await dead.worker.close(true);
    const survivor = createCampaignWorker({ ...settings, sender: smsworks() });
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
