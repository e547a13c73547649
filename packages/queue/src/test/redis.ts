/**
 * The Redis the tests use: MSGKIT_TEST_REDIS_URL when set (.ci/run starts one with an append-only
 * file and sets it), else a redis-server of their own on a free loopback port, also with one (the
 * workers for The SMS Works and Infobip require it), when the binary is installed. In CI (CI=true)
 * a missing Redis fails the run; elsewhere the Redis tests are skipped with a note saying why.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startRedisServer } from './server';

/** True when MSGKIT_TEST_REDIS_URL is set or a `redis-server` binary runs here. */
export const redisAvailable = Boolean(process.env.MSGKIT_TEST_REDIS_URL) || spawnSync('redis-server', ['--version']).status === 0;

if (!redisAvailable) {
  const why = 'no Redis for the @msgkit/queue tests: set MSGKIT_TEST_REDIS_URL or install redis-server (apt-get install redis-server)';
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
}

/** A Redis for tests, shared between them by key prefix. */
export interface TestRedis {
  /** Its redis:// URL, on 127.0.0.1. */
  url: string;
  /** A key prefix no other test uses, so tests share one Redis without seeing each other. */
  prefix(): string;
  /** Stops the server the tests started (SIGTERM) and removes its directory; a Redis given by MSGKIT_TEST_REDIS_URL is left running. */
  stop(): Promise<void>;
}

/** MSGKIT_TEST_REDIS_URL when set, else a `redis-server` of its own on a free 127.0.0.1 port, with an append-only file fsynced every second. */
export async function startTestRedis(): Promise<TestRedis> {
  const prefix = () => `t${randomUUID().slice(0, 8)}`;
  if (process.env.MSGKIT_TEST_REDIS_URL) return { url: process.env.MSGKIT_TEST_REDIS_URL, prefix, stop: async () => {} };
  const server = await startRedisServer('aof');
  return { url: server.url, prefix, stop: () => server.stop() };
}
