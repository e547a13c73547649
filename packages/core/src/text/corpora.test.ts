import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countSegments } from './segments';
import { ucs2Shape } from './ucs2';

// Short SMS-like sentences written for msgkit (testdata/*.txt, 100 a language); a message here is
// two consecutive ones (about 112 characters). `pnpm bench` prints the same measure for messages of
// one to five sentences. Measured: Turkish 1.06 parts with the tables against 2.07 in UCS-2
// (0.512), Portuguese 1.00 against 2.07 (0.483); the bounds below fail on any regression.
function messages(file: string): string[] {
  const sentences = readFileSync(new URL(`./testdata/${file}`, import.meta.url), 'utf8').trim().split('\n');
  return sentences.map((s, i) => `${s} ${sentences[(i + 1) % sentences.length]}`);
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
});
