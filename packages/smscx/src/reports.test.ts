import { DELIVERY_STATUSES, InvalidReportError } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { DlrUpdateStatusEnum } from './generated/models/index';
import { SMSCX_REPORT_STATUSES, smscxReports } from './reports';

const report = (status: string, extra: Record<string, unknown> = {}) => ({
  campaignId: 'd6dd39e8-d609-4350-8e58-03a3beda1b18',
  msgId: '4e9ae8ce-795c-425d-868e-3fff9d781702',
  trackData: '1465e231-ba8c-4b63-8be8-1eb3ccdcfe2e',
  statusCode: 2,
  status,
  errorCode: null,
  datetime: '2030-06-23 14:26:19',
  ...extra,
});

describe('SMS.CX delivery reports', () => {
  it('map every status the spec documents, and nothing else', () => {
    const documented = Object.values(DlrUpdateStatusEnum) as string[];
    expect(Object.keys(SMSCX_REPORT_STATUSES).sort()).toEqual([...documented].sort());
    for (const status of documented) {
      const [event] = smscxReports.parse({ event: 'dlr_update', data: [report(status)] });
      expect(event!.unmapped, status).toBeUndefined();
      expect(DELIVERY_STATUSES).toContain(event!.status);
      expect(event!.raw.status).toBe(status);
    }
  });

  it('read the vendor example as a delivered, final report with its campaign and trackData', () => {
    const events = smscxReports.parse({ event: 'dlr_update', data: [report('DELIVERED'), report('FAILED', { msgId: 'b5a1f0a4-0000-4000-8000-000000000001', errorCode: 4012 })] });
    expect(events).toEqual([
      { vendor: 'smscx', messageId: '4e9ae8ce-795c-425d-868e-3fff9d781702', status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2030-06-23T14:26:19.000Z', groupId: 'd6dd39e8-d609-4350-8e58-03a3beda1b18', echo: '1465e231-ba8c-4b63-8be8-1eb3ccdcfe2e' },
      expect.objectContaining({ messageId: 'b5a1f0a4-0000-4000-8000-000000000001', status: 'undelivered', final: true, raw: { status: 'FAILED', code: 4012 } }),
    ]);
  });

  it('flag a status the vendor never documented as unmapped', () => {
    const [event] = smscxReports.parse({ event: 'dlr_update', data: [report('BOUNCED')] });
    expect(event).toMatchObject({ status: 'unknown', final: false, unmapped: true, raw: { status: 'BOUNCED' } });
  });

  it('refuse bodies that are not a dlr_update callback, naming the field', () => {
    for (const [body, path] of [
      [[], []],
      [{ event: 'receive_sms', data: [] }, ['event']],
      [{ event: 'dlr_update', data: [] }, ['data']],
      [{ event: 'dlr_update', data: [{ status: 'SENT' }] }, ['data', 0, 'msgId']],
      [{ event: 'dlr_update', data: [report('SENT', { errorCode: 'x' })] }, ['data', 0, 'errorCode']],
    ] as const) {
      expect(() => smscxReports.parse(body), JSON.stringify(body)).toThrow(InvalidReportError);
      try {
        smscxReports.parse(body);
      } catch (error) {
        expect((error as InvalidReportError).path).toEqual(path);
      }
    }
  });
});
