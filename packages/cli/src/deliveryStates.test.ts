import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryEvent } from '@msgkit/core';
import { openFileJournal, type FileJournal } from '@msgkit/journal';
import type { ReconcileRecord } from '@msgkit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalStates } from './deliveryStates';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-states-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gb = (from: number, count: number) => Array.from({ length: count }, (_, i) => `+4474001${String(from + i).padStart(5, '0')}`);

function report(to: string, status: DeliveryEvent['status'], more: Partial<DeliveryEvent> = {}): DeliveryEvent {
  const final = status === 'delivered' || status === 'undelivered' || status === 'expired' || status === 'rejected' || status === 'failed';
  return { vendor: 'smsworks', messageId: `m-${to}`, status, final, raw: { status: status.toUpperCase() }, reference: { recipient: to }, ...more };
}
const note = (journal: FileJournal, i: number, e: DeliveryEvent) => journal.note({ t: 'delivery', i, e: e as unknown as Record<string, unknown> });

describe('the state msgkit report gives each recipient of a journal', () => {
  it('answers for a recipient a failover moved on as the dashboard and the queue do: by the vendor that holds it now, a delivered of any vendor that sent it, and no lookup of the vendor it left', async () => {
    const path = join(dir, 'moved.journal');
    const chain = ['smsworks', 'smscx'];
    const journal = await openFileJournal(path, { provider: chain.join(','), sender: 'Shop', text: 'moved', options: { batchSize: 4 }, recipients: 'moved' }, { chain });
    const record = journal.failover();
    // The same journal as the dashboard's test (deliveries.test.ts): each recipient is one difference.
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
    const rows = [...(await JournalStates.read(path)).recipients()];
    expect(rows.map((r) => [r.e164, r.provider, r.state, r.status, r.reason, r.lateDelivered])).toEqual([
      [movedOnReport, 'smscx', 'pending', 'sent', 'no final report yet', undefined],
      [lateDelivered, 'smscx', 'delivered', 'delivered', 'DELIVERED', undefined],
      [askedBefore, 'smscx', 'pending', undefined, 'accepted, no report yet', undefined],
      [twoMessages, 'smsworks', 'failed', 'undelivered', 'UNDELIVERABLE', undefined],
    ]);
  });
});
