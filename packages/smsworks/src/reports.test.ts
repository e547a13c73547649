import { DELIVERY_STATUSES, InvalidReportError } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { SMSWORKS_REPORT_STATUSES, smsworksReports } from './reports';

/** shared/vendors/smsworks.md 5.1: SPEC19 Query list, SPEC10 additions, scheduled-message statuses. */
const DOCUMENTED = ['SENT', 'DELIVERED', 'EXPIRED', 'UNDELIVERABLE', 'REJECTED', 'ACCEPTED', 'DELETED', 'UNKNOWN', 'SCHEDULED', 'CANCELLED', 'PROCESSED'];

const response = (status: string, extra: Record<string, unknown> = {}) => ({
  messageid: '123456789012345678',
  batchid: '2586749',
  customerid: '0fca8c3c-6cbc-11e7-8154-a6006ad3dba0',
  sender: 'YourCompany',
  destination: 447777777777,
  content: 'Hi',
  status,
  tag: 'spring',
  created: '2030-06-23T14:26:10.000Z',
  modified: '2030-06-23T14:26:19.000Z',
  ...extra,
});

describe('The SMS Works delivery reports', () => {
  it('map every documented status, and only those', () => {
    expect(Object.keys(SMSWORKS_REPORT_STATUSES).sort()).toEqual([...DOCUMENTED].sort());
    for (const status of DOCUMENTED) {
      const [event] = smsworksReports.parse(response(status));
      expect(event!.unmapped, status).toBeUndefined();
      expect(DELIVERY_STATUSES).toContain(event!.status);
    }
  });

  it('read a MessageResponse with its failure reason, batch and tag', () => {
    const [event] = smsworksReports.parse(response('UNDELIVERABLE', { failurereason: { code: 34, details: 'Handset error', permanent: false }, messageparts: 2 }));
    expect(event).toEqual({
      vendor: 'smsworks',
      messageId: '123456789012345678',
      status: 'undelivered',
      final: true,
      permanent: false,
      raw: { status: 'UNDELIVERABLE', code: 34, error: 'Handset error' },
      at: '2030-06-23T14:26:19.000Z',
      groupId: '2586749',
      to: '447777777777',
      parts: 2,
      echo: 'spring',
    });
  });

  it('read a list of reports and skip an inbound message posted to the same URL', () => {
    const events = smsworksReports.parse([response('DELIVERED'), response('INCOMING', { messageid: '2' })]);
    expect(events.map((e) => e.status)).toEqual(['delivered']);
  });

  it('flag an undocumented status and refuse a report without its message id', () => {
    expect(smsworksReports.parse(response('BOUNCED'))[0]).toMatchObject({ status: 'unknown', unmapped: true });
    expect(() => smsworksReports.parse({ status: 'DELIVERED' })).toThrow(InvalidReportError);
    expect(() => smsworksReports.parse([{ messageid: '1', status: 7 }])).toThrow(/0\.status/);
  });
});
