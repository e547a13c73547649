import { randomUUID } from 'node:crypto';
import { ChainValidationError, ValidationError } from '@msgkit/core';
import { planChain } from '@msgkit/core/internal';
import { octopushSender } from '@msgkit/octopush';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCampaignStatus } from './format';
import { RedisJournal } from './journal';
import { batchJobId, queueName } from './names';
import { enqueueCampaign, type BatchJobData } from './producer';
import { campaignRecipients } from './status';
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

const smscx = () => smscxSender({ apiKey: 'queue-key', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
const smsworks = () => smsworksSender({ token: 'JWT queue', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 });
// The SMS Works' documented refusal of a credential (shared/vendors/smsworks.md): nothing was sent.
const SMSWORKS_401 = { vendor: 'smsworks' as const, path: '/batch/send', count: 1, status: 401, body: { message: 'UNAUTHORIZED', errorCode: 401, status: 'UNAUTHORIZED' } };
/** The numbers of `text` each vendor stored, in E.164. */
const storedBy = (text: string) => ({
  smscx: sandbox.messages('smscx').filter((m) => m.text === text).map((m) => m.to).sort(),
  smsworks: sandbox.messages('smsworks').filter((m) => m.text === text).map((m) => `+${m.to}`).sort(),
});
const smscxAnswer = (entries: Array<[string, string]>) => ({
  info: { campaignId: randomUUID(), totalPhoneNumbers: entries.length, totalParts: 0, totalCost: 0, currency: 'EUR', scheduled: false },
  data: entries.map(([to, status]) => ({ msgId: randomUUID(), status, statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0, to, countryIso: 'GB', from: 'Shop', parts: 1 })),
});

describe.skipIf(!redisAvailable)('a queue campaign through a chain of senders', () => {
  it('sends a recipient the first vendor refused with proof through the next one, and records per recipient each vendor tried and which one sent', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(4, 5_000);
    const message = { from: 'Shop', text: 'chain-a' };
    const enqueued = await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch1', senders: [smsworks(), smscx()], recipients: numbers, message, batchSize: 2 });
    expect(enqueued.queue).toBe(queueName('smsworks.smscx', 'default'));
    sandbox.faults.add(SMSWORKS_401);
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: [smsworks(), smscx()] });
    try {
      const status = await waitDone(redis.url, 'ch1', prefix);
      expect(status).toMatchObject({ chain: ['smsworks', 'smscx'], sent: { batches: 2, recipients: 4 }, refused: { recipients: 0 }, unknown: { recipients: 0 } });
      // One batch was refused by The SMS Works (a 401 it documents as before acting) and taken by SMS.CX.
      expect(Object.values(status.sentBy).sort()).toEqual([2, 2]);
      const stored = storedBy('chain-a');
      expect([...stored.smscx, ...stored.smsworks].sort()).toEqual([...numbers].sort());
      expect(stored.smscx.filter((n) => stored.smsworks.includes(n))).toEqual([]);
      const records = (await campaignRecipients(redis.url, 'ch1', { prefix }))!;
      expect(records).toHaveLength(4);
      for (const r of records) {
        expect(r.status).toBe('sent');
        expect(stored[r.sentBy as 'smscx' | 'smsworks']).toContain(r.to);
        if (r.sentBy === 'smscx') {
          expect(r.tried.map((t) => [t.sender, t.outcome, t.class])).toEqual([
            ['smsworks', 'refused', 'authentication'],
            ['smscx', 'sent', undefined],
          ]);
        } else expect(r.tried.map((t) => [t.sender, t.outcome])).toEqual([['smsworks', 'sent']]);
      }
      const batch = records.find((r) => r.sentBy === 'smscx')!.batch;
      const attempts = await new RedisJournal(client, prefix).attempts('ch1', batch);
      expect(attempts.map((a) => [a.sender, a.outcome?.status])).toEqual([
        ['smsworks', 'refused'],
        ['smscx', 'sent'],
      ]);
      const text = formatCampaignStatus(status);
      expect(text).toContain('chain smsworks -> smscx');
      expect(text).toMatch(/by smscx\s+2 recipients/);
      expect(text).toMatch(/by smsworks\s+2 recipients/);
    } finally {
      await worker.close();
    }
  });

  it('holds a recipient whose attempt is unknown at the first vendor, reports it, and never asks the next vendor', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(2, 5_100);
    const message = { from: 'Shop', text: 'chain-b' };
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch2', senders: [smsworks(), smscx()], recipients: numbers, message, batchSize: 2 });
    // The SMS Works acts, then the answer is lost: it may have sent them (it cannot deduplicate).
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, after: true, drop: true });
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: [smsworks(), smscx()] });
    try {
      const status = await waitDone(redis.url, 'ch2', prefix);
      expect(status).toMatchObject({ unknown: { batches: 1, recipients: 2 }, sent: { recipients: 0 }, sentBy: {} });
      expect(status.unknownBatches).toEqual([expect.objectContaining({ index: 0, reason: 'outcome_unknown', recipients: numbers })]);
      expect(storedBy('chain-b').smscx).toEqual([]);
      const records = (await campaignRecipients(redis.url, 'ch2', { prefix }))!;
      expect(records.map((r) => [r.status, r.tried.map((t) => `${t.sender}:${t.outcome}`)])).toEqual([
        ['unknown', ['smsworks:unknown']],
        ['unknown', ['smsworks:unknown']],
      ]);
    } finally {
      await worker.close();
    }
  });

  it('moves on alone a recipient the first vendor refused in its accepted answer (SMS.CX NO COVERAGE), and never one it refused for good', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(3, 5_200);
    const message = { from: 'Shop', text: 'chain-c' };
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch3', senders: [smscx(), smsworks()], recipients: numbers, message, batchSize: 3 });
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 200, body: smscxAnswer([[numbers[0]!, 'ACCEPTED'], [numbers[1]!, 'NO COVERAGE'], [numbers[2]!, 'REJECTED']]) });
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: [smscx(), smsworks()] });
    try {
      const status = await waitDone(redis.url, 'ch3', prefix);
      expect(status).toMatchObject({ sent: { batches: 1, recipients: 2 }, refused: { batches: 0, recipients: 1 }, sentBy: { smscx: 1, smsworks: 1 } });
      expect(status.refusedRecipients).toEqual([{ to: numbers[2], code: 'REJECTED', sender: 'smscx', batch: 0 }]);
      // Only the recipient without coverage went to The SMS Works; the opted-out one went nowhere.
      expect(storedBy('chain-c').smsworks).toEqual([numbers[1]]);
      expect(formatCampaignStatus(status)).toContain(`refused ${numbers[2]} (batch 0, smscx): REJECTED`);
    } finally {
      await worker.close();
    }
  });

  it('refuses, before anything is queued, a message a vendor of the chain cannot carry, naming the vendor and its rule', async () => {
    const prefix = redis.prefix();
    const octopush = octopushSender({ apiLogin: 'a@b.c', apiKey: 'k' });
    const refusal = await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch4', senders: [smscx(), octopush], recipients: gbNumbers(2, 5_300), message: { from: 'Shop', text: 'chain-d' }, batchSize: 2 }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ChainValidationError);
    const { senders, issues } = refusal as ChainValidationError;
    expect(Object.keys(senders)).toEqual(['octopush']);
    expect(issues.map((i) => i.path[0])).toEqual(issues.map(() => 'octopush'));
    expect(issues.map((i) => i.path.join('.'))).toContain('octopush.options.octopush.type');
    // A batch larger than the chain's smallest per-request maximum is refused too (Octopush: 500).
    const big = await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ch4', senders: [smscx(), octopush], recipients: gbNumbers(2, 5_300), message: { from: 'Shop', text: 'chain-d', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } }, batchSize: 600 }).catch((e: unknown) => e);
    expect((big as ValidationError).issues.map((i) => i.code)).toEqual(['batch_size_out_of_range']);
    const queue = new Queue(queueName('smscx.octopush', 'default'), { connection: { url: redis.url }, prefix });
    try {
      expect(await queue.count()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});

describe.skipIf(!redisAvailable)('the chain attempts of a batch in Redis', () => {
  it('take an attempt only as the batch\'s next one, so a second worker that planned the same attempt sends nothing', async () => {
    const journal = new RedisJournal(client, redis.prefix());
    const attempt = { batch: 4, attempt: 0, sender: 'smsworks', recipients: ['+447400000001'] };
    await journal.beginAttempt('cas', attempt);
    await expect(journal.beginAttempt('cas', { ...attempt, sender: 'smscx' })).rejects.toMatchObject({ code: 'journal_mismatch' });
    await expect(journal.beginAttempt('cas', { ...attempt, attempt: 2 })).rejects.toMatchObject({ code: 'journal_mismatch' });
    await journal.settleAttempt('cas', 4, 0, { status: 'refused', failover: true, class: 'authentication', code: 'authentication_error', message: 'no' });
    // The first outcome stands.
    await journal.settleAttempt('cas', 4, 0, { status: 'sent', ids: ['x'] });
    await journal.beginAttempt('cas', { ...attempt, attempt: 1, sender: 'smscx' });
    expect(await journal.attempts('cas', 4)).toEqual([
      { ...attempt, outcome: { status: 'refused', failover: true, class: 'authentication', code: 'authentication_error', message: 'no' } },
      { ...attempt, attempt: 1, sender: 'smscx' },
    ]);
  });
});

describe.skipIf(!redisAvailable)('a chain batch taken over while its first worker still waits for the vendor', () => {
  const to = ['+447400000011', '+447400000012'];
  const first = { batch: 0, attempt: 0, sender: 'smscx', recipients: to, dedupeKey: 'k0' };
  // The second worker found attempt 0 begun with no outcome (the first worker's job lock lapsed) and
  // resends it with the same key: SMS.CX deduplicates it.
  const resend = { ...first, attempt: 1, resendOf: 0 };

  it('records the stalled worker\'s late answer nowhere once a resend of its attempt began, so the batch stays readable', async () => {
    const journal = new RedisJournal(client, redis.prefix());
    await journal.beginAttempt('late', first);
    await journal.beginAttempt('late', resend);
    await journal.settleAttempt('late', 0, 0, { status: 'sent', ids: ['m1', 'm2'] });
    await journal.settleAttempt('late', 0, 1, { status: 'sent', ids: ['m1', 'm2'], duplicate: true });
    const attempts = await journal.attempts('late', 0);
    expect(attempts.map((a) => a.outcome?.status)).toEqual([undefined, 'sent']);
    const { states } = planChain(['smscx', 'smsworks'], [true, false], to, attempts);
    expect([...states.values()].map((s) => [s.status, 'attempt' in s ? s.attempt : undefined])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it('refuses to begin a resend of an attempt whose answer was recorded meanwhile: the worker reads the batch again instead', async () => {
    const journal = new RedisJournal(client, redis.prefix());
    await journal.beginAttempt('early', first);
    await journal.settleAttempt('early', 0, 0, { status: 'sent', ids: ['m1', 'm2'] });
    await expect(journal.beginAttempt('early', resend)).rejects.toMatchObject({ code: 'journal_mismatch' });
    const attempts = await journal.attempts('early', 0);
    expect(attempts).toHaveLength(1);
    expect([...planChain(['smscx', 'smsworks'], [true, false], to, attempts).states.values()].every((s) => s.status === 'sent')).toBe(true);
  });
});

describe.skipIf(!redisAvailable)('recipients a single vendor refused one by one inside an accepted batch', () => {
  it('are counted refused, recorded per number with the vendor code, and listed by the status', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(3, 5_400);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'r1', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'refused-1' }, batchSize: 3 });
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, status: 200, body: smscxAnswer([[numbers[0]!, 'ACCEPTED'], [numbers[1]!, 'NO COVERAGE'], [numbers[2]!, 'ACCEPTED']]) });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx() });
    try {
      const status = await waitDone(redis.url, 'r1', prefix);
      expect(status).toMatchObject({ sent: { batches: 1, recipients: 2 }, refused: { batches: 0, recipients: 1 }, pending: { recipients: 0 }, sentBy: { smscx: 2 } });
      expect(status.refusedRecipients).toEqual([{ to: numbers[1], code: 'NO COVERAGE', sender: 'smscx', batch: 0 }]);
      expect(await campaignRecipients(redis.url, 'r1', { prefix })).toEqual([
        { to: numbers[1], batch: 0, status: 'refused', code: 'NO COVERAGE', tried: [{ sender: 'smscx', attempt: 0, outcome: 'refused', failover: true, class: 'no_route', code: 'NO COVERAGE' }] },
      ]);
    } finally {
      await worker.close();
    }
  });
});

