import { DELIVERY_STATUSES, InvalidReportError } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { OCTOPUSH_REPORT_STATUSES, octopushReports } from './reports';

/** Every status string of the three Octopush sources in shared/vendors/octopush.md §5. */
const RDM = ['DELIVERED', 'READ', 'ACK', 'OPENED', 'CLICKED', 'TRANSMITTED', 'ISP_SEND', 'UNDEFINED', 'UNKNOWN_DELIVERY', 'PROCESSED', 'SPAM_PRESUMPTION'];
const DEV = ['ACK', 'DELIVERED', 'NOT_DELIVERED', 'NOT_ALLOWED', 'UNKNOWN_DELIVERY', 'BAD_DESTINATION', 'BLACKLISTED_NUMBER', 'UNDEFINED'];
const VOICE = ['DELIVERED', 'NOT_DELIVERED', 'NOT_DELIVERABLE', 'BUSY', 'REFUSED', 'BLACKLISTED_NUMBER'];

const sms = (status: string) => ({ channel: 'sms', message_id: 'sms_6790c0e4d6b7c', list_name: '', number: '+33600112233', status, unit_price: 0.5, delivery_date: '2025-01-22 11:46:06', meta_data: {} });

describe('Octopush delivery reports', () => {
  it('map every status the three sources document, and only those', () => {
    const documented = [...new Set([...RDM, ...DEV, ...VOICE])].sort();
    expect(Object.keys(OCTOPUSH_REPORT_STATUSES).sort()).toEqual(documented);
    for (const status of documented) {
      const [event] = octopushReports.parse(sms(status));
      expect(event!.unmapped, status).toBeUndefined();
      expect(DELIVERY_STATUSES).toContain(event!.status);
    }
  });

  it("read the RDM SMS example as the message of its ticket to its number: the ticket is the send's, shared by every recipient", () => {
    expect(octopushReports.parse(sms('DELIVERED'))).toEqual([
      { vendor: 'octopush', messageId: 'sms_6790c0e4d6b7c#+33600112233', status: 'delivered', final: true, raw: { status: 'DELIVERED' }, at: '2025-01-22T11:46:06.000Z', channel: 'sms', price: { amount: 0.5 }, to: '+33600112233' },
    ]);
  });

  it('read the reports of two recipients of one send as two messages', () => {
    const [a] = octopushReports.parse(sms('DELIVERED'));
    const [b] = octopushReports.parse({ ...sms('NOT_DELIVERED'), number: '+33600112234' });
    expect(a!.messageId).not.toBe(b!.messageId);
    expect([a!.messageId.split('#')[0], b!.messageId.split('#')[0]]).toEqual(['sms_6790c0e4d6b7c', 'sms_6790c0e4d6b7c']);
  });

  it('read an e-mail report as one message per address, every status of its history included', () => {
    const events = octopushReports.parse({
      channel: 'email',
      message_id: 'email_1',
      list_name: 'news',
      meta_data: { template_name: 'june' },
      deliveries: [
        { email: 'a@example.com', status: 'OPENED', unit_price: 0.0015, delivery_date: '2025-01-22 11:50:00', status_history: [{ status: 'ISP_SEND', delivery_date: '2025-01-22 11:46:01' }, { status: 'DELIVERED', delivery_date: '2025-01-22 11:46:06' }] },
        { email: 'b@example.com', status: 'SPAM_PRESUMPTION', delivery_date: '2025-01-22 11:46:09' },
      ],
    });
    expect(events.map((e) => [e.messageId, e.status, e.to])).toEqual([
      ['email_1#a@example.com', 'sent', 'a@example.com'],
      ['email_1#a@example.com', 'delivered', 'a@example.com'],
      ['email_1#a@example.com', 'delivered', 'a@example.com'],
      ['email_1#b@example.com', 'undelivered', 'b@example.com'],
    ]);
  });

  it('flag an undocumented status as unmapped and refuse a report without its ticket', () => {
    expect(octopushReports.parse(sms('LOST'))[0]).toMatchObject({ status: 'unknown', unmapped: true });
    expect(() => octopushReports.parse({ status: 'DELIVERED' })).toThrow(InvalidReportError);
    expect(() => octopushReports.parse({ message_id: 'sms_1' })).toThrow(/at status/);
  });
});
