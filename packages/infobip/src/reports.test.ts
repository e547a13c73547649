import { DELIVERY_STATUSES, InvalidReportError } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { GeneralStatus } from './generated/models/index';
import { INFOBIP_REPORT_GROUPS, INFOBIP_REPORT_NAMES, INFOBIP_REPORT_STATUSES, infobipReports } from './reports';

/** Every status name of shared/vendors/infobip.md 4.2 (S14/S15/S18), with its group. */
const DOCUMENTED: Array<[string, string, number]> = [
  ['MESSAGE_ACCEPTED', 'ACCEPTED', 0],
  ['PENDING_WAITING_DELIVERY', 'PENDING', 3], ['PENDING_ENROUTE', 'PENDING', 7], ['PENDING_ACCEPTED', 'PENDING', 26], ['PENDING_TIME_VIOLATION', 'PENDING', 1],
  ['UNDELIVERABLE_REJECTED_OPERATOR', 'UNDELIVERABLE', 4], ['UNDELIVERABLE_NOT_DELIVERED', 'UNDELIVERABLE', 9], ['UNDELIVERABLE_NOT_SENT', 'UNDELIVERABLE', 31],
  ['NO_ANSWER', 'UNDELIVERABLE', 96], ['BUSY', 'UNDELIVERABLE', 97], ['CANCELLED', 'UNDELIVERABLE', 98],
  ['DELIVERED_TO_OPERATOR', 'DELIVERED', 2], ['DELIVERED_TO_HANDSET', 'DELIVERED', 5],
  ['EXPIRED_EXPIRED', 'EXPIRED', 15], ['EXPIRED_DLR_UNKNOWN', 'EXPIRED', 29], ['EXPIRED_UNKNOWN', 'EXPIRED', 22],
  ['REJECTED_NETWORK', 'REJECTED', 6], ['REJECTED_PREFIX_MISSING', 'REJECTED', 8], ['REJECTED_DND', 'REJECTED', 10], ['REJECTED_SOURCE', 'REJECTED', 11],
  ['REJECTED_NOT_ENOUGH_CREDITS', 'REJECTED', 12], ['REJECTED_SENDER', 'REJECTED', 13], ['REJECTED_DESTINATION_BLOCKLISTED', 'REJECTED', 14],
  ['REJECTED_DESTINATION', 'REJECTED', 14], ['REJECTED_PREPAID_PACKAGE_EXPIRED', 'REJECTED', 17], ['REJECTED_DESTINATION_NOT_REGISTERED', 'REJECTED', 18],
  ['REJECTED_ROUTE_NOT_AVAILABLE', 'REJECTED', 19], ['REJECTED_FLOODING_FILTER', 'REJECTED', 20], ['REJECTED_SYSTEM_ERROR', 'REJECTED', 21],
  ['REJECTED_DUPLICATE_MESSAGE_ID', 'REJECTED', 23], ['REJECTED_INVALID_UDH', 'REJECTED', 24], ['REJECTED_MESSAGE_TOO_LONG', 'REJECTED', 25],
  ['MISSING_TO', 'REJECTED', 51], ['REJECTED_DESTINATION', 'REJECTED', 52], ['UNDELIVERABLE_REJECTED_PLATFORM', 'REJECTED', 100],
];

const dlr = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  bulkId: '1dece649-6c8f-404e-8c6e-c7e073be509a',
  messageId: 'fb469d73-d362-463f-b30f-1e959b53badc',
  to: '41793026731',
  sentAt: '2023-04-06T15:22:37.413+0000',
  doneAt: '2023-04-06T15:22:39.113+0000',
  messageCount: 2,
  price: { pricePerMessage: 0.21, currency: 'BRL' },
  status,
  error: { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false },
  channel: 'SMS',
  ...extra,
});

