import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsWorksAdapter } from './adapters';
import { RedisUnavailableError } from './errors';
import { enqueueCampaign } from './producer';
import { campaignStatus } from './status';
import { freePort } from './test/server';
import { createCampaignWorker } from './worker';

// Three addresses where no Redis answers: nothing listens; an HTTP server; a socket that accepts and
// never says a word (the case a TCP-level check cannot see).
let closed: number;
let http: ReturnType<typeof createHttpServer>;
let silent: Server;
const sockets = new Set<Socket>();
beforeAll(async () => {
  closed = await freePort();
  http = createHttpServer((_req, res) => res.end('hello'));
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await Promise.all([new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))]);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  http?.closeAllConnections();
  await Promise.all([new Promise((resolve) => http?.close(resolve)), new Promise((resolve) => silent?.close(resolve))]);
});

const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
// Only the silent socket waits for the timeout, so only it gets a short one: the others fail on
// their first answer however loaded the machine is.
const cases = () => [
  { name: 'nothing listens', url: `redis://:s3cret@127.0.0.1:${closed}`, reason: 'refused', timeoutMs: 30_000 },
  { name: 'an HTTP server answers', url: `redis://:s3cret@127.0.0.1:${port(http)}`, reason: 'not_redis', timeoutMs: 30_000 },
  { name: 'a socket accepts and says nothing', url: `redis://:s3cret@127.0.0.1:${port(silent)}`, reason: 'timeout', timeoutMs: 1_000 },
];

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RedisUnavailableError);
  expect(String(error)).not.toContain('s3cret');
  return error as RedisUnavailableError;
}

describe('a Redis address where no Redis answers', () => {
  it('fails enqueueCampaign within its connect timeout with a typed error that names the address and why', async () => {
    for (const c of cases()) {
      const error = await refusal(
        enqueueCampaign({ connection: c.url, connectTimeoutMs: c.timeoutMs, campaignId: 'x', provider: 'smsworks', recipients: ['+447400000001'], message: { from: 'Shop', text: 'x' }, batchSize: 1 }),
      );
      expect({ case: c.name, code: error.code, reason: error.reason, address: error.address }).toEqual({ case: c.name, code: 'redis_unavailable', reason: c.reason, address: c.url.replace('redis://:s3cret@', '') });
    }
  });

  it('fails campaignStatus the same way', async () => {
    for (const c of cases()) {
      const error = await refusal(campaignStatus(c.url, 'x', { connectTimeoutMs: c.timeoutMs }));
      expect([c.name, error.reason]).toEqual([c.name, c.reason]);
    }
  });

  it('rejects a worker\'s ready promise the same way, and the worker takes no job', async () => {
    for (const c of cases()) {
      const worker = createCampaignWorker({ connection: c.url, connectTimeoutMs: c.timeoutMs, adapter: smsWorksAdapter({ batch: { send: async () => ({ batchid: 'never' }) } }) });
      const error = await refusal(worker.ready);
      expect([c.name, error.reason]).toEqual([c.name, c.reason]);
      await worker.close();
    }
  });

  it('makes msgkit-queue status exit 1 with one line saying so', async () => {
    const bin = createRequire(import.meta.url).resolve('@msgkit/queue/package.json').replace('package.json', 'dist/bin.mjs');
    const runs = await Promise.all(
      cases().map(
        (c) =>
          new Promise<{ name: string; code: number | null; stderr: string }>((resolve) => {
            execFile(process.execPath, [bin, 'status', 'x', '--redis', c.url, '--connect-timeout', String(c.timeoutMs)], { encoding: 'utf8', timeout: 900_000 }, (error, _stdout, stderr) =>
              resolve({ name: c.name, code: error ? (error.code as number | null) : 0, stderr }),
            );
          }),
      ),
    );
    for (const run of runs) {
      expect([run.name, run.code, run.stderr.trim().split('\n')]).toEqual([run.name, 1, [expect.stringMatching(/^msgkit-queue: cannot reach Redis at 127\.0\.0\.1:\d+ \(/)]]);
      expect(run.stderr).not.toContain('s3cret');
    }
  });
});
