/**
 * Failover of a queue chain campaign after the send, on a final negative delivery report (or a
 * timer asked for by name), over loopback: a real Redis, the sandbox posting real reports to each
 * vendor's signed callback URL, a receiver built from `createWebhookHandler` and `createDeliveryRecorder`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startSandbox, type ReportBehaviour, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DeliveryRecords, standingOf } from './deliveries';
import { failoverCampaign } from './failover';
import { RedisJournal } from './journal';
import { enqueueCampaign } from './producer';
import { campaignRecipients, campaignStatus } from './status';
import { gbNumbers, sendingWith, waitDone } from './test/helpers';
import { startTestReceiver } from './test/receiver';
import { redisAvailable } from './test/redis';
import { useTestRedis } from './test/useRedis';
import { createCampaignWorker } from './worker';

const secret = randomBytes(32).toString('base64url');
const { redis, client } = useTestRedis();

const startReceiver = (prefix: string) => startTestReceiver({ connection: redis.url, prefix, formats: [smscxReports, smsworksReports], secret });

const chainOf = (sandbox: Sandbox) => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
const e164 = (to: string) => `+${to.replace(/\D/g, '')}`;

/** A chain campaign [smsworks, smscx] sent by one worker, every report the sandbox posted received and placed. */
async function sentChain(reports: ReportBehaviour, n: number) {
  const sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports });
  const prefix = redis.prefix();
  const receiver = await startReceiver(prefix);
  const campaignId = `fo-${randomUUID().slice(0, 8)}`;
  const recipients = gbNumbers(n, 5000);
  const deliveryReports = { url: `${receiver.url}/dlr`, secret };
  await enqueueCampaign({ connection: redis.url, prefix, campaignId, senders: chainOf(sandbox), recipients, message: { from: 'Shop', text: 'Your parcel is on its way' }, batchSize: 5 });
  const worker = createCampaignWorker({ connection: redis.url, prefix, senders: chainOf(sandbox), deliveryReports });
  try {
    await waitDone(redis.url, campaignId, prefix);
  } finally {
    await worker.close();
  }
  const settle = async () => {
    await sandbox.settled();
    await receiver.handler.drain();
    expect(await receiver.recorder.flush()).toBe(0);
  };
  await settle();
  const close = async () => {
    await receiver.close();
    await sandbox.close();
  };
  return { sandbox, receiver, prefix, campaignId, recipients, deliveryReports, settle, close };
}

/** Each recipient's messages in the sandbox, by vendor. */
function held(sandbox: Sandbox): Map<string, Array<{ vendor: string; status: string }>> {
  const out = new Map<string, Array<{ vendor: string; status: string }>>();
  for (const m of [...sandbox.messages('smsworks'), ...sandbox.messages('smscx')]) out.set(e164(m.to), [...(out.get(e164(m.to)) ?? []), { vendor: m.vendor, status: m.status }]);
  return out;
}

