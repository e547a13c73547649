/**
 * The report receiver's durability: a report answered 200 is never sent again by the vendor, so the
 * recorder must run only on a Redis that keeps what it acknowledged across a restart. Real
 * redis-server processes of the test's own, killed and restarted on the same port and directory.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryEvent } from '@msgkit/core';
import { startSandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { createWebhookHandler, toNodeListener } from '@msgkit/webhooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DeliveryRecords } from './deliveries';
import { RedisNotDurableError } from './errors';
import { enqueueCampaign } from './producer';
import { createDeliveryRecorder, type DeliveryRecorder } from './recorder';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { redisAvailable } from './test/redis';
import { startRedisServer, type Persistence, type RedisServer } from './test/server';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const report = (campaign: string, to: string, n: number): DeliveryEvent => ({ vendor: 'smscx', messageId: `m${n}`, to, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-01-01T00:00:00Z', reference: { campaign, batch: 0 } });

async function withServer(persistence: Persistence, body: (server: RedisServer) => Promise<void>, extra: string[] = []): Promise<void> {
  const server = await startRedisServer(persistence);
  try {
    if (extra.length > 0) {
      await server.kill();
      await server.start(persistence, extra);
    }
    await body(server);
  } finally {
    await server.stop();
  }
}

/** A campaign for the recorder to place reports in (enqueued only: a report naming its number is placed by it). */
async function campaign(url: string, campaignId: string, numbers: string[]) {
  const sender = smscxSender({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
  await enqueueCampaign({ connection: url, campaignId, sender, recipients: numbers, message: { from: 'Shop', text: 'Durable' }, batchSize: numbers.length });
}

describe.skipIf(!redisAvailable)('the delivery recorder refuses a Redis that can forget an answered report', () => {
  it('refuses to start on a Redis without an append-only file (RedisNotDurableError, as the workers), and runs there only with accept-loss', async () => {
    await withServer('none', async (server) => {
      const refused = createDeliveryRecorder({ connection: server.url });
      await expect(refused).rejects.toBeInstanceOf(RedisNotDurableError);
      await expect(refused).rejects.toMatchObject({ code: 'redis_not_durable', found: { appendonly: 'no' } });
      await expect(refused).rejects.toThrow(/a vendor does not resend a report it got 200 for/);
      const accepted = await createDeliveryRecorder({ connection: server.url, redisPersistence: 'accept-loss' });
      expect(accepted.persistence).toEqual({ mode: 'accept-loss' });
      await accepted.close();
    });
  });

  it('with CONFIG disabled (managed Redis), refuses unless told trust-aof, and then still refuses a Redis whose INFO says aof_enabled:0', async () => {
    await withServer('aof', async (server) => {
      await expect(createDeliveryRecorder({ connection: server.url })).rejects.toThrow(/cannot read the persistence settings/);
      const trusted = await createDeliveryRecorder({ connection: server.url, redisPersistence: 'trust-aof' });
      expect(trusted.persistence).toEqual({ mode: 'trust-aof', aofEnabled: '1' });
      await trusted.close();
    }, ['--rename-command', 'CONFIG', '']);
    await withServer('none', async (server) => {
      await expect(createDeliveryRecorder({ connection: server.url, redisPersistence: 'trust-aof' })).rejects.toMatchObject({ code: 'redis_not_durable', found: { aof_enabled: '0' } });
    }, ['--rename-command', 'CONFIG', '']);
  });

  it('refuses every report once its Redis came back from a snapshot without an append-only file, writing none of them, and takes them again once Redis writes one', async () => {
    await withServer('aof', async (server) => {
      const numbers = gbNumbers(3, 9100);
      await campaign(server.url, 'snap', numbers);
      const told: unknown[] = [];
      const recorder = await createDeliveryRecorder({ connection: server.url, onNotDurable: (e) => told.push(e) });
      expect(recorder.persistence).toEqual({ mode: 'require-aof', appendonly: 'yes', appendfsync: 'everysec' });
      let client: Redis | undefined;
      try {
        await recorder.record({ events: [report('snap', numbers[0]!, 0)] });
        // A snapshot, then a restart from it with no append-only file.
        client = new Redis(server.url);
        await client.save();
        client.disconnect();
        await server.kill();
        await server.start('rdb');
        const error = await refusedOnce(recorder, report('snap', numbers[1]!, 1));
        expect(error).toBeInstanceOf(RedisNotDurableError);
        // Said once, for the reconnection whose check failed.
        expect(told).toEqual([error]);
        client = new Redis(server.url);
        const records = new DeliveryRecords(client, 'msgkit', 'snap');
        expect(await records.get(numbers[0]!)).toBeDefined();
        expect(await records.get(numbers[1]!)).toBeUndefined();
        await expect(recorder.record({ events: [report('snap', numbers[2]!, 2)] })).rejects.toBeInstanceOf(RedisNotDurableError);
        expect(await records.get(numbers[2]!)).toBeUndefined();
        client.disconnect();
        // Restarted with its append-only file again: checked on the reconnection, and taken.
        await server.kill();
        await server.start('aof');
        await acceptedOnce(recorder, report('snap', numbers[2]!, 2));
        client = new Redis(server.url);
        expect(await new DeliveryRecords(client, 'msgkit', 'snap').get(numbers[2]!)).toBeDefined();
      } finally {
        client?.disconnect();
        await recorder.close();
      }
    });
  });

  it('refuses a report at once while its Redis is gone (redis_reconnecting), never holding it, and closes without waiting for Redis to come back', async () => {
    await withServer('aof', async (server) => {
      const numbers = gbNumbers(1, 9300);
      await campaign(server.url, 'gone', numbers);
      const recorder = await createDeliveryRecorder({ connection: server.url });
      await server.kill();
      let code: unknown;
      while (code !== 'redis_reconnecting') code = await recorder.record({ events: [report('gone', numbers[0]!, 0)] }).then(() => undefined, (e: { code?: unknown }) => e.code);
      await expect(recorder.flush()).rejects.toMatchObject({ code: 'redis_reconnecting' });
      await recorder.close();
    });
  });

  for (const [persistence, kept] of [['always', true], ['none', false]] as const) {
    it(persistence === 'always'
      ? 'with appendfsync always, every report answered 200 is still in Redis after a SIGKILL of redis-server right after the answers and a restart'
      : 'without an append-only file (accept-loss), the same SIGKILL loses every report answered 200: what the check refuses', async () => {
      const mode: Persistence = persistence === 'always' ? 'aof' : 'none';
      await withServer(mode, async (server) => {
        const sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 5, failures: 0.3 } });
        let recorder: DeliveryRecorder | undefined;
        let http: Server | undefined;
        try {
          recorder = await createDeliveryRecorder({ connection: server.url, ...(mode === 'none' && { redisPersistence: 'accept-loss' as const }) });
          if (mode === 'aof') expect(recorder.persistence.appendfsync).toBe('always');
          const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], record: recorder.record });
          http = createServer(toNodeListener(handler));
          await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
          const receiver = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
          const sender = smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
          const numbers = gbNumbers(12, 9200);
          await enqueueCampaign({ connection: server.url, campaignId: 'killed', sender, recipients: numbers, message: { from: 'Shop', text: 'Kill' }, batchSize: 4 });
          const worker = createCampaignWorker({ connection: server.url, sender, redisPersistence: 'accept-loss', deliveryReports: { url: `${receiver}/dlr`, secret } });
          try {
            await waitDone(server.url, 'killed', 'msgkit');
          } finally {
            await worker.close();
          }
          await sandbox.settled();
          await handler.drain();
          // Every report was answered 200 (SMS.CX posts a batch's reports together).
          expect(sandbox.deliveries().length).toBeGreaterThan(0);
          expect(sandbox.deliveries().filter((d) => !d.ok)).toEqual([]);
          const before = (await campaignStatus(server.url, 'killed'))!.deliveries.reported;
          expect(before.delivered + before.failed).toBe(12);
          // Right after the last 200: no shutdown, no final fsync.
          await server.kill();
          await server.start(mode);
          const after = await campaignStatus(server.url, 'killed');
          if (kept) expect(after!.deliveries.reported).toEqual(before);
          else expect(after).toBeUndefined();
        } finally {
          await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
          await recorder?.close();
          await sandbox.close();
        }
      }, persistence === 'always' ? ['--appendfsync', 'always'] : []);
    });
  }
});

/** Records until the recorder refuses for durability (connection errors while Redis restarts are retried); the error. */
async function refusedOnce(recorder: DeliveryRecorder, event: DeliveryEvent): Promise<unknown> {
  for (;;) {
    try {
      await recorder.record({ events: [event] });
      return undefined;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'redis_not_durable') return error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Records until it is taken (a refusal or a connection error while Redis restarts is retried, as a vendor retries a 500). */
async function acceptedOnce(recorder: DeliveryRecorder, event: DeliveryEvent): Promise<void> {
  for (;;) {
    try {
      return await recorder.record({ events: [event] });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
