import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { countSegmentsFor, type SmsBilling } from './billing';
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

  it('keeps nothing per vendor billing once the billing is dropped, however many were counted with', async () => {
    // Each billing with its own double-counted characters is a profile of its own; a table kept
    // per profile (128 KiB each) for ever would grow with every billing a caller builds.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const billing = (k: number): SmsBilling => ({
      vendor: `v${k}`,
      nationalLanguages: { tr: ['single', 'locking', 'single+locking'] },
      parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
      doubleCounted: '@',
      credits: 'one per part',
      textRules: [],
      sources: [],
    });
    countSegmentsFor(billing(-1), 'warm up я', { language: 'tr' });
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let k = 0; k < 100; k++) expect(countSegmentsFor(billing(k), `я ${k}`, { language: 'tr' }).nonGsm).toEqual(['я']);
    // A collected table's memory is given back by V8's sweeper, which may run after gc() returns
    // (CI once saw all 100 still counted right after it): collect again, between turns of the event
    // loop, up to 50 times. A table still held is never given back, and fails as before.
    let grown = Number.POSITIVE_INFINITY;
    for (let turn = 0; turn < 50 && grown >= 4 * 1024 * 1024; turn++) {
      gc();
      grown = process.memoryUsage().arrayBuffers - before;
      if (grown >= 4 * 1024 * 1024) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });
});
