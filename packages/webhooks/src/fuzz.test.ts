// The replay fuzzer: reports of many messages, in the vendors' own formats and parsed by their own
// packages, delivered shuffled, repeated (×1–3), with up to 20 % of attempts lost and every
// arrival delayed at random, must reduce to the state the same reports give in order. CI runs
// FUZZ_TRIALS (default 250); `pnpm --filter @msgkit/webhooks fuzz` runs the full 10 000.
import type { DeliveryEvent, DeliveryReportFormat } from '@msgkit/core';
import { infobipReports } from '@msgkit/infobip';
import { octopushReports } from '@msgkit/octopush';
import { smscxReports } from '@msgkit/smscx';
import { smsworksReports } from '@msgkit/smsworks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from './ledger';
import type { MessageDelivery } from './reduce';

const TRIALS = Number(process.env['FUZZ_TRIALS'] ?? 250);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);

interface Lifecycle {
  format: DeliveryReportFormat;
  /** Intermediate statuses, in order; any may be skipped. */
  steps: string[];
  finals: string[];
  body(messageId: string, status: string, at: Date): unknown;
}

const ymd = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const LIFECYCLES: Lifecycle[] = [
  {
    format: smscxReports,
    steps: ['ACCEPTED', 'SENT'],
    finals: ['DELIVERED', 'FAILED', 'REJECTED', 'NO COVERAGE'],
    body: (msgId, status, at) => ({ event: 'dlr_update', data: [{ campaignId: 'c', msgId, trackData: null, statusCode: 1, status, errorCode: status === 'FAILED' ? 4012 : null, datetime: ymd(at) }] }),
  },
  {
    format: infobipReports,
    steps: ['PENDING_ACCEPTED', 'PENDING_ENROUTE', 'DELIVERED_TO_OPERATOR'],
    finals: ['DELIVERED_TO_HANDSET', 'UNDELIVERABLE_NOT_DELIVERED', 'EXPIRED_EXPIRED', 'EXPIRED_DLR_UNKNOWN', 'REJECTED_NETWORK'],
    body: (messageId, name, at) => {
      const groupName = name === 'DELIVERED_TO_OPERATOR' ? 'DELIVERED' : name.split('_')[0]!;
      const permanent = name.startsWith('UNDELIVERABLE');
      return { results: [{ messageId, to: '41793026731', doneAt: at.toISOString().replace('Z', '+0000'), messageCount: 2, status: { groupName, name, id: 1 }, error: permanent ? { id: 27, name: 'EC_ABSENT_SUBSCRIBER', permanent } : { id: 0 } }] };
    },
  },
  {
    format: octopushReports,
    steps: ['PROCESSED', 'ACK'],
    finals: ['DELIVERED', 'NOT_DELIVERED', 'UNKNOWN_DELIVERY', 'BAD_DESTINATION'],
    body: (message_id, status, at) => ({ channel: 'sms', message_id, number: '+33600112233', status, unit_price: 0.05, delivery_date: ymd(at) }),
  },
  {
    format: smsworksReports,
    steps: ['ACCEPTED', 'SENT'],
    finals: ['DELIVERED', 'UNDELIVERABLE', 'EXPIRED', 'REJECTED'],
    body: (messageid, status, at) => ({ messageid, status, destination: 447777777777, modified: at.toISOString(), ...(status === 'UNDELIVERABLE' ? { failurereason: { code: 34, details: 'Handset error', permanent: false } } : {}) }),
  },
];

/** One message's reports, in the order the vendor emitted them (times strictly increasing). */
const message = (index: number) =>
  fc
    .record({
      vendor: fc.nat(LIFECYCLES.length - 1),
      skip: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      final: fc.nat(4),
      // A vendor that corrects itself: a second final report after the first.
      correction: fc.option(fc.nat(4), { freq: 4 }),
      parts: fc.option(fc.integer({ min: 2, max: 4 }), { freq: 5 }),
    })
    .map(({ vendor, skip, final, correction, parts }) => {
      const life = LIFECYCLES[vendor]!;
      const statuses = life.steps.filter((_, i) => !skip[i]);
      statuses.push(life.finals[final % life.finals.length]!);
      if (correction !== null) statuses.push(life.finals[correction % life.finals.length]!);
      const id = `m${index}`;
      let clock = Date.UTC(2030, 0, 1, 0, 0, index);
      const events: DeliveryEvent[] = [];
      const partCount = parts ?? 0;
      for (const status of statuses) {
        clock += 1000;
        const parsed = life.format.parse(life.body(id, status, new Date(clock)));
        if (partCount === 0) {
          events.push(...parsed);
          continue;
        }
        // Per-part reports: each part gets the status with its own time.
        for (let p = 1; p <= partCount; p++) for (const e of parsed) events.push({ ...e, at: new Date(clock + p).toISOString(), part: { index: p, count: partCount } });
      }
      return events;
    });

