import { describe, expect, it } from 'vitest';
import { ISSUE_CODES } from './codes';
import { issueMessages, messageFor } from './messages';

describe('issue messages', () => {
  it('has a message for every issue code', () => {
    const missing = ISSUE_CODES.filter((code) => typeof issueMessages[code] !== 'function');
    expect(missing).toEqual([]);
  });

  it('has no message for a code that does not exist', () => {
    expect(Object.keys(issueMessages).filter((code) => !(ISSUE_CODES as readonly string[]).includes(code))).toEqual([]);
  });

  it('renders every message as non-empty prose without undefined placeholders', () => {
    const params = { min: 1, max: 2, length: 3, count: 4, unit: 'seconds', chars: ['!'], channel: 'sms', allowed: ['sms'], expected: 'sms', protocols: ['https'], segments: 2, encoding: 'GSM-7', placeholder: '{{numbers:0}}', maxAheadDays: 180, field: 'text', reason: 'a getter threw', why: 'it would not be sent', at: 5, near: 'Hi {na', column: 'name' };
    for (const code of ISSUE_CODES) {
      const message = messageFor(code, params);
      expect(message.length, code).toBeGreaterThan(5);
      expect(message, code).not.toContain('undefined');
    }
  });
});
