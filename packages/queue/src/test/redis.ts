/**
 * The Redis the tests use: MSGKIT_TEST_REDIS_URL when set (.ci/run starts one and sets it), else a
 * redis-server of their own on a free loopback port when the binary is installed. In CI (CI=true)
 * a missing Redis fails the run; elsewhere the Redis tests are skipped with a note saying why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const redisAvailable = Boolean(process.env.MSGKIT_TEST_REDIS_URL) || spawnSync('redis-server', ['--version']).status === 0;

if (!redisAvailable) {
  const why = 'no Redis for the @msgkit/queue tests: set MSGKIT_TEST_REDIS_URL or install redis-server (apt-get install redis-server)';
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
  // However slowly it starts: only a server that ended stops the wait (a hang ends at the hook's limit).
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connections while the server starts are expected; connect() rejects with them too.
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      if (exited) throw new Error(`redis-server ${exited} before it answered on ${url}: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
  return {
    url,
    prefix,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
