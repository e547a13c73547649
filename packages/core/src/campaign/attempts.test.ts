import { describe, expect, it } from 'vitest';
import { JournalMismatchError } from '../errors';
import { attemptDedupeKey, planChain, type FailoverAttempt } from './attempts';

const batch = ['+1', '+2'];
const refused = { status: 'refused' as const, failover: true as const, class: 'authentication' as const, code: 'authentication_error', message: 'm' };

describe('attemptDedupeKey', () => {
  it('keeps the batch key for the first vendor sending the whole batch, and binds sender and recipients otherwise', () => {
    expect(attemptDedupeKey('k', 'a', batch, true)).toBe('k');
    const key = attemptDedupeKey('k', 'b', batch, false);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attemptDedupeKey('k', 'b', batch, false)).toBe(key);
    expect(new Set([key, attemptDedupeKey('k', 'c', batch, false), attemptDedupeKey('k', 'b', ['+1'], false), attemptDedupeKey('k2', 'b', batch, false)]).size).toBe(4);
  });
});

describe('planChain', () => {
  it('asks the first vendor for the whole batch when nothing is recorded', () => {
    expect(planChain(['a', 'b'], [false, false], batch, []).next).toEqual({ sender: 0, recipients: batch });
  });

  it('asks the next vendor only for what the previous one refused with proof', () => {
    const attempts: FailoverAttempt[] = [{ batch: 0, attempt: 0, sender: 'a', recipients: batch, outcome: { status: 'sent', ids: ['x'], refused: [{ to: '+2', failover: true, class: 'no_route', code: 'NO COVERAGE' }] } }];
    const plan = planChain(['a', 'b'], [false, false], batch, attempts);
    expect(plan.next).toEqual({ sender: 1, recipients: ['+2'] });
    expect(plan.states.get('+1')).toEqual({ status: 'sent', sender: 'a', attempt: 0, id: 'x' });
  });

  it('calls a recipient refused by the last vendor of the chain refused, with nothing left to send', () => {
    const attempts: FailoverAttempt[] = [
      { batch: 0, attempt: 0, sender: 'a', recipients: batch, outcome: refused },
      { batch: 0, attempt: 1, sender: 'b', recipients: batch, outcome: refused },
    ];
    const plan = planChain(['a', 'b'], [true, true], batch, attempts);
    expect(plan.next).toBeUndefined();
    expect([...plan.states.values()]).toEqual([{ status: 'refused' }, { status: 'refused' }]);
  });

  it('refuses a record that sends a recipient out of the chain order, or resends one that was not unknown', () => {
    const outOfOrder: FailoverAttempt[] = [{ batch: 0, attempt: 0, sender: 'b', recipients: batch, outcome: refused }];
    expect(() => planChain(['a', 'b'], [false, false], batch, outOfOrder)).toThrow(JournalMismatchError);
    const resendOfSent: FailoverAttempt[] = [
      { batch: 0, attempt: 0, sender: 'a', recipients: batch, dedupeKey: 'k', outcome: { status: 'sent', ids: ['x'] } },
      { batch: 0, attempt: 1, sender: 'a', recipients: batch, dedupeKey: 'k', resendOf: 0 },
    ];
    expect(() => planChain(['a', 'b'], [true, false], batch, resendOfSent)).toThrow(JournalMismatchError);
    const gap: FailoverAttempt[] = [{ batch: 0, attempt: 1, sender: 'a', recipients: batch }];
    expect(() => planChain(['a'], [false], batch, gap)).toThrow(JournalMismatchError);
  });

  it('resends an unknown attempt only at a vendor that deduplicates, only with its key, and only its very recipients', () => {
    const unknown: FailoverAttempt = { batch: 0, attempt: 0, sender: 'a', recipients: batch, dedupeKey: 'k' };
    expect(planChain(['a', 'b'], [true, false], batch, [unknown]).next).toEqual({ sender: 0, recipients: batch, resendOf: unknown });
    expect(planChain(['a', 'b'], [false, false], batch, [unknown]).next).toBeUndefined();
    expect(planChain(['a', 'b'], [true, false], batch, [{ ...unknown, dedupeKey: undefined }] as FailoverAttempt[]).next).toBeUndefined();
    expect(planChain(['a', 'b'], [true, false], batch, [unknown], new Set([0])).next).toBeUndefined();
  });
});
