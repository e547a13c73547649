// Reconciliation against the sandbox over loopback, with the four real senders: batches whose
// answer was lost (faults after the vendor acted) or that never arrived (faults before), reports
// the sandbox dropped, and the vendors' rate limits counted in the sandbox's own request log. Time
// is a virtual clock: nothing here waits on, or asserts, the wall clock.
import { batchDedupeKey, type CampaignMessage, type CampaignSender } from '@msgkit/core';
import { infobipSender } from '@msgkit/infobip';
import { octopushSender } from '@msgkit/octopush';
import { startSandbox, type Sandbox, type Vendor } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from './limiter';
import { MemoryReconcileStore } from './memory-store';
import { reconcile } from './reconcile';
import type { BatchRecord } from './reconcile-store';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const VENDORS: readonly Vendor[] = ['smscx', 'smsworks', 'octopush', 'infobip'];
const SEND_PATH: Record<Vendor, string> = { smscx: '/sms', smsworks: '/batch/send', octopush: '/sms-campaign/send', infobip: '/omni/1/advanced' };
const MESSAGE: Record<Vendor, CampaignMessage> = {
  smscx: { from: 'Shop', text: 'Sale today' },
  smsworks: { from: 'Shop', text: 'Sale today' },
  octopush: { from: 'Shop', text: 'Sale today', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } },
  infobip: { text: 'Sale today' },
};
const MINUTE = 60_000;
const HORIZONS = { smscx: 10 * MINUTE, smsworks: 10 * MINUTE, octopush: 10 * MINUTE, infobip: 10 * MINUTE };

function senders(): Record<Vendor, CampaignSender> {
  const base = sandbox.baseUrls;
  return {
    smscx: smscxSender({ apiKey: 'sandbox-key', baseUrl: base.smscx, maxRetries: 0 }),
    smsworks: smsworksSender({ token: 'sandbox-token', baseUrl: base.smsworks, maxRetries: 0 }),
    octopush: octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: base.octopush, maxRetries: 0 }),
    infobip: infobipSender({ apiKey: 'sandbox-key', baseUrl: base.infobip, maxRetries: 0 }),
  };
}

/**
 * A clock that never waits: a sleep moves its time on to where the sleeper wanted to be (never
 * back). `onWake` sees each new time, so a test can stamp the requests the sandbox received.
 */
function virtualClock(start: number, onWake: (now: number) => void = () => undefined): Clock & { set(t: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      const target = now + ms;
      await Promise.resolve();
      now = Math.max(now, target);
      onWake(now);
    },
    set: (t) => void (now = t),
  };
}

const numbers = (vendor: number, batch: number, size: number) => Array.from({ length: size }, (_, i) => `+447400${String(vendor)}${String(batch).padStart(3, '0')}${String(i).padStart(2, '0')}`);
const batchRecords = (store: MemoryReconcileStore, vendor: Vendor) => store.records.filter((r): r is BatchRecord => r.kind === 'batch' && r.sender === vendor);

