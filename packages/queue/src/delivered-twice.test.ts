/**
 * "Delivered twice" has one meaning in the queue: more than one vendor reported the recipient
 * delivered. `campaignStatus(…).failover` counts those recipients and `campaignResults` names the
 * second vendor on each of their rows, so the two agree, whatever moved the recipient on (a timer
 * or a final negative report that its vendor corrected later). Over loopback: a real Redis, the
 * sandbox taking each vendor's request, the queue's recorder placing the reports.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CampaignMessage, CampaignSender, DeliveryEvent } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { infobipSender } from '@msgkit/infobip';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { describe, expect, it } from 'vitest';
import { failoverCampaign } from './failover';
import type { DeliveryReportOptions } from './callbacks';
import { formatCampaignStatus } from './format';
import { enqueueCampaign } from './producer';
import { campaignResults, type CampaignResultRow } from './results';
import { campaignStatus } from './status';
import { gbNumbers, waitDone } from './test/helpers';
import { receiveAll, startTestReceiver, type TestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis } = useTestRedis();

const e164 = (to: string) => `+${to.replace(/\D/g, '')}`;
const chainOf = (sandbox: Sandbox) => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
const collect = async (rows: AsyncIterable<CampaignResultRow>) => {
  const out: CampaignResultRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
};

/** Sends the whole campaign in one batch through a worker, then receives every report the sandbox posted. */
async function sendAll(sandbox: Sandbox, receiver: TestReceiver, c: { prefix: string; campaignId: string; senders: () => CampaignSender[]; recipients: string[]; message: CampaignMessage; deliveryReports: DeliveryReportOptions }) {
  await enqueueCampaign({ connection: redis.url, prefix: c.prefix, campaignId: c.campaignId, senders: c.senders(), recipients: c.recipients, message: c.message, batchSize: c.recipients.length });
  const worker = createCampaignWorker({ connection: redis.url, prefix: c.prefix, senders: c.senders(), deliveryReports: c.deliveryReports });
  try {
    await waitDone(redis.url, c.campaignId, c.prefix);
  } finally {
    await worker.close();
  }
  expect(await receiveAll(sandbox, receiver)).toBe(0);
}

/** Records a final report of `vendor` for `to`, as the test says it came (the sandbox's own reports are dropped). */
const reporter = (sandbox: Sandbox, receiver: TestReceiver, campaignId: string) => async (vendor: 'smsworks' | 'smscx', to: string, status: DeliveryEvent['status'], at: string) => {
  const m = sandbox.messages(vendor).find((x) => e164(x.to) === to)!;
  const raw = { status: status === 'delivered' ? 'DELIVERED' : 'UNDELIVERABLE' };
  await receiver.recorder.record({ events: [{ vendor, messageId: m.id, status, final: true, raw, at, to: m.to, reference: { campaign: campaignId, batch: 0 } }] });
};

