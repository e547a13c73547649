// The phone API as users import it: the BUILT package by its name, default (min) and max entries
// (run `pnpm --filter @msgkit/core build` first; turbo's test task depends on build).
import * as core from '@msgkit/core';
import * as max from '@msgkit/core/max';
import { describe, expect, it } from 'vitest';

describe.each([
  ['@msgkit/core', core],
  ['@msgkit/core/max', max],
])('%s', (_, entry) => {
  it('keeps a US number written the US way as the US number, with its Belizean reading named', () => {
    expect(entry.normalizePhone('501-610-4727', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+15016104727', country: 'US', alternative: '+5016104727' });
  });

  it('refuses a US number written the US way under DE or GB', () => {
    expect(entry.normalizePhone('(617) 680-8480', { defaultCountry: 'DE' })).toMatchObject({ ok: false });
    expect(entry.normalizePhone('(646) 555-0199', { defaultCountry: 'GB' })).toMatchObject({ ok: false });
  });

  it('throws its own ValidationError class for a number passed as a number', () => {
    expect(() => entry.normalizePhone(4915128403420 as unknown as string)).toThrow(entry.ValidationError);
    expect(() => entry.normalizeRecipients('+4915128403420' as unknown as string[])).toThrow(entry.ValidationError);
  });

  it('lists second readings of a list', () => {
    expect(entry.normalizeRecipients(['2015678404'], { defaultCountry: 'US' }).alternatives).toEqual([
      { index: 0, input: '2015678404', e164: '+12015678404', alternative: '+2015678404' },
    ]);
  });
});

describe('number type by entry', () => {
  it('is known for a German mobile with max metadata only', () => {
    expect(max.normalizePhone('0151 28403420', { defaultCountry: 'DE' })).toMatchObject({ type: 'MOBILE' });
    expect(core.normalizePhone('0151 28403420', { defaultCountry: 'DE' })).not.toHaveProperty('type');
  });

  it('is known for a US number with both', () => {
    expect(core.normalizePhone('(201) 555-0123', { defaultCountry: 'US' })).toMatchObject({ type: 'FIXED_LINE_OR_MOBILE' });
    expect(max.normalizePhone('(201) 555-0123', { defaultCountry: 'US' })).toMatchObject({ type: 'FIXED_LINE_OR_MOBILE' });
  });
});
