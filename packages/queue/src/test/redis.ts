/**
 * The Redis the tests use: MSGKIT_TEST_REDIS_URL when set (.ci/run starts one with an append-only
 * file and sets it), else a redis-server of their own on a free loopback port, also with one (the
 * workers for The SMS Works and Infobip require it), when the binary is installed. In CI (CI=true)
 * a missing Redis fails the run; elsewhere the Redis tests are skipped with a note saying why.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startRedisServer } from './server';

export const redisAvailable = Boolean(process.env.MSGKIT_TEST_REDIS_URL) || spawnSync('redis-server', ['--version']).status === 0;

if (!redisAvailable) {
  const why = 'no Redis for the @msgkit/queue tests: set MSGKIT_TEST_REDIS_URL or install redis-server (apt-get install redis-server)';
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
}

export interface TestRedis {
  url: string;
  /** A key prefix no other test uses, so tests share one Redis without seeing each other. */
  prefix(): string;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const prefix = () => `t${randomUUID().slice(0, 8)}`;
  if (process.env.MSGKIT_TEST_REDIS_URL) return { url: process.env.MSGKIT_TEST_REDIS_URL, prefix, stop: async () => {} };
  const server = await startRedisServer('aof');
  return { url: server.url, prefix, stop: () => server.stop() };
}
