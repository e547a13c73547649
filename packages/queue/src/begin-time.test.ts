/**
 * The time a batch's request began (what reconcile bounds its lookups by) is written in the same
 * step as the batch's begin marker: a worker that dies right after marking a batch begun leaves
 * both, never a begun batch whose send time is unknown. The worker's death is a loopback proxy
 * that stops passing anything from it to a real Redis once Redis has answered the begin.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { deliveryKeys } from './dlrKeys';
import { RedisJournal } from './journal';
import { campaignKeys } from './names';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';

const { redis } = useTestRedis();

/** A proxy to Redis that, once Redis answered the first command carrying `marker`, passes nothing more from the client: the client died there. */
async function dyingProxy(target: URL, marker: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(client, upstream);
    let seen = '';
    let answerNext = false;
    let dead = false;
    client.on('data', (chunk: Buffer) => {
      if (dead) return;
      upstream.write(chunk);
      seen += chunk.toString('latin1');
      if (seen.includes(marker)) answerNext = true;
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      // Its answer is on its way back: the client sends nothing more that reaches Redis.
      if (answerNext) dead = true;
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(!redisAvailable)('the begin time of a batch', () => {
  it('is in Redis as soon as the begin marker is: a worker that dies right after Redis answered its begin leaves both', async () => {
    const prefix = redis.prefix();
    // The begin script's own words: the command that marks a batch begun.
    const proxy = await dyingProxy(new URL(redis.url), "'not_durable'");
    const dying = new Redis(proxy.url, { maxRetriesPerRequest: null });
    dying.on('error', () => undefined);
    const direct = new Redis(redis.url);
    try {
      const before = new Date().toISOString();
      // Never settles where a second write follows the marker: the dead worker never sends it.
      void new RedisJournal(dying, prefix).begin('crash', 4, 'token').catch(() => undefined);
      const k = campaignKeys(prefix, 'crash');
      while ((await direct.hget(k.begin, '4')) === null) await new Promise((resolve) => setTimeout(resolve, 20));
      const at = await direct.hget(deliveryKeys(prefix, 'crash').sentAt, '4');
      expect(at).not.toBeNull();
      expect(at! >= before).toBe(true);
      expect(await direct.hget(k.begin, '4')).toBe('token');
    } finally {
      dying.disconnect();
      direct.disconnect();
      await proxy.close();
    }
  });

  it('is written once, when the batch is begun fresh, and kept when the batch is begun again', async () => {
    const prefix = redis.prefix();
    const client = new Redis(redis.url);
    try {
      const journal = new RedisJournal(client, prefix);
      expect((await journal.begin('again', 0, 'first')).state).toBe('fresh');
      const key = deliveryKeys(prefix, 'again').sentAt;
      const first = await client.hget(key, '0');
      expect(first).not.toBeNull();
      expect((await journal.begin('again', 0, 'second')).state).toBe('resumed');
      expect(await client.hget(key, '0')).toBe(first);
    } finally {
      client.disconnect();
    }
  });
});
