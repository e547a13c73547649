/**
 * The Redis of one test file: `useTestRedis()` starts it before the file's tests (when Redis is
 * available) and stops it after them, with one ioredis client on it. Tests only: it registers
 * vitest hooks, so it is not part of `@msgkit/queue/testing`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { redisAvailable, startTestRedis, type TestRedis } from './redis';

/** The file's Redis (usable inside its tests and hooks, once `beforeAll` ran) and a client on it. */
export function useTestRedis(): { redis: TestRedis; client: Redis } {
  let started: TestRedis | undefined;
  let connected: Redis | undefined;
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test Redis is used before beforeAll started it, or without Redis');
    return value;
  };
  beforeAll(async () => {
    if (!redisAvailable) return;
    started = await startTestRedis();
    connected = new Redis(started.url);
  });
  afterAll(async () => {
    connected?.disconnect();
    await started?.stop();
  });
  const redis: TestRedis = {
    get url() {
      return need(started).url;
    },
    prefix: () => need(started).prefix(),
    stop: () => need(started).stop(),
  };
  // The client is made in beforeAll: this stands for it, forwarding every use (and is an ioredis
  // instance to `instanceof`, as code given a connection checks).
  const client = new Proxy(Object.create(Redis.prototype) as Redis, {
    get(_, key) {
      const real = need(connected);
      const value = Reflect.get(real, key, real) as unknown;
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
  return { redis, client };
}