describe.skipIf(!redisAvailable)('delivered twice, in campaignStatus and campaignResults', () => {
  it('counts in the status exactly the recipients whose results rows name a second vendor that delivered them: two vendors reported delivered, whether a timer or a report moved them; one late delivered alone is delivered once', async () => {
    // No report comes by itself: the test says what each vendor reported.
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports: { seed: 1, drop: 1 } });
    const prefix = redis.prefix();
    const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });
    const campaignId = `twice-${randomUUID().slice(0, 8)}`;
    const [lateOnly, both, movedOnReport, lateOnly2] = gbNumbers(4, 7700) as [string, string, string, string];
    const deliveryReports = { url: `${receiver.url}/dlr`, secret };
    try {
      await sendAll(sandbox, receiver, { prefix, campaignId, senders: () => chainOf(sandbox), recipients: [lateOnly, both, movedOnReport, lateOnly2], message: { from: 'Shop', text: 'Twice?' }, deliveryReports });
      const report = reporter(sandbox, receiver, campaignId);
      // The SMS Works says it could not deliver to one: that one moves on its report, the others on the timer.
      await report('smsworks', movedOnReport, 'undelivered', '2030-01-01T00:00:00Z');
      const later = new Date(Date.now() + 3_600_000);
      const moved = (await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: chainOf(sandbox), onReport: true, afterNoReportMs: 60_000, now: later, deliveryReports }))!;
      expect(moved.moves.map((m) => [m.to, m.proof.kind]).sort()).toEqual([[both, 'timer'], [lateOnly, 'timer'], [lateOnly2, 'timer'], [movedOnReport, 'report']].sort());
      expect(sandbox.messages('smscx')).toHaveLength(4);

      // Late: The SMS Works delivered all four after all (for one, a correction of its undelivered);
      // SMS.CX delivered two of them.
      for (const to of [lateOnly, both, movedOnReport, lateOnly2]) await report('smsworks', to, 'delivered', '2030-01-01T01:00:00Z');
      for (const to of [both, movedOnReport]) await report('smscx', to, 'delivered', '2030-01-01T01:00:00Z');

      const status = (await campaignStatus(redis.url, campaignId, { prefix }))!;
      const rows = await collect(campaignResults(redis.url, campaignId, { prefix }));
      const twiceRows = rows.filter((r) => r.deliveredTwiceBy !== undefined);
      expect(status.failover!.deliveredTwice).toBe(twiceRows.length);
      expect(twiceRows.map((r) => [r.e164, r.deliveredTwiceBy])).toEqual([
        [both, 'smsworks'],
        [movedOnReport, 'smsworks'],
      ]);
      expect(status.failover).toEqual({ moved: { report: 1, timer: 3 }, deliveredTwice: 2, deliveredTwiceBy: { smsworks: 2 } });
      expect(formatCampaignStatus(status)).toContain('delivered twice (two vendors reported it delivered): 2 (smsworks 2 besides the vendor that holds it)');
      // The late delivered alone: the recipient has it, once.
      for (const to of [lateOnly, lateOnly2]) expect(rows.find((r) => r.e164 === to)).toMatchObject({ provider: 'smscx', state: 'delivered', deliveryStatus: 'delivered' });
      expect(status.deliveries).toMatchObject({ delivered: 4, failed: 0, pending: 0 });
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });
  it('never moves on to a third vendor a recipient the first vendor reported delivered late, whatever the second says, and counts it as awaiting nothing', async () => {
    const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports: { seed: 2, drop: 1 } });
    const prefix = redis.prefix();
    const receiver = await startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });
    const campaignId = `third-${randomUUID().slice(0, 8)}`;
    const [deliveredLate, failedTwice, silent] = gbNumbers(3, 7800) as [string, string, string];
    const deliveryReports = { url: `${receiver.url}/dlr`, secret };
    const three = () => [...chainOf(sandbox), infobipSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 })];
    try {
      await sendAll(sandbox, receiver, { prefix, campaignId, senders: three, recipients: [deliveredLate, failedTwice, silent], message: { from: 'Shop', text: 'Third?', options: { infobip: { from: 'scenario' } } }, deliveryReports });
      const report = reporter(sandbox, receiver, campaignId);
      // No report within the hour: a timer moves all three on to SMS.CX.
      const later = new Date(Date.now() + 3_600_000);
      const first = (await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: three(), onReport: true, afterNoReportMs: 60_000, now: later, deliveryReports }))!;
      expect(first.moves.map((m) => m.to).sort()).toEqual([deliveredLate, failedTwice, silent].sort());
      // Then The SMS Works delivers two after all; SMS.CX reports two undelivered and says nothing of the third.
      for (const to of [deliveredLate, silent]) await report('smsworks', to, 'delivered', '2030-01-01T01:00:00Z');
      for (const to of [deliveredLate, failedTwice]) await report('smscx', to, 'undelivered', '2030-01-01T01:00:00Z');
      const second = (await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: three(), onReport: true, now: later, deliveryReports }))!;
      expect(second.moves.map((m) => m.to)).toEqual([failedTwice]);
      expect(sandbox.messages('infobip').map((m) => e164(m.to))).toEqual([failedTwice]);
      // Nothing more can move: the watch's stop rule awaits no report for the silent one either (delivered already).
      const third = (await failoverCampaign({ connection: redis.url, prefix, campaignId, senders: three(), onReport: true, dryRun: true, now: later, deliveryReports }))!;
      expect(third.moves).toEqual([]);
      expect(third.later).toEqual({ unsentBatches: 0, awaitingReport: 0 });
      const rows = await collect(campaignResults(redis.url, campaignId, { prefix }));
      for (const to of [deliveredLate, silent]) expect(rows.find((r) => r.e164 === to)).toMatchObject({ state: 'delivered' });
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });
});