describe.skipIf(!redisAvailable)('failoverCampaign: a queue chain campaign moves on after the send', () => {
  it('sends each recipient whose vendor reported a final undelivered once through the next vendor, with the report recorded on the new attempt; a dry run and a second call send nothing', async () => {
    const t = await sentChain({ seed: 3, failures: 0.4 }, 12);
    try {
      const failedAtFirst = [...held(t.sandbox)].filter(([, list]) => list[0]!.status === 'UNDELIVERABLE').map(([to]) => to);
      expect(failedAtFirst.length).toBeGreaterThan(1);
      expect(failedAtFirst.length).toBeLessThan(12);
      expect(t.sandbox.messages('smscx')).toEqual([]);
      const before = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!.deliveries;
      expect(before.failed).toBe(failedAtFirst.length);

      const asked = { connection: redis.url, prefix: t.prefix, campaignId: t.campaignId, onReport: true, deliveryReports: t.deliveryReports };
      const planned: string[][] = [];
      const dry = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox), dryRun: true, onPlan: (plan) => planned.push(plan.steps) }))!;
      expect(dry.dryRun).toBe(true);
      expect(dry.moves.map((m) => m.to).sort()).toEqual([...failedAtFirst].sort());
      expect(dry.moves.every((m) => m.from === 'smsworks' && m.next === 'smscx' && m.proof.kind === 'report' && m.proof.status === 'undelivered')).toBe(true);
      expect(dry.steps).toEqual([`smsworks → smscx: ${failedAtFirst.length} (undelivered ${failedAtFirst.length})`]);
      expect(planned).toEqual([dry.steps]);
      expect(t.sandbox.messages('smscx')).toEqual([]);

      // Nothing moves unless a rule is named.
      await expect(failoverCampaign({ connection: redis.url, prefix: t.prefix, campaignId: t.campaignId, senders: chainOf(t.sandbox) })).rejects.toMatchObject({ code: 'validation_error', issues: [expect.objectContaining({ code: 'failover_rule_required' })] });

      const moved = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox) }))!;
      expect(moved.moves.map((m) => m.to).sort()).toEqual([...failedAtFirst].sort());
      expect(moved.sent).toBe(failedAtFirst.length);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual([...failedAtFirst].sort());

      // The proof is on the attempt that moved them.
      const journal = new RedisJournal(client, t.prefix);
      const records = (await campaignRecipients(redis.url, t.campaignId, { prefix: t.prefix }))!;
      for (const to of failedAtFirst) {
        const record = records.find((r) => r.to === to)!;
        expect([to, record.status, record.sentBy, record.tried.map((x) => `${x.sender}:${x.outcome}:${x.moved ?? ''}`)]).toEqual([to, 'sent', 'smscx', ['smsworks:sent:report', 'smscx:sent:']]);
        const attempts = await journal.attempts(t.campaignId, record.batch);
        const move = attempts.find((a) => a.sender === 'smscx')!;
        expect(move.proofs).toContainEqual(expect.objectContaining({ to, kind: 'report', status: 'undelivered', attempt: 0 }));
      }
      const status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.sentBy).toEqual({ smsworks: 12 - failedAtFirst.length, smscx: failedAtFirst.length });
      expect(status.sent.recipients).toBe(12);
      expect(status.failover).toMatchObject({ moved: { report: failedAtFirst.length, timer: 0 }, deliveredTwice: 0 });

      // SMS.CX's reports now decide those recipients (not The SMS Works' undelivered).
      await t.settle();
      const records2 = await new DeliveryRecords(client, t.prefix, t.campaignId).all();
      const truth = new Map(t.sandbox.messages('smscx').map((m) => [e164(m.to), m.status.startsWith('DELIVERED') ? 'delivered' : 'failed']));
      for (const to of failedAtFirst) expect([to, records2.get(to)!.holder, standingOf(records2.get(to)!).state]).toEqual([to, 'smscx', truth.get(to)]);
      const after = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!.deliveries;
      expect(after.failed).toBe([...truth.values()].filter((s) => s === 'failed').length);
      expect(after.delivered).toBe(12 - after.failed);

      // Again: nothing moves (they stand at the chain's last vendor), nothing is sent.
      const again = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox) }))!;
      expect([again.moves, again.sent]).toEqual([[], 0]);
      expect(t.sandbox.messages('smscx')).toHaveLength(failedAtFirst.length);
    } finally {
      await t.close();
    }
  });

  it('two movers at once send each moved recipient once: the sandbox received one SMS.CX message per recipient moved', async () => {
    const t = await sentChain({ seed: 11, failures: 0.5 }, 20);
    try {
      const failedAtFirst = [...held(t.sandbox)].filter(([, list]) => list[0]!.status === 'UNDELIVERABLE').map(([to]) => to);
      expect(failedAtFirst.length).toBeGreaterThan(2);
      // SMS.CX answers slowly, so both movers plan before either's request is answered.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 8, delayMs: 150 });
      const asked = { connection: redis.url, prefix: t.prefix, campaignId: t.campaignId, onReport: true, deliveryReports: t.deliveryReports };
      const both = await Promise.allSettled([failoverCampaign({ ...asked, senders: chainOf(t.sandbox) }), failoverCampaign({ ...asked, senders: chainOf(t.sandbox) })]);
      // One mover at a time per campaign: the other is refused before it plans (or, come later, finds nothing left to move).
      const done = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value!] : []));
      const busy = both.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string }] : []));
      expect(busy.every((e) => e.code === 'failover_busy')).toBe(true);
      expect(done.flatMap((r) => r.moves.map((m) => m.to)).sort()).toEqual([...failedAtFirst].sort());
      const received = t.sandbox.messages('smscx').map((m) => e164(m.to));
      expect(received.sort()).toEqual([...failedAtFirst].sort());
      const records = (await campaignRecipients(redis.url, t.campaignId, { prefix: t.prefix }))!;
      for (const to of failedAtFirst) expect([to, records.find((r) => r.to === to)!.sentBy]).toEqual([to, 'smscx']);
      const status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.sentBy).toEqual({ smsworks: 20 - failedAtFirst.length, smscx: failedAtFirst.length });
      expect(status.failover?.moved.report).toBe(failedAtFirst.length);
    } finally {
      await t.close();
    }
  });

  it("a mover whose lease lapsed mid-request is resumed by another, and its late answer does not break the batch's record: each moved recipient is sent once", async () => {
    const t = await sentChain({ seed: 3, failures: 0.4 }, 5);
    try {
      const failedAtFirst = [...held(t.sandbox)].filter(([, list]) => list[0]!.status === 'UNDELIVERABLE').map(([to]) => to);
      expect(failedAtFirst.length).toBeGreaterThan(0);
      // Mover A's SMS.CX request waits for the test before it leaves (a process paused past its lease).
      let began!: () => void;
      const started = new Promise<void>((resolve) => (began = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const [smsworks, smscx] = chainOf(t.sandbox);
      const paused = sendingWith(smscx!, async (...args: Parameters<typeof smscx.send>) => {
        began();
        await gate;
        return smscx!.send(...args);
      });
      const asked = { connection: redis.url, prefix: t.prefix, campaignId: t.campaignId, onReport: true, deliveryReports: t.deliveryReports };
      const a = failoverCampaign({ ...asked, senders: [smsworks!, paused] }).then(
        (r) => r,
        (e: { code?: string }) => e,
      );
      await started;
      // Its lease lapses; mover B takes the campaign and resumes the move: the same request, with its key.
      await client.del(`${t.prefix}:campaign:{${t.campaignId}}:failover:lease`);
      const b = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox) }))!;
      expect(b.resumed).toEqual([0]);
      release();
      const late = await a;
      // A's request reached SMS.CX after B's: a repeat of the same key, which SMS.CX drops.
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual([...failedAtFirst].sort());
      expect(late).not.toBeInstanceOf(Error);
      // The record reads as one chain: every moved recipient sent by SMS.CX, counted once.
      const again = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox) }))!;
      expect([again.moves, again.resumed]).toEqual([[], []]);
      const records = (await campaignRecipients(redis.url, t.campaignId, { prefix: t.prefix }))!;
      for (const to of failedAtFirst) expect([to, records.find((r) => r.to === to)!.sentBy]).toEqual([to, 'smscx']);
      expect((await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!.sentBy).toEqual({ smsworks: 5 - failedAtFirst.length, smscx: failedAtFirst.length });
    } finally {
      await t.close();
    }
  });

  it('moves on a timer only when asked for by name, and counts in the campaign status a recipient both the vendor it moved from and the next reported delivered', async () => {
    // No report ever comes.
    const t = await sentChain({ seed: 1, drop: 1 }, 5);
    try {
      const asked = { connection: redis.url, prefix: t.prefix, campaignId: t.campaignId, deliveryReports: t.deliveryReports };
      const later = new Date(Date.now() + 3_600_000);
      // A final report is what moves a recipient; with none, nothing does.
      expect((await failoverCampaign({ ...asked, senders: chainOf(t.sandbox), onReport: true, now: later }))!.moves).toEqual([]);
      // The timer asked for by name: not yet due now…
      expect((await failoverCampaign({ ...asked, senders: chainOf(t.sandbox), afterNoReportMs: 3_000_000, dryRun: true }))!.moves).toEqual([]);
      // …and due an hour on.
      const moved = (await failoverCampaign({ ...asked, senders: chainOf(t.sandbox), afterNoReportMs: 60_000, now: later }))!;
      expect(moved.moves.map((m) => [m.to, m.proof.kind])).toEqual(t.recipients.map((to) => [to, 'timer']));
      expect(moved.steps).toEqual(['smsworks → smscx: 5 (timer 5)']);
      expect(t.sandbox.messages('smscx')).toHaveLength(5);
      let status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.failover).toEqual({ moved: { report: 0, timer: 5 }, deliveredTwice: 0, deliveredTwiceBy: {} });

      // The SMS Works reports one of them delivered after all: it has it (once, so far); once SMS.CX reports it delivered too, it was delivered twice, counted.
      const late = (vendor: 'smsworks' | 'smscx') => {
        const m = t.sandbox.messages(vendor).find((x) => e164(x.to) === t.recipients[0])!;
        return t.receiver.recorder.record({ events: [{ vendor, messageId: m.id, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-01-01T00:00:00Z', to: m.to, reference: { campaign: t.campaignId, batch: 0 } }] });
      };
      await late('smsworks');
      status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.failover).toEqual({ moved: { report: 0, timer: 5 }, deliveredTwice: 0, deliveredTwiceBy: {} });
      expect(standingOf((await new DeliveryRecords(client, t.prefix, t.campaignId).get(t.recipients[0]!))!).state).toBe('delivered');
      await late('smscx');
      status = (await campaignStatus(redis.url, t.campaignId, { prefix: t.prefix }))!;
      expect(status.failover).toEqual({ moved: { report: 0, timer: 5 }, deliveredTwice: 1, deliveredTwiceBy: { smsworks: 1 } });
      // Nothing moves twice.
      expect((await failoverCampaign({ ...asked, senders: chainOf(t.sandbox), afterNoReportMs: 60_000, now: later }))!.moves).toEqual([]);
      expect(t.sandbox.messages('smscx')).toHaveLength(5);
    } finally {
      await t.close();
    }
  });

  it('refuses senders that are not the chain the campaign was enqueued with, before sending anything', async () => {
    const sandbox = await startSandbox({ port: 0 });
    const prefix = redis.prefix();
    try {
      const [smsworks, smscx] = chainOf(sandbox);
      await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'fo-wrong', senders: [smsworks!, smscx!], recipients: gbNumbers(2, 5900), message: { from: 'Shop', text: 'x' }, batchSize: 2 });
      await expect(failoverCampaign({ connection: redis.url, prefix, campaignId: 'fo-wrong', senders: [smscx!, smsworks!], onReport: true })).rejects.toMatchObject({ issues: [expect.objectContaining({ code: 'chain_mismatch' })] });
      expect(await failoverCampaign({ connection: redis.url, prefix, campaignId: 'fo-none', senders: [smsworks!, smscx!], onReport: true })).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });
});
