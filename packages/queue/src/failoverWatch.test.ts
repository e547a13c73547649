/**
 * `watchFailover`: a chain campaign's failover kept going pass after pass until nothing is left
 * that could move, over loopback: a real Redis, the sandbox posting real reports to each vendor's
 * signed callback URL (held back with its `late` switch until a test releases them), a receiver
 * built from `createWebhookHandler` and `createDeliveryRecorder`. Passes are driven by the watch's
 * own `onPass` event (awaited before the next pass) and small intervals; every wait is bounded by a
 * count of passes, never by a clock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CampaignSender } from '@msgkit/core';
import { startSandbox, type ReportBehaviour, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { watchFailover, type FailoverPassSummary, type FailoverWatchOptions } from './failoverWatch';
import { enqueueCampaign } from './producer';
import { campaignRecipients, campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis, client } = useTestRedis();

/** More passes than any test needs: a watch still going after this many is a failure, by count. */
const MAX_PASSES = 40;

const chainOf = (sandbox: Sandbox) => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
const e164 = (to: string) => `+${to.replace(/\D/g, '')}`;

/** A chain campaign [smsworks, smscx] enqueued (and, unless `send: false`, sent by one worker, every report posted so far received and placed). */
async function chainCampaign(reports: ReportBehaviour, n: number, send = true) {
  const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports });
  const prefix = redis.prefix();
  const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });
  const campaignId = `fw-${randomUUID().slice(0, 8)}`;
  const recipients = gbNumbers(n, 6000);
  const deliveryReports = { url: `${receiver.url}/dlr`, secret };
  await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chainOf(sandbox), recipients, message: { from: 'Shop', text: 'Your parcel is on its way' }, batchSize: 4 });
  const settle = async () => expect(await receiveAll(sandbox, receiver)).toBe(0);
  const sendAll = async () => {
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chainOf(sandbox), deliveryReports });
    try {
      await waitDone(redis.url, campaignId, prefix);
    } finally {
      await worker.close();
    }
    await settle();
  };
  if (send) await sendAll();
  const close = async () => {
    await receiver.close();
    await sandbox.close();
  };
  const failedAt = (vendor: 'smsworks' | 'smscx') =>
    sandbox
      .messages(vendor)
      .filter((m) => m.status === 'UNDELIVERABLE' || m.status === 'FAILED')
      .map((m) => e164(m.to))
      .sort();
  const watchOptions = (more: Partial<FailoverWatchOptions> = {}): FailoverWatchOptions => ({ connection: redis.url, prefix, campaignId, senders: chainOf(sandbox), onReport: true, deliveryReports, every: 1, ...more });
  return { sandbox, receiver, prefix, campaignId, recipients, settle, sendAll, close, failedAt, watchOptions };
}

/** An `onPass` that records each pass and aborts the watch past MAX_PASSES (the test then fails on `stopped`). */
function passLog(then?: (pass: FailoverPassSummary) => Promise<void> | void) {
  const passes: FailoverPassSummary[] = [];
  const controller = new AbortController();
  return {
    passes,
    signal: controller.signal,
    stop: () => controller.abort(),
    onPass: async (pass: FailoverPassSummary) => {
      passes.push(pass);
      if (passes.length >= MAX_PASSES) controller.abort();
      await then?.(pass);
    },
  };
}

