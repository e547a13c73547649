import { countSegmentsFor } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { billing } from './index';

describe('The SMS Works billing facts', () => {
  it('bills up to 160 GSM characters as one credit and 153-character parts after that', () => {
    expect(countSegmentsFor(billing, 'a'.repeat(160)).segments).toBe(1);
    expect(countSegmentsFor(billing, 'a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(countSegmentsFor(billing, 'é'.repeat(306)).segments).toBe(2);
  });

  it('counts 70 characters a part once a character is outside GSM, with no national table', () => {
    expect(countSegmentsFor(billing, 'ş'.repeat(70), { language: 'tr' })).toMatchObject({ encoding: 'UCS-2', segments: 1, ignoredLanguage: 'tr' });
    expect(countSegmentsFor(billing, 'ş'.repeat(71)).segments).toBe(2);
  });
});
