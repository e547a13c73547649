import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryEvent } from '@msgkit/core';
import { openFileJournal, type CampaignIdentity, type FileJournal } from '@msgkit/journal';
import { compareDeliveryEvents, type ReconcileRecord } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { rankOf } from './deliveries';
import { JournalCampaign } from './journalSource';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-deliveries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `d${n++}.journal`);
const identity = (text: string): CampaignIdentity => ({ provider: 'smsworks', sender: 'Shop', text, options: { batchSize: 3 }, recipients: text });
const gb = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+4474001${String(from + i).padStart(5, '0')}`);
const fr = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+3361234${String(from + i).padStart(4, '0')}`);

function report(to: string, status: DeliveryEvent['status'], more: Partial<DeliveryEvent> = {}): DeliveryEvent {
  const final = status === 'delivered' || status === 'undelivered' || status === 'expired' || status === 'rejected' || status === 'failed';
  return { vendor: 'smsworks', messageId: `m-${to}`, status, final, raw: { status: status.toUpperCase() }, reference: { recipient: to }, ...more };
}

const note = (journal: FileJournal, i: number, e: DeliveryEvent) => journal.note({ t: 'delivery', i, e: e as unknown as Record<string, unknown> });

describe('delivery reports and reconcile answers in a journal followed by the dashboard', () => {
  it('answers for a recipient a failover moved on as msgkit report and the queue do: by the vendor that holds it now, a delivered of any vendor that sent it, and no lookup of the vendor it left', async () => {
    const path = fresh();
    const chain = ['smsworks', 'smscx'];
    const journal = await openFileJournal(path, { ...identity('moved'), provider: chain.join(',') }, { chain });
    const record = journal.failover();
    // movedOnReport: The SMS Works said undelivered, SMS.CX has it and says sent (not final).
    // lateDelivered: moved on a timer; The SMS Works reported it delivered after all, SMS.CX nothing yet.
    // askedBefore: moved on a timer after a lookup at The SMS Works that could not tell.
    // twoMessages: The SMS Works holds two messages to it, expired at 10:00 and undelivered at 11:00.
    const [movedOnReport, lateDelivered, askedBefore, twoMessages] = gb(0, 4) as [string, string, string, string];
    await record.begin({ batch: 0, attempt: 0, sender: 'smsworks', recipients: [movedOnReport, lateDelivered, askedBefore, twoMessages] });
    await record.settle(0, 0, { status: 'sent', ids: ['w-0'] });
    await note(journal, 0, report(movedOnReport, 'undelivered', { raw: { status: 'UNDELIVERABLE' } }));
    const lookup: ReconcileRecord = { kind: 'messages', campaign: journal.campaignId, batch: 0, attempt: 0, sender: 'smsworks', at: '2026-12-07T12:00:00Z', proof: [], recipients: [{ to: askedBefore, outcome: 'unknown', reason: 'lookup_failed' }] };
    await journal.note({ t: 'reconcile', i: 0, r: lookup as unknown as Record<string, unknown> });
    await note(journal, 0, report(twoMessages, 'expired', { messageId: 'w-a', at: '2026-12-07T10:00:00Z', raw: { status: 'EXPIRED' } }));
    await note(journal, 0, report(twoMessages, 'undelivered', { messageId: 'w-b', at: '2026-12-07T11:00:00Z', raw: { status: 'UNDELIVERABLE' } }));
    const proofs = [
      { to: movedOnReport, attempt: 0, kind: 'report' as const, status: 'undelivered' as const },
      { to: lateDelivered, attempt: 0, kind: 'timer' as const, afterMs: 60_000 },
      { to: askedBefore, attempt: 0, kind: 'timer' as const, afterMs: 60_000 },
    ];
    await record.begin({ batch: 0, attempt: 1, sender: 'smscx', recipients: [movedOnReport, lateDelivered, askedBefore], proofs });
    await record.settle(0, 1, { status: 'sent', ids: ['c-0'] });
    await note(journal, 0, report(movedOnReport, 'sent', { vendor: 'smscx', messageId: 'c-m', raw: { status: 'SENT' } }));
    await note(journal, 0, report(lateDelivered, 'delivered', { at: '2026-12-07T13:00:00Z' }));
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    // Recipients per vendor, state and reason (a batch's parts may hold one state twice: by its send, by its reports).
    const by = new Map<string, number>();
    for (const p of campaign.totals.get('0')!) by.set(`${p.vendor} ${p.state} ${p.failure?.reason ?? ''}`, (by.get(`${p.vendor} ${p.state} ${p.failure?.reason ?? ''}`) ?? 0) + p.count);
    expect(Object.fromEntries(by)).toEqual({ 'smscx delivered ': 1, 'smscx sent ': 2, 'smsworks failed UNDELIVERABLE': 1 });
    expect(campaign.totals.summary().totals).toEqual({ pending: 0, sent: 2, delivered: 1, failed: 1, unknown: 0 });
  });

  it("splits a failover chain's batch per provider: a report counts for the provider that sent its recipient", async () => {
    const path = fresh();
    const chain = ['smscx', 'smsworks'];
    const journal = await openFileJournal(path, { ...identity('chain'), provider: chain.join(',') }, { chain });
    const record = journal.failover();
    const batch = [...gb(0, 2), ...fr(0, 1)];
    // SMS.CX sends the British numbers and refuses the French one with proof; The SMS Works sends it.
    await record.begin({ batch: 0, attempt: 0, sender: 'smscx', recipients: batch });
    await record.settle(0, 0, { status: 'sent', ids: ['c-0'], refused: [{ to: fr(0, 1)[0]!, failover: true, class: 'no_route', code: 'NO COVERAGE' }] });
    await record.begin({ batch: 0, attempt: 1, sender: 'smsworks', recipients: fr(0, 1) });
    await record.settle(0, 1, { status: 'sent', ids: ['w-0'] });
    await note(journal, 0, report(fr(0, 1)[0]!, 'delivered'));
    await note(journal, 0, report(gb(0, 1)[0]!, 'undelivered', { vendor: 'smscx', raw: { status: 'UNDELIVERED', error: 'absent' } }));
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    const s = campaign.totals.summary();
    expect(s.totals).toMatchObject({ sent: 1, delivered: 1, failed: 1, unknown: 0 });
    expect(campaign.totals.get('0')!.map((p) => [p.vendor, p.state, p.count]).sort()).toEqual([
      ['smscx', 'failed', 1],
      ['smscx', 'sent', 1],
      ['smsworks', 'delivered', 1],
    ]);
  });

  it('shows delivered, failed with the vendor code and reason, and cost, whatever the order and repetition of the reports, and changes as reports are appended', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('a'));
    const [a, b, c] = gb(0, 3);
    const [d, e, f] = [...gb(3, 1), ...fr(0, 2)];
    await journal.begin({ index: 0, recipients: [a!, b!, c!] });
    await journal.settle(0, { status: 'sent', ids: ['g-0'] });
    await journal.begin({ index: 1, recipients: [d!, e!, f!] });
    await journal.settle(1, { status: 'sent', ids: ['g-1'] });
    const price = { amount: 0.035, currency: 'GBP' };
    // a: delivered, its earlier "sent" arriving after it, and the delivered report twice.
    await note(journal, 0, report(a!, 'delivered', { at: '2026-12-07T10:00:05Z', price }));
    await note(journal, 0, report(a!, 'sent', { at: '2026-12-07T10:00:01Z', price }));
    await note(journal, 0, report(a!, 'delivered', { at: '2026-12-07T10:00:05Z', price }));
    // b: undelivered, with the vendor's code and reason; its price in euros.
    await note(journal, 0, report(b!, 'undelivered', { at: '2026-12-07T10:00:06Z', raw: { status: 'UNDELIVERABLE', code: 34, error: 'Handset absent' }, price: { amount: 0.04, currency: 'EUR' } }));
    // e: only a non-final report: still sent, its cost known.
    await note(journal, 1, report(e!, 'sent', { price }));
    const campaign = new JournalCampaign(path);
    expect(await campaign.refresh()).toBe(true);
    let s = campaign.totals.summary();
    expect(s.totals).toEqual({ pending: 0, sent: 4, delivered: 1, failed: 1, unknown: 0 });
    expect(s.failures).toEqual([{ vendor: 'smsworks', state: 'failed', code: 'undelivered', vendorCode: 34, reason: 'Handset absent', recipients: 1, batches: 1 }]);
    expect(s.cost.sort((x, y) => x.currency.localeCompare(y.currency))).toEqual([
      { currency: 'EUR', amount: 0.04, recipients: 1 },
      { currency: 'GBP', amount: 0.07, recipients: 2 },
    ]);
    expect(s.costUnknown).toBe(3);
    expect(s.countries).toContainEqual({ country: 'FR', counts: { pending: 0, sent: 2, delivered: 0, failed: 0, unknown: 0 } });
    expect(await campaign.refresh()).toBe(false);

    // Appended: e delivered, f expired; a's late "failed" cannot undo its delivery.
    await note(journal, 1, report(e!, 'delivered', { at: '2026-12-07T10:01:00Z' }));
    await note(journal, 1, report(f!, 'expired', { at: '2026-12-07T10:02:00Z', price }));
    await note(journal, 0, report(a!, 'failed', { at: '2026-12-07T11:00:00Z' }));
    await journal.close();
    expect(await campaign.refresh()).toBe(true);
    s = campaign.totals.summary();
    expect(s.totals).toEqual({ pending: 0, sent: 2, delivered: 2, failed: 2, unknown: 0 });
    expect(s.countries).toContainEqual({ country: 'FR', counts: { pending: 0, sent: 0, delivered: 1, failed: 1, unknown: 0 } });
    // e's price stays what its "sent" report said: the delivered report carries none.
    expect(s.cost.find((x) => x.currency === 'GBP')).toEqual({ currency: 'GBP', amount: 0.105, recipients: 3 });
    expect(s.failures.map((g) => [g.code, g.recipients])).toEqual([['expired', 1], ['undelivered', 1]]);
  });

  it('counts a report for a number its batch did not send to nowhere, and a report for a recipient of another batch in that batch only', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('b'));
    await journal.begin({ index: 0, recipients: gb(0, 2) });
    await journal.settle(0, { status: 'sent', ids: ['g-0'] });
    await journal.begin({ index: 1, recipients: gb(2, 2) });
    await journal.settle(1, { status: 'sent', ids: ['g-1'] });
    await note(journal, 0, report(gb(9, 1)[0]!, 'delivered'));
    await note(journal, 0, report(gb(2, 1)[0]!, 'delivered'));
    await note(journal, 1, report(gb(2, 1)[0]!, 'rejected'));
    await journal.close();
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    expect(campaign.totals.summary().totals).toEqual({ pending: 0, sent: 3, delivered: 0, failed: 1, unknown: 0 });
  });

  it("counts a reconcile record's verdicts: found and delivered, proven not sent, still unknown, and lists only the unknown ones", async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity('c'));
    const to = gb(0, 3);
    await journal.begin({ index: 0, recipients: to, rows: [2, 3, 4] });
    await journal.settle(0, { status: 'unknown', code: 'timeout', message: 'no answer' });
    const campaign = new JournalCampaign(path);
    await campaign.refresh();
    expect(campaign.totals.summary().totals).toMatchObject({ unknown: 3 });
    const record: ReconcileRecord = {
      kind: 'batch',
      campaign: journal.campaignId,
      batch: 0,
      sender: 'smsworks',
      at: '2026-12-07T12:00:00Z',
      proof: [],
      recipients: [
        { to: to[0]!, outcome: 'sent', event: report(to[0]!, 'delivered', { price: { amount: 0.03, currency: 'GBP' } }) },
        { to: to[1]!, outcome: 'not_sent' },
        { to: to[2]!, outcome: 'unknown', reason: 'lookup_failed' },
      ],
      resendable: [to[1]!],
      deduplicates: false,
    };
    await journal.note({ t: 'reconcile', i: 0, r: record as unknown as Record<string, unknown> });
    await journal.close();
    expect(await campaign.refresh()).toBe(true);
    const s = campaign.totals.summary();
    expect(s.totals).toEqual({ pending: 0, sent: 0, delivered: 1, failed: 1, unknown: 1 });
    expect(s.cost).toEqual([{ currency: 'GBP', amount: 0.03, recipients: 1 }]);
    // Proven not sent: nothing to bill.
    expect(s.costUnknown).toBe(0);
    expect(s.failures.map((g) => [g.state, g.code])).toEqual([['unknown', 'lookup_failed'], ['failed', 'not_sent']]);
    const page = await campaign.unknown(0, 10, true);
    expect(page).toEqual({ total: 1, offset: 0, recipients: [{ number: to[2], row: 4, batch: 0, vendor: 'smsworks', code: 'lookup_failed' }] });
  });

  it('takes of two reports that differ only past time and progress the one compareDeliveryEvents ranks greater, in either order', async () => {
    const [x, y] = [report('+447400100000', 'undelivered', { at: '2026-12-07T10:00:00Z', raw: { status: 'X', code: 1 } }), report('+447400100000', 'undelivered', { at: '2026-12-07T10:00:00Z', raw: { status: 'X', code: 2 } })];
    const greater = compareDeliveryEvents(x, y) > 0 ? x : y;
    for (const order of [[x, y], [y, x]]) {
      const path = fresh();
      const journal = await openFileJournal(path, identity(`t${order[0]!.raw.code}`));
      await journal.begin({ index: 0, recipients: ['+447400100000'] });
      await journal.settle(0, { status: 'sent', ids: ['g'] });
      for (const e of order) await note(journal, 0, e);
      await journal.close();
      const campaign = new JournalCampaign(path);
      await campaign.refresh();
      expect(campaign.totals.summary().failures).toMatchObject([{ code: 'undelivered', vendorCode: greater.raw.code }]);
    }
  });

  it('ranks reports in the order compareDeliveryEvents puts them, or as equal where only it can tell', () => {
    const statuses = ['unknown', 'accepted', 'sent', 'delivered', 'undelivered', 'expired'] as const;
    const times = [undefined, '2026-12-07T10:00:00Z', '2026-12-07T10:00:01Z', 'not a time'];
    const events = statuses.flatMap((status) => times.flatMap((at) => [false, true].map((final) => ({ ...report('+447400100000', status, at === undefined ? {} : { at }), final }))));
    for (const a of events) for (const b of events) if (rankOf(a) > rankOf(b)) expect(compareDeliveryEvents(a, b), `${JSON.stringify(a)} over ${JSON.stringify(b)}`).toBeGreaterThan(0);
  });
});
