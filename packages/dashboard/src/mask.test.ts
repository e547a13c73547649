import { describe, expect, it } from 'vitest';
import { maskDeep, maskNumber, maskText } from './mask';

describe('masking phone numbers', () => {
  it('keeps the country code, the first two digits and the last three', () => {
    expect(maskNumber('+447400123456')).toBe('+44 74•• •••456');
    expect(maskNumber('+12025550123')).toBe('+1 20•• •••123');
    expect(maskNumber('+33612345678')).toBe('+33 61•• ••678');
    expect(maskNumber('+35312345678')).toBe('+353 12•• •678');
    expect(maskNumber('+4915123456789')).toBe('+49 15•• ••••789');
  });

  it('never shows more than five digits of the number itself, short or not E.164', () => {
    expect(maskNumber('+6821234')).toBe('+682 ••34');
    expect(maskNumber('447400123456')).toBe('•••••••••456');
    expect(maskNumber('12')).toBe('••');
    for (const n of ['+447400123456', '+12025550123', '+35312345678', '+6821234', '+4915123456789']) {
      const [code, ...rest] = maskNumber(n).slice(1).split(' ');
      expect(n.startsWith(`+${code}`)).toBe(true);
      expect(rest.join('').replace(/\D/g, '').length).toBeLessThanOrEqual(5);
    }
  });

  it('masks numbers quoted inside a text and every string of a JSON value', () => {
    expect(maskText('Invalid destination 447400123456 in batch 7')).toBe('Invalid destination •••••••••456 in batch 7');
    expect(maskText('to +44 7400 123456 failed')).toBe('to +44 74•• •••456 failed');
    expect(maskDeep({ recipients: ['+447400123456'], index: 12345678, message: { text: 'Hi' } })).toEqual({ recipients: ['+44 74•• •••456'], index: 12345678, message: { text: 'Hi' } });
  });
});