describe.skipIf(!redisAvailable)('a personalized queue campaign', () => {
  const rows = [
    { name: 'Ann', code: '1234' },
    { name: 'Bob', code: '99' },
    { name: 'Zoë', code: '7' },
  ];

  it('sends each recipient its own text, counting each with its own', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(3, 5_500);
    const enqueued = await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'p1', sender: smscx(), recipients: numbers, values: rows, message: { from: 'Shop', text: 'Hi {name}, your code is {code}' }, batchSize: 1 });
    // Zoë's ë is not GSM-7: her text is UCS-2, still one part; every text here is one part.
    expect(enqueued).toMatchObject({ batches: 3, recipients: 3, segments: { total: 3, min: 1, max: 1 } });
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender: smscx() });
    try {
      const status = await waitDone(redis.url, 'p1', prefix);
      expect(status).toMatchObject({ sent: { recipients: 3 }, personalized: { segments: { total: 3 } } });
      const texts = sandbox.messages('smscx').filter((m) => numbers.includes(m.to)).map((m) => [m.to, m.text]);
      expect(texts.sort()).toEqual([
        [numbers[0], 'Hi Ann, your code is 1234'],
        [numbers[1], 'Hi Bob, your code is 99'],
        [numbers[2], 'Hi Zoë, your code is 7'],
      ]);
    } finally {
      await worker.close();
    }
  });

  it('refuses an unknown placeholder or an empty value before anything is queued, naming the column and the row', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(3, 5_600);
    const base = { connection: redis.url, prefix, campaignId: 'p2', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'Hi {name}, your code is {code}' }, batchSize: 1 };
    const empty = await enqueueCampaign({ ...base, values: [rows[0]!, { name: '', code: '1' }, { name: 'Cy' }] }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ValidationError);
    expect((empty as ValidationError).issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['template_empty_value', 'rows.1.name'],
      ['template_unknown_column', 'rows.2.code'],
    ]);
    expect((empty as ValidationError).issues[0]!.message).toContain('row 1');
    const chained = await enqueueCampaign({ ...base, sender: undefined, senders: [smscx(), smsworks()], values: [rows[0]!, rows[1]!, { name: 'Cy', code: '' }] }).catch((e: unknown) => e);
    expect((chained as ValidationError).issues.map((i) => [i.code, i.path.join('.')])).toEqual([['template_empty_value', 'rows.2.code']]);
    const queue = new Queue(queueName('smscx', 'default'), { connection: { url: redis.url }, prefix });
    try {
      expect(await queue.count()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('binds the campaign to the template and every value: a changed value is refused under the used id, and gets other keys where Redis no longer holds the first', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(3, 5_700);
    const base = { connection: redis.url, prefix, campaignId: 'p3', sender: smscx(), recipients: numbers, message: { from: 'Shop', text: 'Hi {name}, your code is {code}' }, batchSize: 1 };
    await enqueueCampaign({ ...base, values: rows });
    expect(await enqueueCampaign({ ...base, values: rows.map((r) => ({ ...r })) })).toMatchObject({ created: false });
    const changed = [rows[0]!, { name: 'Bob', code: '98' }, rows[2]!];
    const reused = await enqueueCampaign({ ...base, values: changed }).catch((e: unknown) => e);
    expect((reused as ValidationError).issues.map((i) => i.code)).toEqual(['campaign_id_reused']);
    const other = await enqueueCampaign({ ...base, message: { from: 'Shop', text: 'Hello {name}, your code is {code}' }, values: rows }).catch((e: unknown) => e);
    expect((other as ValidationError).issues.map((i) => i.code)).toEqual(['campaign_id_reused']);
    // The same id under an empty Redis (another prefix here): its jobs carry another digest, so other dedupe keys.
    const fresh = redis.prefix();
    await enqueueCampaign({ ...base, prefix: fresh, values: changed });
    const digestOf = async (p: string) => {
      const queue = new Queue<BatchJobData>(queueName('smscx', 'default'), { connection: { url: redis.url }, prefix: p });
      try {
        const job = await queue.getJob(batchJobId('p3', 1));
        return [job!.data.digest, job!.data.message.text];
      } finally {
        await queue.close();
      }
    };
    const [first, second] = [await digestOf(prefix), await digestOf(fresh)];
    expect(first[1]).toBe('Hi Bob, your code is 99');
    expect(second[1]).toBe('Hi Bob, your code is 98');
    expect(first[0]).not.toBe(second[0]);
  });
});
