import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { oracle } from './national-oracle';
import { countSegments, splitSegments } from './segments';
import { ucs2Shape } from './ucs2';

// Short SMS-like sentences written for msgkit (testdata/*.txt, 100 a language); a message here is
// two consecutive ones (about 112 characters). `pnpm bench` prints the same measure for messages of
// one to five sentences. Measured: Turkish 1.06 parts with the tables against 2.07 in UCS-2
// (0.512), Portuguese 1.00 against 2.07 (0.483); the bounds below fail on any regression.
function messages(file: string, k = 2): string[] {
  const sentences = readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8').trim().split('\n');
  return sentences.map((_, i) => Array.from({ length: k }, (_, j) => sentences[(i + j) % sentences.length]).join(' '));
}

describe('national tables on real sentences', () => {
  it.each([
    ['turkish.txt', 'tr', 0.52],
    ['portuguese.txt', 'pt', 0.49],
  ] as const)('sends the messages of %s in about half the parts UCS-2 needs, never in more', (file, language, bound) => {
    const texts = messages(file);
    const national = texts.map((t) => countSegments(t, { language }).segments);
    const ucs2 = texts.map((t) => ucs2Shape(t).segments);
    expect(national.filter((n, i) => n > ucs2[i]!)).toEqual([]);
    expect(national.reduce((a, b) => a + b) / ucs2.reduce((a, b) => a + b)).toBeLessThanOrEqual(bound);
  });

  it.each([
    ['turkish.txt', 'tr'],
    ['portuguese.txt', 'pt'],
  ] as const)('counts every message of one to five sentences of %s as the oracle does, which tries every pair of the language tables and UCS-2', (file, language) => {
    // The bench's messages: a Turkish one in UCS-2 holds a character no Turkish table has (â).
    const differ: string[] = [];
    for (let k = 1; k <= 5; k++) {
      for (const text of messages(file, k)) {
        const c = countSegments(text, { language });
        const ours = { encoding: c.encoding, units: c.units, segments: c.segments, perSegment: c.perSegment, remaining: c.remaining, lockingShift: c.national!.lockingShift, singleShift: c.national!.singleShift, parts: splitSegments(text, { language }) };
        if (!isDeepStrictEqual(ours, oracle(text, language))) differ.push(text);
      }
    }
    expect(differ).toEqual([]);
  });
});
