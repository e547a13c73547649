import { describe, expect, it } from 'vitest';
import { countSegments } from './index';
import { DEFAULT_WIDTHS } from './gsm7';
import { profileFor } from './national';
import { countDefault } from './segments';

describe('counting with the default alphabet alone', () => {
  it('uses the same widths as the national profile without a language', () => {
    expect(Array.from(DEFAULT_WIDTHS)).toEqual(Array.from(profileFor(undefined, 0).widths));
  });

  it('gives the answers countSegments gives without options', () => {
    for (const text of ['', 'hello', 'a€b{}', 'x'.repeat(161), 'é'.repeat(200), 'Привет 👋 мир 👋', '€'.repeat(80), '\f^[]'.repeat(50)]) {
      expect(countDefault(text)).toEqual(countSegments(text));
    }
  });
});
