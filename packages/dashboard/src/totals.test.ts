import { describe, expect, it } from 'vitest';
import { CampaignTotals, NOT_RECORDED, Timeline, type Counts, type Part } from './totals';

const gb = (n: number) => new Map([['GB', n]]);
const counts = (c: Partial<Counts>): Counts => ({ pending: 0, sent: 0, delivered: 0, failed: 0, unknown: 0, ...c });

describe('the totals of a campaign', () => {
  it('counts each batch once however often its parts are replaced: begun, settled, begun again on resume', () => {
    const totals = new CampaignTotals();
    totals.set('0', [{ vendor: 'smsworks', state: 'pending', count: 3, countries: new Map([['GB', 2], ['FR', 1]]) }]);
    totals.set('1', [{ vendor: 'smsworks', state: 'pending', count: 2, countries: gb(2) }]);
    totals.set('0', [{ vendor: 'smsworks', state: 'sent', count: 3, countries: new Map([['GB', 2], ['FR', 1]]) }]);
    totals.set('1', [{ vendor: 'smsworks', state: 'unknown', count: 2, countries: gb(2), failure: { code: 'timeout' } }]);
    totals.set('1', [{ vendor: 'smsworks', state: 'sent', count: 2, countries: gb(2) }]);
    const s = totals.summary();
    expect(s.totals).toEqual(counts({ sent: 5 }));
    expect(s.recipients).toBe(5);
    expect(s.vendors).toEqual([{ vendor: 'smsworks', counts: counts({ sent: 5 }) }]);
    expect(s.countries).toEqual([{ country: 'GB', counts: counts({ sent: 4 }) }, { country: 'FR', counts: counts({ sent: 1 }) }]);
    expect(s.failures).toEqual([]);
  });

  it('groups failed and unknown recipients by vendor, code, vendor code and reason, largest first', () => {
    const totals = new CampaignTotals();
    const refused = (count: number, vendorCode: number, reason: string): Part => ({ vendor: 'smscx', state: 'failed', count, countries: gb(count), failure: { code: 'bad_request', vendorCode, reason }, refused: true });
    totals.set('0', [refused(2, 1125, 'Invalid value for ttl')]);
    totals.set('1', [refused(5, 1125, 'Invalid value for ttl')]);
    totals.set('2', [refused(1, 1111, 'idempotencyId must be a UUID')]);
    totals.set('3', [{ vendor: 'smscx', state: 'unknown', count: 4, countries: gb(4), failure: { code: 'interrupted', reason: 'the run stopped' } }]);
    expect(totals.summary().failures).toEqual([
      { vendor: 'smscx', state: 'failed', code: 'bad_request', vendorCode: 1125, reason: 'Invalid value for ttl', recipients: 7, batches: 2 },
      { vendor: 'smscx', state: 'unknown', code: 'interrupted', reason: 'the run stopped', recipients: 4, batches: 1 },
      { vendor: 'smscx', state: 'failed', code: 'bad_request', vendorCode: 1111, reason: 'idempotencyId must be a UUID', recipients: 1, batches: 1 },
    ]);
    expect(totals.summary(1)).toMatchObject({ failures: [{ recipients: 7 }], moreFailures: 2 });
    // Sent on resume: the group goes with its last batch.
    totals.set('2', [{ vendor: 'smscx', state: 'sent', count: 1, countries: gb(1) }]);
    expect(totals.summary().failures.map((f) => f.vendorCode ?? f.code)).toEqual([1125, 'interrupted']);
  });

  it('takes per-vendor attempts, delivery states and costs as parts of one batch when a store records them', () => {
    const totals = new CampaignTotals();
    // A failover batch: 3 taken by the first vendor (2 delivered, 1 undelivered), 2 refused there and sent by the second.
    totals.set('0', [
      { vendor: 'smsworks', state: 'delivered', count: 2, countries: gb(2), cost: { amount: 0.07, currency: 'GBP' } },
      { vendor: 'smsworks', state: 'failed', count: 1, countries: gb(1), failure: { code: 'undelivered', vendorCode: 'EXPIRED' }, cost: { amount: 0.035, currency: 'GBP' } },
      { vendor: 'smscx', state: 'sent', count: 2, countries: gb(2), cost: { amount: 0.1, currency: 'EUR' } },
    ]);
    totals.set('1', [{ vendor: 'smscx', state: 'sent', count: 4, countries: gb(4) }]);
    const s = totals.summary();
    expect(s.totals).toEqual(counts({ delivered: 2, failed: 1, sent: 6 }));
    expect(s.vendors).toEqual([
      { vendor: 'smscx', counts: counts({ sent: 6 }) },
      { vendor: 'smsworks', counts: counts({ delivered: 2, failed: 1 }) },
    ]);
    expect(s.cost).toEqual([{ currency: 'GBP', amount: 0.105, recipients: 3 }, { currency: 'EUR', amount: 0.1, recipients: 2 }]);
    expect(s.costUnknown).toBe(4);
    // Replaced a thousand times, the sums come back exact: no floating-point residue.
    for (let i = 0; i < 1000; i++) totals.set('0', totals.get('0')!);
    expect(totals.summary().cost).toEqual(s.cost);
    totals.delete('0');
    expect(totals.summary()).toMatchObject({ cost: [], costUnknown: 4, vendors: [{ vendor: 'smscx', counts: counts({ sent: 4 }) }] });
  });

  it("adds a moved recipient's charges in each currency and its charge of no recorded price, and takes them all away again when its batch is replaced or deleted", () => {
    const totals = new CampaignTotals();
    totals.set('1', [{ vendor: 'smscx', state: 'sent', count: 1, countries: gb(1) }]);
    // Two recipients moved from The SMS Works (GBP) to SMS.CX (EUR), both charges known; one more whose SMS.CX charge has no price.
    const moved: Part[] = [
      { vendor: 'smscx', state: 'delivered', count: 2, countries: gb(2), cost: { amount: 0.1, currency: 'EUR' }, otherCosts: [{ amount: 0.07, currency: 'GBP' }] },
      { vendor: 'smscx', state: 'sent', count: 1, countries: gb(1), cost: { amount: 0.035, currency: 'GBP' }, unpriced: true },
    ];
    totals.set('0', moved);
    const s = totals.summary();
    expect(s.cost).toEqual([{ currency: 'EUR', amount: 0.1, recipients: 2 }, { currency: 'GBP', amount: 0.105, recipients: 3 }]);
    expect([s.costUnknown, s.costPartial]).toEqual([2, 1]);
    for (let i = 0; i < 1000; i++) totals.set('0', totals.get('0')!);
    expect(totals.summary()).toMatchObject({ cost: s.cost, costUnknown: 2, costPartial: 1 });
    totals.set('0', [{ vendor: 'smscx', state: 'sent', count: 3, countries: gb(3) }]);
    expect(totals.summary()).toMatchObject({ cost: [], costUnknown: 4, costPartial: 0 });
    totals.delete('0');
    expect(totals.summary()).toMatchObject({ cost: [], costUnknown: 1, costPartial: 0 });
  });

  it('counts recipients a store keeps no numbers of under no country, and a refused batch as no unknown cost', () => {
    const totals = new CampaignTotals();
    totals.set('sent', [{ vendor: 'octopush', state: 'sent', count: 500 }]);
    totals.set('b3', [{ vendor: 'octopush', state: 'failed', count: 2, countries: gb(2), failure: { code: 'bad_request' }, refused: true }]);
    const s = totals.summary();
    expect(s.countries).toEqual([{ country: NOT_RECORDED, counts: counts({ sent: 500 }) }, { country: 'GB', counts: counts({ failed: 2 }) }]);
    expect(s.costUnknown).toBe(500);
  });
});

describe('the timeline', () => {
  it('adds a point only when the counts moved, and keeps the whole run in at most 240 points', () => {
    const timeline = new Timeline();
    timeline.sample(0, counts({ sent: 1 }));
    timeline.sample(1, counts({ sent: 1 }));
    expect(timeline.points()).toHaveLength(1);
    for (let i = 2; i <= 10_000; i++) timeline.sample(i, counts({ sent: i }));
    const points = timeline.points();
    expect(points.length).toBeLessThanOrEqual(Timeline.MAX_POINTS);
    expect(points.length).toBeGreaterThan(Timeline.MAX_POINTS / 2);
    expect(points.at(-1)).toEqual({ at: 10_000, counts: counts({ sent: 10_000 }) });
    expect(points[0]!.at).toBeLessThan(100);
    expect(points.every((p, i) => i === 0 || p.at > points[i - 1]!.at)).toBe(true);
  });
});
