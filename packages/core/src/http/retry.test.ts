import { describe, expect, it } from 'vitest';
import { RETRY_AFTER_MAX_MS, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS, backoffDelayMs, retryAfterMs } from './retry';

const now = Date.parse('2026-11-23T12:00:00Z');

describe('retryAfterMs', () => {
  it('reads Retry-After given in seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
  });

  it('reads Retry-After given as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon, 23 Nov 2026 12:00:05 GMT' }), now)).toBe(5000);
  });

  it('reads the SMS.CX X-Rate-Limit-Reset Unix timestamp', () => {
    expect(retryAfterMs(new Headers({ 'x-rate-limit-reset': String(now / 1000 + 7) }), now)).toBe(7000);
  });

  it('prefers Retry-After over X-Rate-Limit-Reset and never returns a negative wait', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT', 'x-rate-limit-reset': '1' }), now)).toBe(0);
  });

  it('returns undefined when the vendor asked for nothing or sent garbage', () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });

  it.each(['-5', '1e9', 'abc', '+3', '3s', '0x10', 'Infinity', '2026-11-23', '12:00:05'])('ignores Retry-After %j rather than reading it as a date', (value) => {
    expect(retryAfterMs(new Headers({ 'retry-after': value }), now)).toBeUndefined();
  });

  it('reads the other two HTTP date forms and a decimal number of seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': 'Monday, 23-Nov-26 12:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon Nov 23 12:00:05 2026' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }), now)).toBe(1500);
  });

  it('keeps a huge wait finite and above the cap, so it is handed to the caller', () => {
    for (const value of ['9'.repeat(400), '99999999999999999999']) {
      const wait = retryAfterMs(new Headers({ 'retry-after': value }), now)!;
      expect(Number.isFinite(wait)).toBe(true);
      expect(wait).toBeGreaterThan(RETRY_AFTER_MAX_MS);
    }
    expect(Number.isFinite(retryAfterMs(new Headers({ 'x-rate-limit-reset': '9'.repeat(400) }), now))).toBe(true);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially from the base and stays under the cap, with jitter inside each step', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(RETRY_BASE_DELAY_MS / 2);
    expect(backoffDelayMs(0, () => 1)).toBe(RETRY_BASE_DELAY_MS);
    expect(backoffDelayMs(2, () => 1)).toBe(RETRY_BASE_DELAY_MS * 4);
    expect(backoffDelayMs(30, () => 1)).toBe(RETRY_MAX_DELAY_MS);
  });
});
