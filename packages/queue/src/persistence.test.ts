/**
 * Redis restarted under a running campaign, for real: a redis-server of the test's own is SIGKILLed
 * mid-campaign and started again on the same port and directory, in each persistence mode, while a
 * worker sends a The SMS Works campaign (no dedupe key) to the sandbox. What the sandbox received
 * is counted: no recipient may get the text twice.
 */
import { spawnSync } from 'node:child_process';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { SmsWorksClient } from '@msgkit/smsworks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsWorksAdapter, type ProviderAdapter } from './adapters';
import type { CampaignWorkerEvent } from './batch';
import { RedisNotDurableError } from './errors';
import { enqueueCampaign, type EnqueueCampaignOptions } from './producer';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { startRedisServer, type Persistence, type RedisServer } from './test/server';
import { createCampaignWorker, type CampaignWorker, type CampaignWorkerOptions } from './worker';

const installed = spawnSync('redis-server', ['--version']).status === 0;
if (!installed && process.env.CI === 'true') throw new Error('the Redis restart tests need redis-server (apt-get install redis-server)');

let sandbox: Sandbox;
const servers: RedisServer[] = [];
const workers: CampaignWorker[] = [];
beforeAll(async () => {
  if (installed) sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  for (const worker of workers) await worker.close();
  for (const server of servers) await server.stop();
  await sandbox?.close();
});

async function server(persistence: Persistence) {
  const started = await startRedisServer(persistence);
  servers.push(started);
  return started;
}

/** Lets the test decide how many batches may reach the vendor, so it can restart Redis at a known point. */
function gated(inner: ProviderAdapter) {
  let allowed = 0;
  let sends = 0;
  const waiting: Array<() => void> = [];
  const adapter: ProviderAdapter = {
    provider: inner.provider,
    dedupes: inner.dedupes,
    async send(recipients, message, context) {
      while (allowed <= 0) await new Promise<void>((resolve) => waiting.push(resolve));
      allowed--;
      sends++;
      return inner.send(recipients, message, context);
    },
  };
  return {
    adapter,
    allow(n: number) {
      allowed += n;
      for (const wake of waiting.splice(0)) wake();
    },
    get sends() {
      return sends;
    },
  };
}

const smsworks = () => smsWorksAdapter(new SmsWorksClient({ token: 'JWT restart', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }));

function startWorker(options: CampaignWorkerOptions) {
  // Short locks: a job Redis restored as active is taken up again within seconds.
  const worker = createCampaignWorker({ lockDuration: 2_000, stalledInterval: 1_000, ...options });
  workers.push(worker);
  return worker;
}

