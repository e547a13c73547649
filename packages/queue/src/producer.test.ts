import { ValidationError } from '@msgkit/core';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignStatus } from './status';
import { batchJobId, queueName } from './names';
import { enqueueCampaign } from './producer';
import { gbNumbers } from './test/helpers';
import { redisAvailable, startTestRedis, type TestRedis } from './test/redis';

let redis: TestRedis;
beforeAll(async () => {
  if (redisAvailable) redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((i) => i.code);
};

describe('enqueueCampaign refuses before touching Redis', () => {
  const base = { connection: 'redis://127.0.0.1:1', campaignId: 'c', recipients: ['+447400000001'], message: { text: 'hi' } };
  it('a batch size over the vendor per-request maximum, or below 1', async () => {
    expect(await refusal(enqueueCampaign({ ...base, provider: 'octopush', batchSize: 501 }))).toEqual(['batch_size_out_of_range']);
    expect(await refusal(enqueueCampaign({ ...base, provider: 'infobip', batchSize: 0 }))).toEqual(['batch_size_out_of_range']);
  });

  it('no sender for SMS.CX or The SMS Works, whose send requests require one', async () => {
    expect(await refusal(enqueueCampaign({ ...base, provider: 'smscx', batchSize: 10 }))).toEqual(['sender_required']);
    expect(await refusal(enqueueCampaign({ ...base, provider: 'smsworks', batchSize: 10, message: { from: '', text: 'hi' } }))).toEqual(['sender_required']);
  });

  it('every number that is not a usable phone number, by its position, so no batch is refused for one typo', async () => {
    const error = await enqueueCampaign({ ...base, provider: 'octopush', batchSize: 10, recipients: ['+33612345678', 'call me', '+3361234'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.code])).toEqual([
      [['recipients', 1], 'not_a_number'],
      [['recipients', 2], 'too_short'],
    ]);
  });

  it('a sender for Infobip, whose OMNI sender lives in the scenario', async () => {
    expect(await refusal(enqueueCampaign({ ...base, provider: 'infobip', batchSize: 10, message: { from: 'Shop', text: 'hi' } }))).toEqual(['sender_in_scenario']);
  });

  it('an id BullMQ cannot take; an empty list and an empty text, both at once', async () => {
    expect(await refusal(enqueueCampaign({ ...base, campaignId: 'a:b', provider: 'octopush', batchSize: 10 }))).toEqual(['invalid_id']);
    expect(await refusal(enqueueCampaign({ ...base, provider: 'octopush', batchSize: 10, recipients: [], message: { text: '' } }))).toEqual(['recipients_empty', 'text_empty']);
  });
});

describe.skipIf(!redisAvailable)('enqueueCampaign', () => {
  it('adds one job per batch, with ids from the campaign id and batch index, on the account queue', async () => {
    const prefix = redis.prefix();
    const result = await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'p1', provider: 'smscx', account: 'eu', recipients: gbNumbers(25), message: { from: 'Shop', text: 'p1' }, batchSize: 10 });
    expect(result).toEqual({ campaignId: 'p1', queue: 'msgkit-smscx-eu', batches: 3, recipients: 25, duplicates: 0, created: true });
    const queue = new Queue(queueName('smscx', 'eu'), { connection: { url: redis.url }, prefix });
    try {
      expect(await queue.getWaitingCount()).toBe(3);
      const job = await queue.getJob(batchJobId('p1', 2));
      const { fingerprint } = (await campaignStatus(redis.url, 'p1', { prefix }))!;
      expect(job?.data).toEqual({ campaignId: 'p1', provider: 'smscx', index: 2, recipients: gbNumbers(5, 20), message: { from: 'Shop', text: 'p1' }, digest: fingerprint });
    } finally {
      await queue.close();
    }
    expect(await campaignStatus(redis.url, 'p1', { prefix })).toMatchObject({ batches: 3, recipients: 25, pending: { batches: 3, recipients: 25 }, done: false });
  });

  it('adds nothing when the same campaign is enqueued again', async () => {
    const prefix = redis.prefix();
    const options = { connection: redis.url, prefix, campaignId: 'p2', provider: 'smsworks' as const, recipients: gbNumbers(30), message: { from: 'Shop', text: 'p2' }, batchSize: 7 };
    await enqueueCampaign(options);
    expect(await enqueueCampaign(options)).toMatchObject({ batches: 5, created: false });
    const queue = new Queue(queueName('smsworks', 'default'), { connection: { url: redis.url }, prefix });
    try {
      expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')).toMatchObject({ waiting: 5, active: 0, completed: 0, failed: 0, delayed: 0 });
    } finally {
      await queue.close();
    }
  });

  it('queues numbers in E.164, each once, reading national ones in the default country', async () => {
    const prefix = redis.prefix();
    const result = await enqueueCampaign({
      connection: redis.url,
      prefix,
      campaignId: 'p4',
      provider: 'octopush',
      recipients: ['06 12 34 56 78', '+33 6 12 34 56 78', '0612345679'],
      defaultCountry: 'FR',
      message: { text: 'p4' },
      batchSize: 10,
    });
    expect(result).toMatchObject({ batches: 1, recipients: 2, duplicates: 1 });
    const queue = new Queue(queueName('octopush', 'default'), { connection: { url: redis.url }, prefix });
    try {
      expect((await queue.getJob(batchJobId('p4', 0)))?.data.recipients).toEqual(['+33612345678', '+33612345679']);
    } finally {
      await queue.close();
    }
  });

  it('refuses an id already used with another text, list, sender, provider or account, before adding a job', async () => {
    const prefix = redis.prefix();
    const options = { connection: redis.url, prefix, campaignId: 'p3', provider: 'smscx' as const, recipients: gbNumbers(3), message: { from: 'Shop', text: 'p3' }, batchSize: 2 };
    await enqueueCampaign(options);
    const others = [
      { ...options, message: { from: 'Shop', text: 'other' } },
      { ...options, recipients: gbNumbers(3, 1) },
      { ...options, message: { from: 'Other', text: 'p3' } },
      { ...options, provider: 'smsworks' as const },
      { ...options, account: 'eu' },
    ];
    for (const other of others) expect(await refusal(enqueueCampaign(other))).toEqual(['campaign_id_reused']);
    for (const [provider, account, jobs] of [
      ['smscx', 'default', 2],
      ['smsworks', 'default', 0],
      ['smscx', 'eu', 0],
    ] as const) {
      const queue = new Queue(queueName(provider, account), { connection: { url: redis.url }, prefix });
      try {
        expect([provider, account, await queue.count()]).toEqual([provider, account, jobs]);
      } finally {
        await queue.close();
      }
    }
    // The same campaign written with its message fields in another order is the same campaign.
    expect(await enqueueCampaign({ ...options, message: { text: 'p3', from: 'Shop' } })).toMatchObject({ created: false });
  });
});
