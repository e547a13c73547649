/**
 * Delivery states of a queue campaign through the command: `msgkit webhooks serve --redis` records
 * the sandbox's reports in Redis, `msgkit reconcile --campaign` asks the vendor where reports never
 * came, and `msgkit campaign status` shows delivered / failed / pending / unknown. Against a real
 * Redis (MSGKIT_TEST_REDIS_URL, else a redis-server of the test's own with an append-only file).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CampaignSender } from '@msgkit/core';
import { infobipSender } from '@msgkit/infobip';
import { campaignStatus, createCampaignWorker, enqueueCampaign, type DeliveryReportOptions } from '@msgkit/queue';
import { redisAvailable, startTestRedis, waitDone, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, serveRedisReports } from './testing';

const secret = randomBytes(32).toString('base64url');
let redis: TestRedis | undefined;
let url: string;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(() => redis?.stop());

const gb = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+447400${String(from + i).padStart(6, '0')}`);

/** Enqueues and runs a campaign on one worker until every batch has an outcome. */
async function runQueueCampaign(prefix: string, campaignId: string, sender: CampaignSender, recipients: string[], text: string, deliveryReports?: DeliveryReportOptions) {
  await enqueueCampaign({ connection: url, prefix, campaignId, sender, recipients, message: { ...(sender.name === 'smscx' && { from: 'Shop' }), text }, batchSize: 3 });
  const worker = createCampaignWorker({ connection: url, prefix, sender, ...(deliveryReports && { deliveryReports }) });
  try {
    return await waitDone(url, campaignId, prefix);
  } finally {
    await worker.close();
  }
}

describe.skipIf(!redisAvailable)('delivery states of a queue campaign', () => {
  it('msgkit webhooks serve --redis (run as a command) records the reports of a queue campaign; msgkit campaign status then shows delivered and failed, in text and --json', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const { child: serve, address } = await serveRedisReports(url, prefix, { MSGKIT_WEBHOOK_SECRET: secret });
    const timer = setTimeout(() => serve.kill('SIGKILL'), 900_000);
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, reports: { seed: 4, failures: 0.4, intermediate: true, duplicates: 0.4, outOfOrder: true } });
      const recipients = gb(9, 500);
      const sender = smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
      await runQueueCampaign(prefix, 'served', sender, recipients, 'Hi', { url: `${address}/dlr`, secret });
      await sandbox.settled();
      // The sandbox's duplicates are byte-identical posts: refused as replays (403), the only refusals.
      expect(sandbox.deliveries().filter((d) => !d.ok && d.status !== 403)).toEqual([]);
      const closed = new Promise<number | null>((resolve) => serve.on('close', resolve));
      serve.kill('SIGTERM');
      expect(await closed).toBe(0);

      const delivered = sandbox.messages('smscx').filter((m) => m.status === 'DELIVERED').length;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(9);
      const text = await run(['campaign', 'status', 'served', '--redis', url, '--prefix', prefix]);
      expect(text.stdout).toContain(`delivery: ${delivered} delivered, ${9 - delivered} failed, 0 pending, 0 unknown`);
      const json = await run(['campaign', 'status', 'served', '--redis', url, '--prefix', prefix, '--json']);
      expect(JSON.parse(json.stdout).deliveries).toMatchObject({ delivered, failed: 9 - delivered, pending: 0, unknown: 0, unplaced: 0 });
    } finally {
      clearTimeout(timer);
      if (serve.exitCode === null) serve.kill('SIGKILL');
      await sandbox?.close();
    }
  });

  it('msgkit reconcile --campaign asks Infobip about a queue campaign whose reports never came, records the answers in Redis, and leaves nothing pending', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      const sender = infobipSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 });
      await runQueueCampaign(prefix, 'asked', sender, gb(5, 600), 'Hi');
      await sandbox.settled();
      const before = await run(['campaign', 'status', 'asked', '--redis', url, '--prefix', prefix]);
      expect(before.stdout).toContain('delivery: 0 delivered, 0 failed, 5 pending, 0 unknown');

      const args = ['reconcile', '--campaign', 'asked', '--redis', url, '--prefix', prefix, '--horizon', '0s', '--base-url', sandbox.baseUrls.infobip];
      const asked = await run(args, { INFOBIP_API_KEY: 'k' });
      expect([asked.code, asked.stderr]).toEqual([0, '']);
      expect(asked.stdout).toContain("at most 120 requests per 60 s (the vendor's published limit)");
      expect(asked.stdout).toMatch(/answer\(s\) recorded in Redis at 127\.0\.0\.1:\d+ with their proof/);
      const after = await run(['campaign', 'status', 'asked', '--redis', url, '--prefix', prefix, '--json']);
      expect(JSON.parse(after.stdout).deliveries).toMatchObject({ delivered: 5, failed: 0, pending: 0, unknown: 0 });
      // Everything is final: a second pass asks nothing.
      expect((await run(args, { INFOBIP_API_KEY: 'k' })).stdout).toContain('0 requests, 0 answer(s) recorded');
    } finally {
      await sandbox.close();
    }
  });

  it('msgkit reconcile --campaign asks each vendor of a chain queue campaign (The SMS Works → SMS.CX) about the recipients it holds, and leaves nothing pending', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      const senders = [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
      await enqueueCampaign({ connection: url, prefix, campaignId: 'chained', senders, recipients: gb(4, 700), message: { from: 'Shop', text: 'Hi' }, batchSize: 2 });
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
      await sandbox.settled();
      const args = ['reconcile', '--campaign', 'chained', '--redis', url, '--prefix', prefix, '--horizon', '0s', '--base-url', `smsworks=${sandbox.baseUrls.smsworks}`, '--base-url', `smscx=${sandbox.baseUrls.smscx}`];
      const asked = await run(args, { SMSWORKS_TOKEN: 'JWT t', SMSCX_API_KEY: 'k' });
      expect([asked.code, asked.stderr]).toEqual([0, '']);
      expect(asked.stdout).toContain('(smsworks → smscx, queue)');
      expect(asked.stdout).toMatch(/smsworks: at most 1 requests per 1 s/);
      const after = await run(['campaign', 'status', 'chained', '--redis', url, '--prefix', prefix, '--json']);
      expect(JSON.parse(after.stdout).deliveries).toMatchObject({ delivered: 4, failed: 0, pending: 0, unknown: 0 });
      // Without SMS.CX's key the chain cannot be asked in full: refused before any lookup.
      const partial = await run(args, { SMSWORKS_TOKEN: 'JWT t' });
      expect(partial.code).toBe(2);
      expect(partial.stderr).toContain('SMSCX_API_KEY');
    } finally {
      await sandbox.close();
    }
  });

  it('refuses (exit 2) webhooks serve with both --journal and --redis, and reconcile with neither a journal nor --campaign', async () => {
    const both = await run(['webhooks', 'serve', '--journal', 'j.jsonl', '--redis', 'redis://127.0.0.1:1'], { MSGKIT_WEBHOOK_SECRET: secret });
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--journal <file> (a msgkit send campaign) or --redis <url> (queue campaigns), one of them')]);
    const neither = await run(['reconcile', '--horizon', '0s']);
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringContaining('give a journal file, or --campaign <id> of a queue campaign')]);
  });
});
