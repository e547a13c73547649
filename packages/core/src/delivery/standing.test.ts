import { describe, expect, it } from 'vitest';
import { compareMessageReports, recipientStanding, type MessageReport } from './standing';

const r = (vendor: string, messageId: string, status: MessageReport['status'], at?: string, raw: MessageReport['raw'] = { status: status.toUpperCase() }): MessageReport => ({
  vendor,
  messageId,
  status,
  final: ['delivered', 'undelivered', 'expired', 'rejected', 'failed'].includes(status),
  raw,
  ...(at !== undefined && { at }),
});
const answer = (input: Parameters<typeof recipientStanding>[0]) => {
  const s = recipientStanding(input);
  return s && [s.state, s.reason, s.report?.messageId, s.deliveredTwiceBy.join(' ')];
};

describe('where a recipient stands by its reports and lookups (one rule for msgkit report, the queue and the dashboard)', () => {
  it('says nothing where no report of the holder and no lookup of it says anything', () => {
    expect(recipientStanding({ reports: [] })).toBeUndefined();
    expect(recipientStanding({ reports: [r('a', '1', 'undelivered')], holder: 'b' })).toBeUndefined();
    expect(recipientStanding({ reports: [], holder: 'b', lookup: { outcome: 'unknown', reason: 'lookup_failed', sender: 'a' } })).toBeUndefined();
  });

  it("takes a final report first, then a lookup proving nothing was sent, then one that could not tell, then a report that is not final", () => {
    expect(answer({ reports: [r('a', '1', 'sent')], lookup: { outcome: 'not_sent' } })).toEqual(['failed', 'not_sent: the vendor proves it never sent it (resendable)', undefined, '']);
    expect(answer({ reports: [r('a', '1', 'undelivered', undefined, { status: 'UNDELIVERABLE', code: 34, error: 'absent' })], lookup: { outcome: 'not_sent' } })).toEqual(['failed', 'UNDELIVERABLE 34 absent', '1', '']);
    expect(answer({ reports: [r('a', '1', 'sent')], lookup: { outcome: 'unknown', reason: 'lookup_failed' } })).toEqual(['unknown', 'lookup_failed', '1', '']);
    expect(answer({ reports: [r('a', '1', 'sent'), r('a', '2', 'accepted')] })).toEqual(['pending', 'no final report yet', '1', '']);
    // A final `unknown` says no final state.
    expect(answer({ reports: [{ ...r('a', '1', 'unknown'), final: true }] })).toEqual(['pending', 'no final report yet', '1', '']);
  });

  it('lets the holder decide, counts a delivered of any vendor that sent it, and ignores a lookup of another vendor', () => {
    expect(answer({ reports: [r('a', '1', 'undelivered'), r('b', '2', 'sent')], holder: 'b' })).toEqual(['pending', 'no final report yet', '2', '']);
    expect(answer({ reports: [r('a', '1', 'delivered'), r('b', '2', 'undelivered')], holder: 'b' })).toEqual(['delivered', 'DELIVERED', '1', '']);
    expect(answer({ reports: [r('b', '2', 'sent')], holder: 'b', lookup: { outcome: 'unknown', reason: 'lookup_failed', sender: 'a' } })).toEqual(['pending', 'no final report yet', '2', '']);
    expect(answer({ reports: [r('b', '2', 'sent')], holder: 'b', lookup: { outcome: 'unknown', reason: 'lookup_failed', sender: 'b' } })).toEqual(['unknown', 'lookup_failed', '2', '']);
  });

  it('counts a recipient delivered twice when two vendors reported it delivered, naming those other than the holder', () => {
    expect(answer({ reports: [r('a', '1', 'delivered'), r('b', '2', 'delivered')], holder: 'b' })).toEqual(['delivered', 'DELIVERED', '2', 'a']);
    expect(answer({ reports: [r('a', '1', 'delivered'), r('b', '2', 'delivered'), r('c', '3', 'sent')], holder: 'c' })).toEqual(['delivered', 'DELIVERED', '2', 'a b']);
    // Two messages of one vendor delivered are one vendor's.
    expect(answer({ reports: [r('a', '1', 'delivered'), r('a', '2', 'delivered')], holder: 'a' })?.[3]).toBe('');
  });

  it("picks of two final negative reports the vendor's later one, whatever order they come in", () => {
    const early = r('a', '1', 'expired', '2026-12-07T10:00:00Z');
    const late = r('a', '2', 'undelivered', '2026-12-07T11:00:00Z');
    for (const reports of [[early, late], [late, early]]) expect(answer({ reports })).toEqual(['failed', 'UNDELIVERED', '2', '']);
    expect(compareMessageReports(late, early)).toBeGreaterThan(0);
    expect(compareMessageReports(r('a', '1', 'sent'), r('a', '1', 'accepted', '2030-01-01T00:00:00Z'))).toBeGreaterThan(0);
  });
});
