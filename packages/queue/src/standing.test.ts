import type { DeliveryEvent } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { standingOf } from './deliveries';

function report(to: string, status: DeliveryEvent['status'], more: Partial<DeliveryEvent> = {}): DeliveryEvent {
  const final = status === 'delivered' || status === 'undelivered' || status === 'expired' || status === 'rejected' || status === 'failed';
  return { vendor: 'smsworks', messageId: `m-${to}`, status, final, raw: { status: status.toUpperCase() }, reference: { recipient: to }, ...more };
}

describe("the queue's delivery records read by the one rule of msgkit report and the dashboard", () => {
  it('answers for the recipients of the journal the CLI and dashboard tests read the same: the holder decides, a delivered of any vendor that sent it counts, and of two messages the later final report', () => {
    // The records the queue keeps for the journal of deliveryStates.test.ts (cli) and deliveries.test.ts (dashboard).
    const at = (to: string, status: DeliveryEvent['status'], more: Partial<DeliveryEvent> = {}) => report(to, status, more);
    const movedOnReport = { batch: 0, holder: 'smscx', events: [at('a', 'undelivered', { raw: { status: 'UNDELIVERABLE' } }), at('a', 'sent', { vendor: 'smscx', messageId: 'c-m', raw: { status: 'SENT' } })] };
    const lateDelivered = { batch: 0, holder: 'smscx', events: [at('b', 'delivered', { at: '2026-12-07T13:00:00Z' })] };
    // Its lookup at The SMS Works was dropped when SMS.CX took it (DeliveryRecords.rehold).
    const askedBefore = { batch: 0, holder: 'smscx', events: [] };
    const twoMessages = { batch: 0, events: [at('d', 'expired', { messageId: 'w-a', at: '2026-12-07T10:00:00Z', raw: { status: 'EXPIRED' } }), at('d', 'undelivered', { messageId: 'w-b', at: '2026-12-07T11:00:00Z', raw: { status: 'UNDELIVERABLE' } })] };
    expect([movedOnReport, lateDelivered, askedBefore, twoMessages].map((r) => standingOf(r))).toEqual([
      { state: 'pending', status: 'sent', reason: 'no final report yet', messageId: 'c-m' },
      { state: 'delivered', status: 'delivered', reason: 'DELIVERED', messageId: 'm-b' },
      { state: 'pending', reason: 'no report yet' },
      { state: 'failed', status: 'undelivered', reason: 'UNDELIVERABLE', messageId: 'w-b' },
    ]);
  });
});
