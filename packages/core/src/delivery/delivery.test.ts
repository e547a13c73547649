import { describe, expect, it } from 'vitest';
import { MsgkitError } from '../errors';
import { InvalidReportError, mapStatus, reportReader, reportTime } from './parse';
import { DELIVERY_STATUSES, FINAL_DELIVERY_STATUSES, deliveryProgress, isDeliveryStatus, isFinalDeliveryStatus, isNegativeDeliveryStatus } from './status';

describe('the delivery status vocabulary', () => {
  it('has the ten statuses of DESIGN.md and five of them are final', () => {
    expect([...DELIVERY_STATUSES]).toEqual(['accepted', 'scheduled', 'queued', 'sent', 'delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']);
    expect(DELIVERY_STATUSES.filter(isFinalDeliveryStatus)).toEqual([...FINAL_DELIVERY_STATUSES]);
    expect(DELIVERY_STATUSES.filter(isNegativeDeliveryStatus)).toEqual(['undelivered', 'expired', 'rejected', 'failed']);
    expect(isDeliveryStatus('delivered')).toBe(true);
    expect(isDeliveryStatus('DELIVERED')).toBe(false);
  });

  it('orders progress so that delivered is highest and unknown lowest', () => {
    const ordered = [...DELIVERY_STATUSES].sort((a, b) => deliveryProgress(a) - deliveryProgress(b));
    expect(ordered[0]).toBe('unknown');
    expect(ordered.at(-1)).toBe('delivered');
    expect(deliveryProgress('sent')).toBeGreaterThan(deliveryProgress('accepted'));
    expect(deliveryProgress('expired')).toBeGreaterThan(deliveryProgress('sent'));
  });
});

describe('report parsing helpers', () => {
  it('flag a status missing from the table as unmapped, never as another status', () => {
    const table = { DELIVERED: { status: 'delivered', final: true } } as const;
    expect(mapStatus(table, 'DELIVERED')).toEqual({ status: 'delivered', final: true });
    expect(mapStatus(table, 'NEW_STATUS')).toEqual({ status: 'unknown', final: false, unmapped: true });
    expect(mapStatus(table, 'toString')).toMatchObject({ unmapped: true });
  });

  it('read vendor timestamps with and without a zone', () => {
    expect(reportTime('2025-01-22 11:46:06')).toBe('2025-01-22T11:46:06.000Z');
    expect(reportTime('2015-02-23T16:41:11.833+0000')).toBe('2015-02-23T16:41:11.833Z');
    expect(reportTime('2015-02-23T18:41:11.833+02:00')).toBe('2015-02-23T16:41:11.833Z');
    expect(reportTime('not a date')).toBeUndefined();
    expect(reportTime(42)).toBeUndefined();
  });

  it('throw an InvalidReportError naming the vendor and the field', () => {
    const read = reportReader('smscx');
    expect(() => read.string(undefined, ['data', 0, 'msgId'])).toThrow(InvalidReportError);
    try {
      read.object([], ['body']);
    } catch (error) {
      expect(error).toBeInstanceOf(MsgkitError);
      expect(error).toMatchObject({ code: 'invalid_report', vendor: 'smscx', path: ['body'] });
      expect(String(error)).toContain('smscx at body: expected an object');
    }
    expect(read.optionalNumber('0.5', ['price'])).toBe(0.5);
    expect(() => read.optionalNumber('abc', ['price'])).toThrow(/expected a number/);
  });
});