async function settledAtLeast(url: string, id: string, prefix: string, n: number) {
  for (let i = 0; ; i++) {
    const status = await campaignStatus(url, id, { prefix });
    const settled = status ? status.sent.batches + status.refused.batches + status.unknown.batches : 0;
    if (settled >= n) return;
    if (i > 1_200) throw new Error(`campaign ${id}: ${settled} batches settled, waited for ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Recipients the sandbox got this text for more than once, and how many distinct ones got it. */
function received(text: string) {
  const counts = new Map<string, number>();
  for (const m of sandbox.messages('smsworks').filter((m) => m.text === text)) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  return { distinct: counts.size, twice: [...counts.values()].filter((n) => n > 1).length };
}

const campaign = (url: string, id: string): EnqueueCampaignOptions => ({
  connection: url,
  prefix: 'restart',
  campaignId: id,
  provider: 'smsworks',
  recipients: gbNumbers(400, 10_000),
  message: { from: 'Shop', text: `restart ${id}` },
  batchSize: 10,
});

/** A campaign of 40 batches on a gated worker, run until its first 10 batches are settled. */
async function tenBatchesIn(persistence: Persistence, id: string, workerOptions: Partial<CampaignWorkerOptions> = {}) {
  const redis = await server(persistence);
  const options = campaign(redis.url, id);
  await enqueueCampaign(options);
  const gate = gated(smsworks());
  const worker = startWorker({ connection: redis.url, prefix: 'restart', adapter: gate.adapter, ...workerOptions });
  await worker.ready;
  gate.allow(10);
  await settledAtLeast(redis.url, id, 'restart', 10);
  return { redis, options, gate };
}

/** Lets every batch go, waits for the campaign to end, and counts what the sandbox received. */
async function toTheEnd(name: string, redis: RedisServer, options: EnqueueCampaignOptions, gate: ReturnType<typeof gated>) {
  gate.allow(1_000);
  const status = await waitDone(redis.url, options.campaignId, 'restart');
  const { twice, distinct } = received(options.message.text);
  console.log(`${name}: ${gate.sends} requests, ${distinct} recipients received, ${twice} twice; status sent ${status.sent.recipients}, unknown ${status.unknown.recipients}`);
  return { status, twice, distinct };
}

describe.skipIf(!installed)('a campaign when Redis restarts under it', () => {
  it('sends no recipient twice when Redis comes back from an RDB snapshot older than the last sends, and lists what it cannot prove unsent as unknown', async () => {
    const { redis, options, gate } = await tenBatchesIn('rdb', 'rdb', { redisPersistence: 'accept-loss' });
    const admin = new Redis(redis.url);
    await admin.save();
    admin.disconnect();
    gate.allow(10);
    await settledAtLeast(redis.url, 'rdb', 'restart', 20);
    await redis.kill();
    await redis.start();
    const { status, twice } = await toTheEnd('RDB restart', redis, options, gate);
    expect(twice).toBe(0);
    expect(status.sent.recipients + status.unknown.recipients).toBe(400);
    expect(status.stateLost).toMatchObject({ previousRun: expect.any(String), run: expect.any(String) });
    expect(status.unknownBatches.every((b) => b.reason === 'state_lost')).toBe(true);
  });

  it('sends no recipient twice when Redis comes back empty and the campaign is enqueued again', async () => {
    const { redis, options, gate } = await tenBatchesIn('none', 'none', { redisPersistence: 'accept-loss' });
    await redis.kill();
    await redis.start();
    await enqueueCampaign(options);
    const { status, twice } = await toTheEnd('empty restart + enqueue again', redis, options, gate);
    expect(twice).toBe(0);
    expect(status.stateLost).toBeDefined();
  });

  it('sends every recipient exactly once when Redis comes back from its append-only file (fsync every second)', async () => {
    const { redis, options, gate } = await tenBatchesIn('aof', 'aof');
    await redis.kill();
    await redis.start();
    const { status, twice, distinct } = await toTheEnd('AOF restart', redis, options, gate);
    expect(twice).toBe(0);
    expect(distinct).toBe(400);
    expect(status.sent).toEqual({ batches: 40, recipients: 400 });
    expect(status.stateLost).toBeUndefined();
  });

  it('sends no recipient twice when a Redis with an append-only file comes back empty (its data directory lost) and the campaign is enqueued again', async () => {
    const { redis, options, gate } = await tenBatchesIn('aof', 'aof-wiped');
    await redis.kill();
    redis.wipe();
    await redis.start();
    await enqueueCampaign(options);
    const { status, twice } = await toTheEnd('AOF restart, data lost + enqueue again', redis, options, gate);
    expect(twice).toBe(0);
    expect(status.stateLost).toBeDefined();
  });

  it('refuses, sending nothing, a campaign id enqueued again with another text after Redis lost the first, when a worker saw the first', async () => {
    const { redis, options, gate } = await tenBatchesIn('none', 'reused', { redisPersistence: 'accept-loss' });
    await redis.kill();
    await redis.start();
    const second = { ...options, message: { from: 'Shop', text: 'restart reused, another text' } };
    await enqueueCampaign(second);
    const { status } = await toTheEnd('reused id after an empty restart', redis, second, gate);
    expect(received(second.message.text).distinct).toBe(0);
    expect(status.refused).toEqual({ batches: 40, recipients: 400 });
    expect(status.refusedBatches.every((b) => b.code === 'campaign_id_reused')).toBe(true);
  });
});

describe.skipIf(!installed)('a worker for a vendor that cannot deduplicate', () => {
  const smsworksCampaign = (url: string, id: string): EnqueueCampaignOptions => ({ ...campaign(url, id), recipients: gbNumbers(4, 20_000), batchSize: 2 });

  it.each([
    ['snapshots only', 'rdb', 'appendonly no'],
    ['nothing persisted', 'none', 'appendonly no'],
  ] as const)('refuses to start on a Redis with %s, naming the setting and the option that overrides it', async (_name, persistence, setting) => {
    const redis = await server(persistence);
    await enqueueCampaign(smsworksCampaign(redis.url, `refuse-${persistence}`));
    const worker = startWorker({ connection: redis.url, prefix: 'restart', adapter: smsworks() });
    const error = await worker.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisNotDurableError);
    expect(error).toMatchObject({ code: 'redis_not_durable', found: { appendonly: 'no' } });
    expect((error as Error).message).toContain(setting);
    expect((error as Error).message).toContain("redisPersistence: 'accept-loss'");
    expect(received(`restart refuse-${persistence}`).distinct).toBe(0);
  });

  it('refuses to start where CONFIG is disabled unless told the Redis writes an append-only file (trust-aof), and then only if INFO does not say otherwise', async () => {
    for (const persistence of ['aof', 'none'] as const) {
      const redis = await server(persistence);
      await redis.kill();
      await redis.start(persistence, ['--rename-command', 'CONFIG', '']);
      const refused = startWorker({ connection: redis.url, prefix: 'restart', adapter: smsworks() });
      const error = await refused.ready.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'redis_not_durable', message: expect.stringContaining("redisPersistence: 'trust-aof'") });
      const trusting = startWorker({ connection: redis.url, prefix: 'restart', adapter: smsworks(), redisPersistence: 'trust-aof' });
      if (persistence === 'aof') await expect(trusting.ready).resolves.toBeUndefined();
      else await expect(trusting.ready).rejects.toMatchObject({ code: 'redis_not_durable', found: { aof_enabled: '0' } });
    }
  });

  it('stops before sending another batch when Redis comes back without its append-only file, and a campaign enqueued again there is not sent', async () => {
    const redis = await server('aof');
    const options = smsworksCampaign(redis.url, 'aof-then-none');
    await enqueueCampaign(options);
    const gate = gated(smsworks());
    const events: CampaignWorkerEvent[] = [];
    const worker = startWorker({ connection: redis.url, prefix: 'restart', adapter: gate.adapter, onEvent: (e) => events.push(e) });
    await worker.ready;
    gate.allow(1);
    await settledAtLeast(redis.url, 'aof-then-none', 'restart', 1);
    await redis.kill();
    await redis.start('none');
    await enqueueCampaign(options);
    gate.allow(1_000);
    for (let i = 0; !events.some((e) => e.type === 'stopped'); i++) {
      if (i > 1_200) throw new Error(`the worker never stopped: ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ error: { code: 'redis_not_durable' } });
    // Batch 0, and batch 1 if it was already begun (its request in flight) when Redis died.
    expect(gate.sends).toBeLessThanOrEqual(2);
    expect(received(options.message.text)).toEqual({ distinct: 2 * gate.sends, twice: 0 });
  });
});
