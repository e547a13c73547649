import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { SmsWorksClient } from '@msgkit/smsworks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsWorksAdapter } from './adapters';
import { formatCampaignStatus } from './format';
import { RedisJournal } from './journal';
import { enqueueCampaign } from './producer';
import { openAccountQueues } from './board';
import { campaignStatus, followCampaign, listCampaigns, type CampaignEvent } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { redisAvailable, startTestRedis, type TestRedis } from './test/redis';
import { createCampaignWorker } from './worker';

let redis: TestRedis;
let client: Redis;
let sandbox: Sandbox;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  client = new Redis(redis.url);
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  client?.disconnect();
  await sandbox?.close();
  await redis?.stop();
});

const at = '2026-01-01T00:00:00.000Z';

describe.skipIf(!redisAvailable)('the campaign journal in Redis', () => {
  it('keeps the first outcome of a batch, except that a proven sent replaces an unknown, and keeps totals in step', async () => {
    const prefix = redis.prefix();
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 's1', provider: 'smsworks', recipients: gbNumbers(4), message: { from: 'Shop', text: 's1' }, batchSize: 2 });
    const journal = new RedisJournal(client, prefix);
    await journal.record('s1', { outcome: 'unknown', index: 0, count: 2, reason: 'interrupted', recipients: gbNumbers(2), at });
    await journal.record('s1', { outcome: 'sent', index: 0, count: 2, ids: ['b-0'], at });
    await journal.record('s1', { outcome: 'sent', index: 1, count: 2, ids: ['b-1'], at });
    const kept = await journal.record('s1', { outcome: 'refused', index: 1, count: 2, code: 'bad_request', message: 'late', recipients: gbNumbers(2, 2), at });
    expect(kept).toMatchObject({ outcome: 'sent', ids: ['b-1'] });
    const status = await campaignStatus(redis.url, 's1', { prefix });
    expect(status).toMatchObject({ sent: { batches: 2, recipients: 4 }, unknown: { batches: 0, recipients: 0 }, refused: { batches: 0 }, done: true, unknownBatches: [] });
  });

  it('lets only one of two workers find a batch fresh', async () => {
    const prefix = redis.prefix();
    const journal = new RedisJournal(client, prefix);
    const states = await Promise.all([journal.begin('s2', 0, 'a'), journal.begin('s2', 0, 'b')]);
    expect(states.map((s) => s.state).sort()).toEqual(['fresh', 'resumed']);
  });

  it('lists the ids of the campaigns enqueued under a prefix, and none of another prefix', async () => {
    const prefix = redis.prefix();
    const other = redis.prefix();
    for (const id of ['spring-2', 'spring-1', 'a.b_c']) {
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: id, provider: 'smsworks', recipients: gbNumbers(2), message: { from: 'Shop', text: id }, batchSize: 2 });
    }
    await enqueueCampaign({ connection: redis.url, prefix: other, campaignId: 'elsewhere', provider: 'smsworks', recipients: gbNumbers(2), message: { from: 'Shop', text: 'x' }, batchSize: 2 });
    // A key of this prefix that is not a campaign's description is no campaign.
    await client.set(`${prefix}:campaign:{fake}:counts`, '1');
    expect(await listCampaigns(redis.url, { prefix })).toEqual(['a.b_c', 'spring-1', 'spring-2']);
    expect(await listCampaigns(redis.url, { prefix: other })).toEqual(['elsewhere']);
    expect(await listCampaigns(redis.url, { prefix: redis.prefix() })).toEqual([]);
  });

  it('opens the BullMQ queue of a campaign\'s account under the same prefix, for a viewer of its jobs', async () => {
    const prefix = redis.prefix();
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'q1', provider: 'smsworks', account: 'acme', recipients: gbNumbers(6), message: { from: 'Shop', text: 'q1' }, batchSize: 2 });
    const status = await campaignStatus(redis.url, 'q1', { prefix });
    const queues = await openAccountQueues(redis.url, { prefix });
    try {
      const queue = queues.get(status!.queue);
      expect(queues.get(status!.queue)).toBe(queue);
      expect(await queue.getJobCounts('waiting', 'active', 'completed')).toMatchObject({ waiting: 3, active: 0, completed: 0 });
      expect((await queue.getJob('q1-b0'))?.data.recipients).toEqual(gbNumbers(2));
    } finally {
      await queues.close();
    }
  });

  it('answers undefined for a campaign it never saw', async () => {
    expect(await campaignStatus(redis.url, 'nope', { prefix: redis.prefix() })).toBeUndefined();
  });
});

describe.skipIf(!redisAvailable)('following a campaign', () => {
  it('yields each batch begun and settled, then ends when every batch has an outcome', async () => {
    const prefix = redis.prefix();
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, drop: true });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'f1', provider: 'smsworks', recipients: gbNumbers(6, 10), message: { from: 'Shop', text: 'f1' }, batchSize: 2 });
    const events: CampaignEvent[] = [];
    const following = (async () => {
      for await (const event of followCampaign(redis.url, 'f1', { prefix, from: '0' })) events.push(event);
    })();
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: smsWorksAdapter(new SmsWorksClient({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 })) });
    try {
      const status = await waitDone(redis.url, 'f1', prefix);
      await following;
      expect(events.filter((e) => e.type === 'begin')).toHaveLength(3);
      const outcomes = events.flatMap((e) => (e.type === 'outcome' ? [`${e.index}:${e.outcome}:${e.count}`] : []));
      expect(outcomes.sort()).toEqual([`0:unknown:2`, `1:sent:2`, `2:sent:2`]);
      const text = formatCampaignStatus(status);
      expect(text).toContain('unknown batch 0 (outcome_unknown, check with the vendor before resending): +447400000010 +447400000011');
      expect(text).toMatch(/sent\s+4 recipients in 2 batches/);

      // The bin prints the same status and says by its exit code that not everything was sent.
      const bin = createRequire(import.meta.url).resolve('@msgkit/queue/package.json').replace('package.json', 'dist/bin.mjs');
      const run = spawnSync(process.execPath, [bin, 'status', 'f1', '--redis', redis.url, '--prefix', prefix], { encoding: 'utf8', timeout: 900_000 });
      expect(run.stdout.trim()).toBe(text);
      expect(run.status).toBe(1);
      const missing = spawnSync(process.execPath, [bin, 'status', 'nope', '--redis', redis.url, '--prefix', prefix], { encoding: 'utf8', timeout: 900_000 });
      expect([missing.status, missing.stderr]).toEqual([2, expect.stringContaining('no campaign nope')]);
    } finally {
      await worker.close();
    }
  });
});
