import { countSegmentsFor } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { billing } from './index';

describe('SMS.CX billing facts', () => {
  it('counts the transliteration example of its docs: "Bună ziua Ana" is UCS-2, "Buna ziua Ana" GSM-7, one part each', () => {
    expect(countSegmentsFor(billing, 'Bună ziua Ana')).toMatchObject({ encoding: 'UCS-2', segments: 1, units: 13 });
    expect(countSegmentsFor(billing, 'Buna ziua Ana')).toMatchObject({ encoding: 'GSM-7', segments: 1, units: 13 });
  });

  it('fits its documented maximum of 1530 GSM characters in its 10 parts, and assumes no national table', () => {
    expect(billing.maxCharacters! / billing.parts.gsm7.multi).toBe(billing.maxParts);
    expect(countSegmentsFor(billing, 'a'.repeat(1530)).segments).toBe(10);
    expect(countSegmentsFor(billing, 'ı', { language: 'tr' })).toMatchObject({ encoding: 'UCS-2', ignoredLanguage: 'tr' });
  });
});