describe('Infobip delivery reports', () => {
  it('map every documented status name and every status group of the spec', () => {
    expect(Object.keys(INFOBIP_REPORT_GROUPS).sort()).toEqual((Object.values(GeneralStatus) as string[]).sort());
    expect(Object.keys(INFOBIP_REPORT_NAMES).sort()).toEqual([...new Set(DOCUMENTED.map(([name]) => name))].sort());
    for (const [name, groupName, id] of DOCUMENTED) {
      const [event] = infobipReports.parse({ results: [dlr({ groupId: 9, groupName, id, name, description: '' })] });
      expect(event!.unmapped, name).toBeUndefined();
      expect(DELIVERY_STATUSES).toContain(event!.status);
      expect(event!.raw).toMatchObject({ status: name, code: id });
    }
    expect(Object.keys(INFOBIP_REPORT_STATUSES).length).toBe(Object.keys(INFOBIP_REPORT_GROUPS).length + Object.keys(INFOBIP_REPORT_NAMES).length);
  });

  it('read the S1 webhook example with price, parts, channel and bulk id', () => {
    const [event] = infobipReports.parse({ results: [dlr({ groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: 'Message delivered to handset' }, { callbackData: 'msgkit:c1:0' })] });
    expect(event).toEqual({
      vendor: 'infobip',
      messageId: 'fb469d73-d362-463f-b30f-1e959b53badc',
      status: 'delivered',
      final: true,
      raw: { status: 'DELIVERED_TO_HANDSET', code: 5 },
      at: '2023-04-06T15:22:39.113Z',
      groupId: '1dece649-6c8f-404e-8c6e-c7e073be509a',
      to: '41793026731',
      channel: 'SMS',
      price: { amount: 0.21, currency: 'BRL' },
      parts: 2,
      echo: 'msgkit:c1:0',
    });
  });

  it('tell an intermediate operator report from the final handset report', () => {
    const [operator] = infobipReports.parse({ results: [dlr({ groupId: 3, groupName: 'DELIVERED', id: 2, name: 'DELIVERED_TO_OPERATOR' })] });
    expect(operator).toMatchObject({ status: 'sent', final: false });
  });

  it('keep the error and whether Infobip calls it permanent', () => {
    const [event] = infobipReports.parse({
      results: [dlr({ groupId: 2, groupName: 'UNDELIVERABLE', id: 9, name: 'UNDELIVERABLE_NOT_DELIVERED' }, { error: { groupId: 1, groupName: 'HANDSET_ERRORS', id: 27, name: 'EC_ABSENT_SUBSCRIBER', description: 'Absent Subscriber', permanent: true } })],
    });
    expect(event).toMatchObject({ status: 'undelivered', final: true, permanent: true, raw: { error: 'EC_ABSENT_SUBSCRIBER: Absent Subscriber' } });
  });

  it('read an unknown name by its group, and an unknown group as unmapped', () => {
    const [byGroup] = infobipReports.parse({ results: [dlr({ groupName: 'REJECTED', id: 77, name: 'REJECTED_SOMETHING_NEW' })] });
    expect(byGroup).toMatchObject({ status: 'rejected', final: true, raw: { status: 'REJECTED_SOMETHING_NEW' } });
    expect(byGroup!.unmapped).toBeUndefined();
    const [unmapped] = infobipReports.parse({ results: [dlr({ groupName: 'LOST', id: 99, name: 'LOST_IN_SPACE' })] });
    expect(unmapped).toMatchObject({ status: 'unknown', final: false, unmapped: true });
  });

  it('skip seen reports, which come to the same URL and carry no delivery status', () => {
    expect(infobipReports.parse({ results: [{ messageId: 'm1', from: 'x', to: '41793026731', sendAt: '2023-04-06T15:22:37.413+0000', seenAt: '2023-04-06T15:25:00.000+0000' }] })).toEqual([]);
  });

  it('refuse a body that is not a report list, naming the field', () => {
    expect(() => infobipReports.parse({ result: [] })).toThrow(InvalidReportError);
    expect(() => infobipReports.parse({ results: [{ messageId: 'm1' }] })).toThrow(/results\.0\.status/);
    expect(() => infobipReports.parse({ results: [dlr({ name: 'X' })] })).toThrow(/groupName/);
  });
});
