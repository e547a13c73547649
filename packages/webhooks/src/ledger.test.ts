import type { DeliveryEvent } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { DeliveryLedger, reduceDeliveries } from './ledger';

const ev = (status: DeliveryEvent['status'], final: boolean, at: string, extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  vendor: 'infobip',
  messageId: 'm1',
  status,
  final,
  raw: { status: status.toUpperCase() },
  at,
  ...extra,
});

describe('the delivery ledger', () => {
  it('never lets a late non-final report move a final state back', () => {
    const ledger = new DeliveryLedger();
    ledger.apply(ev('delivered', true, '2030-01-01T00:00:05Z'));
    const after = ledger.apply(ev('sent', false, '2030-01-01T00:00:09Z')).state;
    expect(after).toMatchObject({ status: 'delivered', final: true, reports: 2 });
  });

  it('keeps a later status of the same message instead of dropping it as a duplicate message id', () => {
    const ledger = new DeliveryLedger();
    ledger.apply(ev('accepted', false, '2030-01-01T00:00:01Z'));
    ledger.apply(ev('sent', false, '2030-01-01T00:00:02Z'));
    const { state, fresh } = ledger.apply(ev('undelivered', true, '2030-01-01T00:00:03Z', { permanent: true, raw: { status: 'UNDELIVERABLE_NOT_DELIVERED', error: 'EC_ABSENT_SUBSCRIBER' } }));
    expect(fresh).toBe(true);
    expect(state).toMatchObject({ status: 'undelivered', final: true, permanent: true, raw: { error: 'EC_ABSENT_SUBSCRIBER' }, duplicates: 0 });
    expect(state.history.map((h) => h.status)).toEqual(['accepted', 'sent', 'undelivered']);
  });

  it('counts an exact repeat as a duplicate and changes nothing else', () => {
    const ledger = new DeliveryLedger();
    const first = ledger.apply(ev('sent', false, '2030-01-01T00:00:02Z')).state;
    const again = ledger.apply(ev('sent', false, '2030-01-01T00:00:02Z'));
    expect(again.fresh).toBe(false);
    expect(again.state).toEqual({ ...first, reports: 2, duplicates: 1 });
  });

  it('counts a repeat of any report a message got as a duplicate, whether the message got 2, 9 or 40 distinct reports', () => {
    for (const distinct of [2, 9, 40]) {
      const ledger = new DeliveryLedger();
      const at = (i: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString();
      for (let i = 0; i < distinct; i++) expect(ledger.apply(ev('sent', false, at(i))).fresh).toBe(true);
      // Every one of them again, oldest first: each is a repeat.
      for (let i = 0; i < distinct; i++) expect(ledger.apply(ev('sent', false, at(i))).fresh).toBe(false);
      const state = ledger.get('infobip', 'm1')!;
      expect(state).toMatchObject({ reports: 2 * distinct, duplicates: distinct });
      // A report not seen before is still fresh.
      expect(ledger.apply(ev('sent', false, at(distinct))).fresh).toBe(true);
    }
  });

  it('keeps one state per vendor and message id, lists them in the order their first reports came, and forgets a deleted one', () => {
    const ledger = new DeliveryLedger();
    ledger.apply(ev('sent', false, '2030-01-01T00:00:01Z', { vendor: 'octopush', messageId: 'a' }));
    ledger.apply(ev('sent', false, '2030-01-01T00:00:02Z', { vendor: 'smscx', messageId: 'a' }));
    ledger.apply(ev('sent', false, '2030-01-01T00:00:03Z', { vendor: 'octopush', messageId: 'b' }));
    ledger.apply(ev('delivered', true, '2030-01-01T00:00:04Z', { vendor: 'octopush', messageId: 'a' }));
    expect([...ledger.states()].map((s) => `${s.vendor}:${s.messageId}:${s.status}`)).toEqual(['octopush:a:delivered', 'smscx:a:sent', 'octopush:b:sent']);
    expect(ledger.size).toBe(3);
    expect(ledger.delete('octopush', 'a')).toBe(true);
    expect(ledger.delete('octopush', 'a')).toBe(false);
    expect(ledger.delete('infobip', 'a')).toBe(false);
    expect(ledger.get('octopush', 'a')).toBeUndefined();
    expect(ledger.get('smscx', 'a')).toMatchObject({ status: 'sent', reports: 1 });
    // A report after the delete starts the message afresh, last in the list.
    ledger.apply(ev('sent', false, '2030-01-01T00:00:05Z', { vendor: 'octopush', messageId: 'a' }));
    expect([...ledger.states()].map((s) => `${s.vendor}:${s.messageId}:${s.reports}`)).toEqual(['smscx:a:1', 'octopush:b:1', 'octopush:a:1']);
    expect(ledger.summary()).toMatchObject({ sent: 3, final: 0, pending: 3 });
  });

  it('lets a delivery proof stand against a later negative final, and the latest negative win among negatives', () => {
    const delivered = ev('delivered', true, '2030-01-01T00:00:03Z');
    const expired = ev('expired', true, '2030-01-01T00:00:09Z');
    const undelivered = ev('undelivered', true, '2030-01-01T00:00:05Z');
    expect(reduceDeliveries([expired, delivered])[0]!.status).toBe('delivered');
    expect(reduceDeliveries([expired, undelivered])[0]!.status).toBe('expired');
    expect(reduceDeliveries([undelivered, expired])[0]!.status).toBe('expired');
  });

  it('aggregates part-by-part reports: final only when every part is, delivered only when every part is', () => {
    const part = (index: number, status: DeliveryEvent['status'], final: boolean, s: number) => ev(status, final, `2030-01-01T00:00:0${s}Z`, { part: { index, count: 3 } });
    const ledger = new DeliveryLedger();
    ledger.apply(part(1, 'delivered', true, 1));
    ledger.apply(part(2, 'delivered', true, 2));
    expect(ledger.get('infobip', 'm1')).toMatchObject({ final: false, partCount: 3, partsDelivered: 2 });
    ledger.apply(part(3, 'sent', false, 3));
    expect(ledger.get('infobip', 'm1')).toMatchObject({ status: 'sent', final: false });
    ledger.apply(part(3, 'delivered', true, 4));
    expect(ledger.get('infobip', 'm1')).toMatchObject({ status: 'delivered', final: true, partsDelivered: 3 });

    const broken = reduceDeliveries([part(1, 'delivered', true, 1), part(2, 'undelivered', true, 2), part(3, 'delivered', true, 3)])[0]!;
    expect(broken).toMatchObject({ status: 'undelivered', final: true, partCount: 3, partsDelivered: 2 });
  });

  it('summarises messages per status', () => {
    const ledger = new DeliveryLedger();
    ledger.apply(ev('delivered', true, '2030-01-01T00:00:03Z'));
    ledger.apply(ev('sent', false, '2030-01-01T00:00:03Z', { messageId: 'm2' }));
    ledger.apply(ev('rejected', true, '2030-01-01T00:00:03Z', { messageId: 'm3', vendor: 'smscx' }));
    expect(ledger.summary()).toMatchObject({ delivered: 1, sent: 1, rejected: 1, final: 2, pending: 1 });
    expect(ledger.size).toBe(3);
  });
});

describe('the dedupe key of a report', () => {
  it('changes with every field of a report, and not with the order its keys were written in', async () => {
    const { canonicalEvent } = await import('./order');
    const full: DeliveryEvent = {
      vendor: 'infobip', messageId: 'm1', status: 'undelivered', final: true, permanent: true, raw: { status: 'X', code: 9, error: 'E' }, at: '2030-01-01T00:00:00.000Z',
      groupId: 'g', to: '41', channel: 'SMS', price: { amount: 0.1, currency: 'EUR' }, parts: 2, part: { index: 1, count: 2 }, echo: 'cb', reference: { campaign: 'c', batch: 1, recipient: 'r' }, unmapped: true,
    };
    const variants: DeliveryEvent[] = [
      { ...full, vendor: 'smscx' }, { ...full, messageId: 'm2' }, { ...full, status: 'expired' }, { ...full, final: false }, { ...full, permanent: false },
      { ...full, raw: { ...full.raw, status: 'Y' } }, { ...full, raw: { ...full.raw, code: 8 } }, { ...full, raw: { ...full.raw, error: 'F' } }, { ...full, at: '2030-01-01T00:00:01.000Z' },
      { ...full, groupId: 'h' }, { ...full, to: '42' }, { ...full, channel: 'VIBER' }, { ...full, price: { amount: 0.2, currency: 'EUR' } }, { ...full, price: { amount: 0.1, currency: 'USD' } },
      { ...full, parts: 3 }, { ...full, part: { index: 2, count: 2 } }, { ...full, part: { index: 1, count: 3 } }, { ...full, echo: 'cc' },
      { ...full, reference: { ...full.reference, campaign: 'd' } }, { ...full, reference: { ...full.reference, batch: 2 } }, { ...full, reference: { ...full.reference, recipient: 's' } },
    ];
    const { unmapped: _u, ...mapped } = full;
    variants.push(mapped);
    // Every field of DeliveryEvent is covered by a variant above.
    const fields = new Set(variants.flatMap((v) => Object.keys(v).filter((k) => JSON.stringify((v as unknown as Record<string, unknown>)[k]) !== JSON.stringify((full as unknown as Record<string, unknown>)[k]))));
    expect(fields.size + 1).toBe(Object.keys(full).length);
    const keys = new Set([full, ...variants].map((e) => canonicalEvent(e)));
    expect(keys.size).toBe(variants.length + 1);
    const reordered = Object.fromEntries(Object.entries(full).reverse()) as unknown as DeliveryEvent;
    expect(canonicalEvent(reordered)).toBe(canonicalEvent(full));
  });

  it('is remembered on the report without changing what it shows (keys, JSON, copies, equality), and on frozen reports too', async () => {
    const { canonicalEvent, compareDeliveryEvents } = await import('./order');
    const report = (): DeliveryEvent => ({ vendor: 'smscx', messageId: 'm1', status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-01-01T00:00:02.000Z' });
    const event = report();
    const text = canonicalEvent(event);
    expect(compareDeliveryEvents(event, { ...event, at: '2030-01-01T00:00:01.000Z' })).toBeGreaterThan(0);
    expect(Object.keys(event)).toEqual(Object.keys(report()));
    expect(JSON.stringify(event)).toBe(JSON.stringify(report()));
    expect(event).toStrictEqual(report());
    expect(structuredClone(event)).toStrictEqual(report());
    // A copy changed after the original was remembered gets its own key and time.
    const later = { ...event, at: '2030-01-01T00:00:03.000Z' };
    expect(canonicalEvent(later)).not.toBe(text);
    expect(compareDeliveryEvents(later, event)).toBeGreaterThan(0);
    const frozen = Object.freeze(report());
    expect(canonicalEvent(frozen)).toBe(text);
    expect(compareDeliveryEvents(frozen, later)).toBeLessThan(0);
    const ledger = new DeliveryLedger();
    expect(ledger.apply(frozen).fresh).toBe(true);
    expect(ledger.apply(Object.freeze(report())).fresh).toBe(false);
    expect(ledger.apply(later).state).toMatchObject({ status: 'delivered', at: '2030-01-01T00:00:03.000Z', reports: 3, duplicates: 1 });
  });
});