describe.skipIf(!redisAvailable)('watchFailover: a chain campaign failed over pass after pass until nothing can move', () => {
  it('ends by itself once the campaign is done, having sent each recipient reported undelivered once through the next vendor, its passes never overlapping though each is slower than the interval', async () => {
    const t = await chainCampaign({ seed: 3, failures: 0.4 }, 12);
    try {
      const failed = t.failedAt('smsworks');
      expect(failed.length).toBeGreaterThan(1);
      expect(failed.length).toBeLessThan(12);
      // Each SMS.CX request takes longer than the watch's interval (1 ms): a second pass started on the
      // interval while the first still moves would find the campaign's lease taken (a busy pass).
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 10, delayMs: 50 });
      const log = passLog();
      const watched = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('done');
      expect(log.passes.filter((p) => p.busy)).toEqual([]);
      expect(watched.passes).toEqual(log.passes);
      expect(watched.moved).toBe(failed.length);
      expect([watched.sent, watched.unknown, watched.refused]).toEqual([failed.length, 0, 0]);
      expect(log.passes.flatMap((p) => p.steps)).toEqual([`smsworks → smscx: ${failed.length} (undelivered ${failed.length})`]);
      // The last pass found nothing to move now and nothing that could move later.
      expect(log.passes.at(-1)).toMatchObject({ done: true, moved: 0, resumed: [], unsentBatches: 0, awaitingReport: 0 });
      expect(log.passes.slice(0, -1).every((p) => !p.done)).toBe(true);
      // The sandbox's own log: one SMS.CX message per recipient moved.
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
      const status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.sentBy).toEqual({ smsworks: 12 - failed.length, smscx: failed.length });
      expect(status.failover?.moved.report).toBe(failed.length);
    } finally {
      await t.close();
    }
  });

  it('moves on the next pass the recipients whose final negative report arrived between passes, and does not end while a report could still come', async () => {
    // Every report is held back until the test releases it.
    const t = await chainCampaign({ seed: 3, failures: 0.4, late: 1 }, 12);
    try {
      expect(t.sandbox.reports.held('smsworks')).toBe(12);
      let failed: string[] = [];
      const log = passLog(async (pass) => {
        if (pass.pass !== 1) return;
        // Between pass 1 and pass 2: The SMS Works' reports arrive.
        expect(t.sandbox.reports.release('smsworks')).toBe(12);
        await t.settle();
        failed = t.failedAt('smsworks');
      });
      const watched = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('done');
      expect(failed.length).toBeGreaterThan(1);
      // Pass 1: no report yet, nothing moves, all 12 could still move: not done.
      expect(log.passes[0]).toMatchObject({ pass: 1, done: false, moved: 0, awaitingReport: 12, unsentBatches: 0 });
      // Pass 2: the reported recipients move, and only they.
      expect(log.passes[1]).toMatchObject({ pass: 2, moved: failed.length, sent: failed.length, awaitingReport: 0 });
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
      expect(log.passes.at(-1)).toMatchObject({ done: true, moved: 0 });
    } finally {
      await t.close();
    }
  });

  it('waits for the workers while the campaign has batches without an outcome, then moves their reported recipients', async () => {
    const t = await chainCampaign({ seed: 3, failures: 0.4 }, 12, false);
    try {
      const log = passLog(async (pass) => {
        if (pass.pass === 1) await t.sendAll();
      });
      const watched = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('done');
      expect(log.passes[0]).toMatchObject({ pass: 1, done: false, moved: 0, unsentBatches: 3 });
      const failed = t.failedAt('smsworks');
      expect(failed.length).toBeGreaterThan(1);
      expect(watched.moved).toBe(failed.length);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
    } finally {
      await t.close();
    }
  });

  it('with only a timer named, moves the recipients no report came for once it falls due, and ends when they stand at the last vendor', async () => {
    // No report ever comes.
    const t = await chainCampaign({ seed: 1, drop: 1 }, 5);
    try {
      const log = passLog();
      const watched = (await watchFailover(t.watchOptions({ onReport: false, afterNoReportMs: 1, signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('done');
      expect(watched.moved).toBe(5);
      expect(log.passes.flatMap((p) => p.steps)).toEqual(['smsworks → smscx: 5 (timer 5)']);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual([...t.recipients].sort());
      expect((await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!.failover?.moved).toEqual({ report: 0, timer: 5 });
    } finally {
      await t.close();
    }
  });

  it('with only the report rule named, a recipient whose report never comes keeps the watch going: it is counted as awaiting a report, never moved', async () => {
    const t = await chainCampaign({ seed: 1, drop: 1 }, 4);
    try {
      const log = passLog((pass) => {
        if (pass.pass === 3) log.stop();
      });
      const watched = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('aborted');
      expect(log.passes.map((p) => [p.moved, p.awaitingReport, p.done])).toEqual([
        [0, 4, false],
        [0, 4, false],
        [0, 4, false],
      ]);
      expect(t.sandbox.messages('smscx')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('two watchers at once on one campaign in one process take turns, send each recipient once, and both end when it is done', async () => {
    const t = await chainCampaign({ seed: 11, failures: 0.5 }, 20);
    try {
      const failed = t.failedAt('smsworks');
      expect(failed.length).toBeGreaterThan(2);
      // SMS.CX answers slowly, so the two watchers' passes overlap.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 10, delayMs: 100 });
      const a = passLog();
      const b = passLog();
      const [wa, wb] = await Promise.all([watchFailover(t.watchOptions({ signal: a.signal, onPass: a.onPass })), watchFailover(t.watchOptions({ signal: b.signal, onPass: b.onPass }))]);
      expect([wa!.stopped, wb!.stopped]).toEqual(['done', 'done']);
      // In one process their passes take turns: neither found the other's pass holding the campaign.
      expect([...a.passes, ...b.passes].filter((p) => p.busy)).toEqual([]);
      expect(wa!.moved + wb!.moved).toBe(failed.length);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
      const records = (await campaignRecipients(redis.url, t.campaignId, { prefix: t.prefix }))!;
      for (const to of failed) expect([to, records.find((r) => r.to === to)!.sentBy]).toEqual([to, 'smscx']);
    } finally {
      await t.close();
    }
  });

  it('waits while another mover holds the campaign (failover_busy), sending nothing, and moves once the hold is gone', async () => {
    const t = await chainCampaign({ seed: 3, failures: 0.4 }, 8);
    try {
      const failed = t.failedAt('smsworks');
      expect(failed.length).toBeGreaterThan(0);
      const lease = `${t.prefix}:campaign:{${t.campaignId}}:failover:lease`;
      expect(await client.set(lease, 'another-mover', 'PX', 600_000)).toBe('OK');
      const log = passLog(async (pass) => {
        if (pass.pass === 3) await client.del(lease);
      });
      const watched = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(watched.stopped).toBe('done');
      expect(log.passes.slice(0, 3).map((p) => [p.busy !== undefined, p.moved, p.done])).toEqual([
        [true, 0, false],
        [true, 0, false],
        [true, 0, false],
      ]);
      expect(log.passes[0]!.busy!.retryAfterMs).toBeGreaterThan(0);
      expect(log.passes[3]).toMatchObject({ pass: 4, moved: failed.length });
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
    } finally {
      await t.close();
    }
  });

  it('stops between passes when its signal aborts, saying the campaign is not done', async () => {
    const t = await chainCampaign({ seed: 3, failures: 0.4, late: 1 }, 4);
    try {
      const controller = new AbortController();
      const passes: FailoverPassSummary[] = [];
      const watched = (await watchFailover(
        t.watchOptions({
          signal: controller.signal,
          onPass: (pass) => {
            passes.push(pass);
            if (pass.pass === 2) controller.abort();
            if (pass.pass > 2) throw new Error(`pass ${pass.pass} ran after the signal aborted`);
          },
        }),
      ))!;
      expect(watched.stopped).toBe('aborted');
      expect(passes.map((p) => [p.pass, p.done, p.awaitingReport])).toEqual([
        [1, false, 4],
        [2, false, 4],
      ]);
      expect(t.sandbox.messages('smscx')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('stops a pass under way at its next batch when its signal aborts: the batch being sent is recorded whole, no later batch is begun, and the next watch moves the rest once', async () => {
    // Every recipient The SMS Works sent is reported failed: four batches of four move in one pass.
    const t = await chainCampaign({ seed: 3, failures: 1 }, 16);
    try {
      expect(t.failedAt('smsworks')).toEqual([...t.recipients].sort());
      const controller = new AbortController();
      const [smsworks, smscx] = chainOf(t.sandbox) as [CampaignSender, CampaignSender];
      // SMS.CX as the watch's chain has it, but the signal aborts as the first moved batch's request
      // leaves: the stop comes during a pass, with a send under way and batches after it.
      const sends: string[][] = [];
      const stopping: CampaignSender = {
        ...smscx,
        send: (batch, message, options) => {
          sends.push([...batch]);
          const sent = smscx.send(batch, message, options);
          controller.abort();
          return sent;
        },
      };
      const passes: FailoverPassSummary[] = [];
      const watched = (await watchFailover(t.watchOptions({ senders: [smsworks, stopping], signal: controller.signal, onPass: (p) => void passes.push(p) })))!;
      expect(watched.stopped).toBe('aborted');
      // One batch was begun, sent and recorded; the three after it were not begun.
      expect(sends).toHaveLength(1);
      const first = [...sends[0]!].sort();
      expect(first).toHaveLength(4);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(first);
      expect(passes).toHaveLength(1);
      expect(passes[0]).toMatchObject({ pass: 1, moved: 4, sent: 4, unknown: 0, refused: 0, done: false, steps: [expect.stringMatching(/^smsworks → smscx: 4 \(/)] });
      expect(passes[0]!.notStarted).toHaveLength(3);
      expect(watched).toMatchObject({ moved: 4, sent: 4, unknown: 0, refused: 0 });
      const records = (await campaignRecipients(redis.url, t.campaignId, { prefix: t.prefix }))!;
      const sentBy = (who: string) => records.filter((r) => r.sentBy === who).map((r) => r.to).sort();
      expect(sentBy('smscx')).toEqual(first);
      expect(sentBy('smsworks')).toEqual(t.recipients.filter((to) => !first.includes(to)).sort());
      expect((await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!.failover?.moved).toEqual({ report: 4, timer: 0 });

      // A later watch moves the twelve left, and sends none of the first four again.
      const log = passLog();
      const rest = (await watchFailover(t.watchOptions({ signal: log.signal, onPass: log.onPass })))!;
      expect(rest.stopped).toBe('done');
      expect([rest.moved, rest.sent, rest.unknown, rest.refused]).toEqual([12, 12, 0, 0]);
      const smscxLog = t.sandbox.messages('smscx').map((m) => e164(m.to)).sort();
      expect(smscxLog).toEqual([...t.recipients].sort());
      const status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.sentBy).toEqual({ smscx: 16 });
      expect(status.failover?.moved).toEqual({ report: 16, timer: 0 });
    } finally {
      await t.close();
    }
  });

  it('surfaces an error of a pass as a typed error carrying the pass and its code, and refuses a watch with no interval or no rule before reaching Redis', async () => {
    const t = await chainCampaign({ seed: 3, failures: 0.4 }, 4);
    try {
      const [smsworks, smscx] = chainOf(t.sandbox);
      await expect(watchFailover(t.watchOptions({ senders: [smscx!, smsworks!] }))).rejects.toMatchObject({ code: 'failover_watch_failed', reason: 'validation_error', pass: 1, passes: [] });
      const nowhere = { connection: 'redis://127.0.0.1:1', campaignId: 'x', senders: [smsworks!, smscx!], onReport: true };
      await expect(watchFailover({ ...nowhere, every: 0 })).rejects.toMatchObject({ code: 'validation_error', issues: [expect.objectContaining({ path: ['every'] })] });
      await expect(watchFailover({ ...nowhere, every: 10, ...{ dryRun: true } })).rejects.toMatchObject({ code: 'validation_error', issues: [expect.objectContaining({ path: ['dryRun'] })] });
      await expect(watchFailover({ ...nowhere, onReport: false, every: 10 })).rejects.toMatchObject({ code: 'validation_error', issues: [expect.objectContaining({ code: 'failover_rule_required' })] });
      expect(await watchFailover(t.watchOptions({ campaignId: 'fw-none' }))).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
