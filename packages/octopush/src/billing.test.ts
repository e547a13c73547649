import { countSegmentsFor } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { billing } from './index';

describe('Octopush billing facts', () => {
  it('counts the characters Octopush bills twice as two, where GSM 03.38 counts one', () => {
    expect(countSegmentsFor(billing, '@'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegmentsFor(billing, '@'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
    expect(countSegmentsFor(billing, 'a&b$c\nd')).toMatchObject({ units: 10 });
    expect(countSegmentsFor(billing, 'tab\there ¨')).toMatchObject({ encoding: 'GSM-7', units: 12 });
  });

  it('counts the STOP mention as part of the text, and assumes no national table', () => {
    const text = 'Soldes -50% ce week-end. STOP au XXXXX';
    expect(countSegmentsFor(billing, text).units).toBe(text.length);
    expect(countSegmentsFor(billing, 'Promoção', { language: 'pt' })).toMatchObject({ encoding: 'UCS-2', ignoredLanguage: 'pt' });
  });
});
