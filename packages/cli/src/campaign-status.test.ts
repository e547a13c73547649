/**
 * `msgkit campaign status` against a real Redis: MSGKIT_TEST_REDIS_URL when set (.ci/run starts
 * one), else a redis-server of the test's own on a free loopback port. In CI a missing Redis fails.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { campaignStatus, createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, waitDone, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQueue } from './commands/campaign';
import { CliError } from './io';
import { runCli } from './testing';

let redis: TestRedis | undefined;
let url: string;
let sandbox: Sandbox;
beforeAll(async () => {
  if (!redisAvailable) return;
  sandbox = await startSandbox({ port: 0 });
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

async function runCampaign(campaignId: string, prefix: string, recipients: string[]) {
  const sender = smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 });
  await enqueueCampaign({ connection: url, prefix, campaignId, sender, recipients, message: { from: 'Shop', text: campaignId }, batchSize: 2 });
  const worker = createCampaignWorker({ connection: url, prefix, sender });
  try {
    await waitDone(url, campaignId, prefix);
  } finally {
    await worker.close();
  }
}

const gb = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+447400${String(from + i).padStart(6, '0')}`);

describe.skipIf(!redisAvailable)('msgkit campaign status', () => {
  it('prints the totals of a campaign whose every batch was sent and exits 0', async () => {
    const prefix = `c${randomUUID().slice(0, 8)}`;
    await runCampaign('all-sent', prefix, gb(6, 0));
    const { code, stdout } = await runCli(['campaign', 'status', 'all-sent', '--redis', url, '--prefix', prefix, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ campaignId: 'all-sent', batches: 3, recipients: 6, sent: { batches: 3, recipients: 6 }, unknown: { batches: 0 }, refused: { batches: 0 }, done: true });
  });

  it('names the batch of unknown outcome and exits 1 when the vendor may not have sent it', async () => {
    const prefix = `c${randomUUID().slice(0, 8)}`;
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, drop: true });
    await runCampaign('one-unknown', prefix, gb(4, 100));
    // The Redis URL from the environment, as --help says.
    const { code, stdout } = await runCli(['campaign', 'status', 'one-unknown', '--prefix', prefix], { MSGKIT_REDIS_URL: url });
    expect(code).toBe(1);
    expect(stdout).toMatch(/sent\s+2 recipients in 1 batches/);
    expect(stdout).toMatch(/unknown\s+2 recipients in 1 batches/);
    expect(stdout).toMatch(/unknown batch \d \(outcome_unknown, check with the vendor before resending\): \+447400000\d{3} \+447400000\d{3}/);
  });

  it('prints the chain of a chain campaign and the recipients each vendor sent', async () => {
    const prefix = `c${randomUUID().slice(0, 8)}`;
    const senders = [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
    await enqueueCampaign({ connection: url, prefix, campaignId: 'chained', senders, recipients: gb(4, 300), message: { from: 'Shop', text: 'chained' }, batchSize: 2 });
    // The SMS Works refuses the credential of one batch (documented as before acting): SMS.CX takes it.
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, status: 401, body: { message: 'UNAUTHORIZED', errorCode: 401, status: 'UNAUTHORIZED' } });
    const worker = createCampaignWorker({ connection: url, prefix, senders });
    try {
      for (;;) {
        const status = await campaignStatus(url, 'chained', { prefix });
        if (status?.done && status.inFlight.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.close();
    }
    const { code, stdout } = await runCli(['campaign', 'status', 'chained', '--redis', url, '--prefix', prefix]);
    expect(code).toBe(0);
    expect(stdout).toContain('chain smsworks -> smscx');
    expect(stdout).toMatch(/by smsworks\s+2 recipients/);
    expect(stdout).toMatch(/by smscx\s+2 recipients/);
  });

  it('follows the events of a finished campaign, then prints its status', async () => {
    const prefix = `c${randomUUID().slice(0, 8)}`;
    await runCampaign('followed', prefix, gb(4, 200));
    const { code, stdout } = await runCli(['campaign', 'status', 'followed', '--redis', url, '--prefix', prefix, '--follow']);
    expect(code).toBe(0);
    expect(stdout.match(/^batch \d sent \(2\)$/gm)).toHaveLength(2);
    expect(stdout).toContain('  done');
  });

  it('is a usage error (exit 2) for a campaign id Redis does not know', async () => {
    const { code, stderr } = await runCli(['campaign', 'status', 'never-enqueued', '--redis', url, '--prefix', `c${randomUUID().slice(0, 8)}`]);
    expect(code).toBe(2);
    expect(stderr).toContain('no campaign never-enqueued');
  });
});

describe('msgkit campaign without Redis', () => {
  it('is a usage error (exit 2) for a --redis that is not a Redis URL', async () => {
    const { code, stderr } = await runCli(['campaign', 'status', 'x', '--redis', 'http://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toContain('--redis must be a redis:// or rediss:// URL');
  });

  it('says in one line that it cannot reach Redis (exit 1) instead of waiting forever when nothing listens there', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const { code, stderr } = await runCli(['campaign', 'status', 'x', '--redis', `redis://:s3cret@127.0.0.1:${closed}`]);
    expect(code).toBe(1);
    expect(stderr).toBe(`msgkit: cannot reach Redis at 127.0.0.1:${closed} (connection refused)\n`);
  });

  it('says in one line that it cannot reach Redis (exit 1) on a port where something else answers, or nothing ever does', async () => {
    const sockets = new Set<Socket>();
    const http = createHttpServer((_req, res) => res.end('hello'));
    const silent = createServer((socket) => sockets.add(socket));
    await Promise.all([new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))]);
    const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;
    try {
      const web = await runCli(['campaign', 'status', 'x', '--redis', `redis://:s3cret@127.0.0.1:${port(http)}`]);
      expect([web.code, web.stderr]).toEqual([1, `msgkit: cannot reach Redis at 127.0.0.1:${port(http)} (what answered does not speak the Redis protocol)\n`]);
      const mute = await runCli(['campaign', 'status', 'x', '--redis', `redis://:s3cret@127.0.0.1:${port(silent)}`, '--connect-timeout', '1']);
      expect([mute.code, mute.stderr]).toEqual([1, `msgkit: cannot reach Redis at 127.0.0.1:${port(silent)} (no Redis answer within 1 s)\n`]);
    } finally {
      for (const socket of sockets) socket.destroy();
      http.closeAllConnections();
      await Promise.all([new Promise((resolve) => http.close(resolve)), new Promise((resolve) => silent.close(resolve))]);
    }
  });

  it('tells the user to install @msgkit/queue when it cannot be imported', async () => {
    const missing = '@msgkit/queue-not-installed';
    const error = await loadQueue(() => import(/* @vite-ignore */ missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining('npm i @msgkit/queue') });
  });
});