const scenario = fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => message(i))));

/** How each report travels: copies (×1–3), whether each copy is lost, and when each arrives. */
const copy = fc.record({ lost: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), delay: fc.double({ min: 0, max: 3, noNaN: true }) });
const delivery = fc.record({
  lossRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  plans: fc.array(fc.array(copy, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 64 }),
});
type Plan = Array<{ lost: number; delay: number }>;

/**
 * The arrival stream: report i travels as plan i (plans are reused round-robin): each copy is lost
 * when its draw is under `lossRate`; a final report that lost every copy is posted again later
 * (vendors retry until acknowledged); a lost intermediate one may be gone for good (Infobip does
 * not resend intermediate reports). Every copy arrives after a random delay.
 */
function arrivals(events: DeliveryEvent[], lossRate: number, plans: Plan[]): DeliveryEvent[] {
  const out: Array<{ at: number; event: DeliveryEvent }> = [];
  events.forEach((event, i) => {
    const plan = plans[i % plans.length]!;
    let arrived = 0;
    plan.forEach((c, k) => {
      if (c.lost < lossRate) return;
      out.push({ at: i + c.delay * events.length + k, event: structuredClone(event) });
      arrived++;
    });
    if (arrived === 0 && event.final) out.push({ at: events.length * 4 + (plan[0]?.delay ?? 0), event: structuredClone(event) });
  });
  return out.sort((a, b) => a.at - b.at).map((a) => a.event);
}

/** What must converge: everything but the arrival counters. */
function outcome(state: MessageDelivery | undefined) {
  if (!state) return undefined;
  const { reports: _r, duplicates: _d, history, ...rest } = state;
  return rest;
}

function check(reduce: (events: DeliveryEvent[]) => DeliveryLedger, events: DeliveryEvent[], lossRate: number, plans: Plan[]): boolean {
  const inOrder = reduce(events);
  const replayed = reduce(arrivals(events, lossRate, plans));
  for (const state of inOrder.states()) {
    const other = replayed.get(state.vendor, state.messageId);
    // An intermediate-only message whose every report was lost has nothing to converge to.
    if (!other && !state.final) continue;
    if (!state.final) continue;
    expect(outcome(other)).toEqual(outcome(state));
  }
  return true;
}

const byLedger = (events: DeliveryEvent[]) => {
  const ledger = new DeliveryLedger();
  ledger.applyAll(events);
  return ledger;
};

describe('the replay fuzzer', () => {
  it(`converges to the in-order final state in every one of ${TRIALS} trials of shuffled, repeated, lost and delayed reports`, () => {
    let trials = 0;
    fc.assert(
      fc.property(scenario, delivery, (messages, { lossRate, plans }) => {
        trials++;
        return check(byLedger, messages.flat(), lossRate, plans);
      }),
      { numRuns: TRIALS, seed: SEED },
    );
    expect(trials).toBe(TRIALS);
    console.log(`replay fuzzer: ${trials}/${TRIALS} trials converged (seed ${SEED})`);
    // A loaded machine may be slow; the trials' count, not their time, is what this checks.
  }, 3_600_000);

  it('catches a reducer that lets the last report to arrive win (the check can fail)', () => {
    // The mistake the vendor SDKs' trackers make: state = whatever arrived last.
    const lastWins = (events: DeliveryEvent[]) => {
      const latest = new Map<string, DeliveryEvent>();
      for (const e of events) latest.set(`${e.vendor}:${e.messageId}`, e);
      const ledger = new DeliveryLedger();
      ledger.applyAll(latest.values());
      return ledger;
    };
    let failure: unknown;
    try {
      fc.assert(
        fc.property(scenario, delivery, (messages, { lossRate, plans }) => check(lastWins, messages.flat(), lossRate, plans)),
        { numRuns: 200, seed: SEED },
      );
    } catch (error) {
      failure = error;
    }
    // The property itself failed (a state differed), not the generator.
    expect(String((failure as Error | undefined)?.cause)).toMatch(/AssertionError: expected/);
  });
});