describe('reconcile', () => {
  it('turns every unknown batch into sent or not sent where the vendor documents "not found" as a proof, and names the reason where not (seeded faults before and after acting)', async () => {
    const list = senders();
    const store = new MemoryReconcileStore();
    const start = Date.now();
    const acted = new Map<string, boolean>();
    const BATCHES = 12;
    // Which faults come after the vendor acted: seeded, so a run can be repeated.
    const afterActing = fc.sample(fc.boolean(), { seed: 20, numRuns: VENDORS.length * BATCHES });
    for (const [v, vendor] of VENDORS.entries()) {
      for (let i = 0; i < BATCHES; i++) {
        const after = afterActing[v * BATCHES + i]!;
        const recipients = numbers(v, i, 3);
        const dedupeKey = batchDedupeKey(`reconcile-${vendor}`, i);
        sandbox.faults.add(after ? { vendor, path: SEND_PATH[vendor], after: true, status: 502 } : { vendor, path: SEND_PATH[vendor], status: 503 });
        // SMS.CX takes only a UUID as its reference (trackData): the batch's key is one.
        const reference = vendor === 'smscx' ? dedupeKey : `spring#${i}`;
        const error = await list[vendor].send(recipients, MESSAGE[vendor], { dedupeKey, reference }).then(() => undefined, (e: unknown) => e);
        expect(list[vendor].classify(error)).toMatchObject({ failover: false, outcome: { status: 'unknown' } });
        acted.set(`${vendor}:${i}`, after);
        store.addUnknownBatch({ campaign: `reconcile-${vendor}`, batch: i, sender: vendor, recipients, dedupeKey, message: MESSAGE[vendor], reference, sentAt: new Date(start) });
      }
    }
    await sandbox.settled();
    const summary = await reconcile({ store, senders: list, horizons: HORIZONS, clock: virtualClock(start + 15 * MINUTE) });

    // Infobip: its logs list every message it accepted under msgkit's ids for 48 hours.
    const infobip = batchRecords(store, 'infobip');
    expect(infobip).toHaveLength(BATCHES);
    for (const record of infobip) {
      const wasActed = acted.get(`infobip:${record.batch}`);
      expect(record.recipients.map((r) => r.outcome)).toEqual(wasActed ? ['sent', 'sent', 'sent'] : ['not_sent', 'not_sent', 'not_sent']);
      expect(record.resendable).toEqual(wasActed ? [] : numbers(3, record.batch, 3));
      expect(record.proof.length).toBeGreaterThan(0);
    }
    expect(store.unresolved('infobip').batches).toBe(0);
    expect(summary.senders['infobip']!.batches).toMatchObject({ looked: BATCHES, unknown: 0 });

    // The SMS Works: found is proof of a send, not found proves nothing.
    for (const record of batchRecords(store, 'smsworks')) {
      const wasActed = acted.get(`smsworks:${record.batch}`);
      expect(record.recipients.map((r) => (r.outcome === 'unknown' ? r.reason : r.outcome))).toEqual(wasActed ? ['sent', 'sent', 'sent'] : ['vendor_gives_no_proof', 'vendor_gives_no_proof', 'vendor_gives_no_proof']);
      expect(record.resendable).toEqual([]);
    }
    const smsworksActed = [...acted].filter(([k, v]) => k.startsWith('smsworks:') && v).length;
    expect(store.unresolved('smsworks').batches).toBe(BATCHES - smsworksActed);

    // SMS.CX and Octopush: no report carries what msgkit chose, and Octopush has no read at all;
    // both deduplicate by the batch's key, which the record says.
    for (const [vendor, reason] of [['smscx', 'nothing_to_ask_by'], ['octopush', 'no_lookup']] as const) {
      for (const record of batchRecords(store, vendor)) {
        expect(record.recipients.every((r) => r.outcome === 'unknown' && r.reason === reason)).toBe(true);
        expect(record.deduplicates).toBe(true);
      }
      expect(store.unresolved(vendor).batches).toBe(BATCHES);
    }
    // Every sent verdict names a message the sandbox holds, and no other.
    for (const vendor of ['infobip', 'smsworks'] as const) {
      const held = new Set(sandbox.messages(vendor).map((m) => m.id));
      const sent = batchRecords(store, vendor).flatMap((r) => r.recipients.flatMap((x) => (x.outcome === 'sent' ? [x.event.messageId] : [])));
      expect(new Set(sent)).toEqual(held);
    }
  });

  it('resolves the reports the sandbox dropped by asking the vendors, and leaves Octopush unknown with its reason', async () => {
    sandbox.reports.set({ drop: 1, failures: 0.3, seed: 5 });
    const list = senders();
    const store = new MemoryReconcileStore();
    const start = Date.now();
    let total = 0;
    for (const [v, vendor] of VENDORS.entries()) {
      for (let i = 0; i < 4; i++) {
        const recipients = numbers(v, i, 5);
        const dedupeKey = batchDedupeKey(`dropped-${vendor}`, i);
        const sent = await list[vendor].send(recipients, MESSAGE[vendor], { dedupeKey, ...(vendor !== 'octopush' && { callbackUrl: 'https://hooks.example.com/dlr' }) });
        const ids = new Map(sent.messages?.map((m) => [m.to, m.id]));
        for (const to of recipients) {
          const id = ids.get(to);
          store.addSentMessage({ campaign: `dropped-${vendor}`, batch: i, sender: vendor, to, ...(id !== undefined && { id }), groupIds: sent.ids, dedupeKey, sentAt: new Date(start) });
          total++;
        }
      }
    }
    await sandbox.settled();
    expect(sandbox.deliveries().every((d) => d.dropped)).toBe(true);
    const clock = virtualClock(start + 15 * MINUTE);
    const summary = await reconcile({ store, senders: list, horizons: HORIZONS, clock });

    const FINAL: Record<string, string> = { DELIVERED: 'delivered', FAILED: 'undelivered', UNDELIVERABLE: 'undelivered' };
    for (const vendor of ['smscx', 'smsworks', 'infobip'] as const) {
      expect(store.unresolved(vendor).pending).toBe(0);
      for (const m of sandbox.messages(vendor)) expect([m.id, store.ledger.get(vendor, m.id)?.status]).toEqual([m.id, FINAL[m.status]]);
      expect(summary.senders[vendor]!.messages).toMatchObject({ looked: 20, final: 20, unknown: 0 });
    }
    // The seeded failures gave every vendor both outcomes.
    for (const vendor of ['smscx', 'smsworks', 'infobip'] as const) expect(new Set(sandbox.messages(vendor).map((m) => FINAL[m.status]))).toEqual(new Set(['delivered', 'undelivered']));
    expect(summary.senders['octopush']!).toMatchObject({ messages: { looked: 20, unknown: 20 }, reasons: { no_lookup: 20 } });
    // 100 % of recipients end final or unknown with a reason.
    const explained = store.records.flatMap((r) => r.recipients).filter((r) => (r.outcome === 'sent' && r.event.final) || (r.outcome === 'unknown' && r.reason !== undefined));
    expect(explained).toHaveLength(total);
  });

  it("keeps each vendor's lookups within the limit its spec records, counted in the sandbox's request log by virtual time", async () => {
    const list = senders();
    const cases = [
      { vendor: 'infobip' as const, batches: 130, expected: { requests: 120, periodSeconds: 60 } },
      { vendor: 'smsworks' as const, batches: 20, expected: { requests: 1, periodSeconds: 1 } },
    ];
    for (const { vendor, batches, expected } of cases) {
      sandbox.reset();
      const store = new MemoryReconcileStore();
      const start = Date.now();
      for (let i = 0; i < batches; i++) {
        store.addUnknownBatch({ campaign: `paced-${vendor}`, batch: i, sender: vendor, recipients: numbers(1, i, 2), dedupeKey: batchDedupeKey(`paced-${vendor}`, i), message: MESSAGE[vendor], sentAt: new Date(start) });
      }
      // Each request the sandbox received is stamped with the virtual time it went out at.
      const stamps: number[] = [];
      const lookups = () => sandbox.received(vendor).length;
      const stamp = (now: number) => {
        while (stamps.length < lookups()) stamps.push(now);
      };
      let last = start + 15 * MINUTE;
      const clock = virtualClock(last, (now) => {
        stamp(last);
        last = now;
      });
      const summary = await reconcile({ store, senders: { [vendor]: list[vendor] }, horizons: HORIZONS, clock });
      stamp(last);
      expect(summary.senders[vendor]!.rateLimit).toMatchObject(expected);
      expect(stamps).toHaveLength(summary.senders[vendor]!.requests);
      expect(stamps.length).toBeGreaterThan(expected.requests * 2);
      const period = expected.periodSeconds * 1000;
      let busiest = 0;
      for (const t of stamps) busiest = Math.max(busiest, stamps.filter((s) => s >= t && s < t + period).length);
      expect(busiest).toBe(expected.requests);
    }
  });

  it('records a lookup that failed with its error, keeps the batch unknown, and asks it again next time', async () => {
    const list = senders();
    const store = new MemoryReconcileStore();
    const start = Date.now();
    const recipients = numbers(3, 0, 2);
    store.addUnknownBatch({ campaign: 'failing', batch: 0, sender: 'infobip', recipients, dedupeKey: batchDedupeKey('failing', 0), sentAt: new Date(start) });
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/logs', status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'Something went wrong' } } } });
    const clock = virtualClock(start + 15 * MINUTE);
    const first = await reconcile({ store, senders: { infobip: list.infobip }, horizons: HORIZONS, clock });
    expect(first.senders['infobip']!.reasons).toEqual({ lookup_failed: 2 });
    expect(store.records[0]).toMatchObject({ kind: 'batch', error: { code: 'server_error' }, resendable: [] });
    expect(store.unresolved('infobip').batches).toBe(1);
    await reconcile({ store, senders: { infobip: list.infobip }, horizons: HORIZONS, clock });
    expect(store.records[1]).toMatchObject({ resendable: recipients });
    expect(store.unresolved('infobip').batches).toBe(0);
  });

  it('asks nothing younger than the horizon, and stops when its signal aborts', async () => {
    const list = senders();
    const store = new MemoryReconcileStore();
    const start = Date.now();
    store.addUnknownBatch({ campaign: 'young', batch: 0, sender: 'infobip', recipients: numbers(3, 0, 1), dedupeKey: batchDedupeKey('young', 0), sentAt: new Date(start) });
    const young = await reconcile({ store, senders: { infobip: list.infobip }, horizons: HORIZONS, clock: virtualClock(start + 9 * MINUTE) });
    expect(young.senders['infobip']!.batches.looked).toBe(0);
    expect(sandbox.received('infobip')).toHaveLength(0);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(reconcile({ store, senders: { infobip: list.infobip }, horizons: HORIZONS, clock: virtualClock(start + 15 * MINUTE), signal: controller.signal })).rejects.toThrow('stop');
    expect(store.records).toHaveLength(0);
  });

  it('refuses options without a store, senders or a horizon for each sender, naming each', async () => {
    const error = await reconcile({ store: {} as never, senders: { infobip: senders().infobip, smscx: senders().smscx }, horizons: { infobip: -1 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation_error' });
    expect((error as { issues: Array<{ path: unknown[] }> }).issues.map((i) => i.path.join('.'))).toEqual(['store', 'horizons.infobip', 'horizons.smscx']);
  });
});
