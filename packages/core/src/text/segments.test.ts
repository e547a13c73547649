import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { GSM_ALPHABET } from './gsm7';
import { countSegments, type SegmentCount, splitSegments } from './segments';

const septets = (part: string) => [...part].reduce((n, c) => n + (GSM_ALPHABET.extension.includes(c) ? 2 : 1), 0);

describe('countSegments', () => {
  it('counts an empty text as zero segments with a whole segment free', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0, perSegment: 160, remaining: 160, nonGsm: [] });
  });

  it('fits 160 GSM-7 characters in one segment and needs two for 161', () => {
    expect(countSegments('a'.repeat(160))).toMatchObject({ segments: 1, perSegment: 160, remaining: 0 });
    expect(countSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 });
  });

  it('counts every extension character including the form feed as two septets', () => {
    expect(countSegments('\f^{}\\[~]|€')).toMatchObject({ encoding: 'GSM-7', units: 20, segments: 1 });
  });

  it('keeps the whole basic table in GSM-7', () => {
    expect(countSegments(GSM_ALPHABET.basic)).toMatchObject({ encoding: 'GSM-7', units: GSM_ALPHABET.basic.length, nonGsm: [] });
  });

  it('moves an escape pair to the next segment rather than splitting it', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    expect(countSegments(text)).toMatchObject({ units: 164, segments: 2, remaining: 141 });
    expect(splitSegments(text)).toEqual(['a'.repeat(152), '€' + 'b'.repeat(10)]);
  });

  it('switches to UCS-2 for one non-GSM character and reports it once', () => {
    expect(countSegments('ça ça')).toMatchObject({ encoding: 'UCS-2', units: 5, segments: 1, perSegment: 70, remaining: 65, nonGsm: ['ç'] });
  });

  it('lists distinct non-GSM characters in order of first appearance, emoji as whole code points', () => {
    expect(countSegments('Ωμέγα 😀 Ω 😀 ё').nonGsm).toEqual(['μ', 'έ', 'γ', 'α', '😀', 'ё']);
  });

  it('counts UCS-2 in UTF-16 code units with 70 for one segment and 67 per part', () => {
    expect(countSegments('я'.repeat(70))).toMatchObject({ segments: 1, units: 70, remaining: 0 });
    expect(countSegments('я'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67, remaining: 63 });
    expect(countSegments('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
  });

  it('never ends a UCS-2 part between the halves of a surrogate pair', () => {
    const text = 'я'.repeat(66) + '😀' + 'я';
    expect(countSegments(text)).toMatchObject({ units: 69, segments: 1 });
    const longer = 'я'.repeat(66) + '😀' + 'я'.repeat(10);
    expect(splitSegments(longer)).toEqual(['я'.repeat(66), '😀' + 'я'.repeat(10)]);
    expect(countSegments(longer)).toMatchObject({ segments: 2, remaining: 67 - 12 });
  });

  it('lists every astral code point once when a text holds all 1 048 576 of them, twice over', () => {
    const all: string[] = [];
    for (let cp = 0x10000; cp <= 0x10ffff; cp++) all.push(String.fromCodePoint(cp));
    const once = all.join('');
    // Each distinct character used to be looked up in a list of the ones seen so far, which for
    // 2^20 of them takes hours; a linear pass takes well under a second. A vitest timeout cannot
    // stop a synchronous loop, the vm watchdog can: it throws instead of hanging the run, at the
    // hang limit every test has (a loaded machine is not a failure; hours are).
    const count = runInNewContext('run()', { run: () => countSegments(once + once) }, { timeout: 900_000 }) as SegmentCount;
    expect(count.units).toBe(2 * 2 * 0x100000);
    expect(count.nonGsm.length).toBe(0x100000);
    expect(count.nonGsm[0]).toBe('\u{10000}');
    expect(count.nonGsm.at(-1)).toBe('\u{10ffff}');
    expect(count.nonGsm.join('')).toBe(once);
  });

  it('keeps nothing from the texts it has counted once they are dropped (no cache grows with them)', () => {
    // Every astral code point once; a per-process cache of the strings it reported used to keep
    // ~52 MiB for the life of the process after this.
    const all: string[] = [];
    for (let cp = 0x10000; cp <= 0x10ffff; cp++) all.push(String.fromCodePoint(cp));
    const text = all.join('');
    all.length = 0;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    countSegments('warm up \u{1F600} é');
    gc();
    const before = process.memoryUsage().heapUsed;
    expect(countSegments(text).nonGsm.length).toBe(0x100000);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(retained).toBeLessThan(8 * 1024 * 1024);
  });

  it('treats a lone surrogate as one non-GSM unit', () => {
    expect(countSegments('a\ud800b')).toMatchObject({ encoding: 'UCS-2', units: 3, nonGsm: ['\ud800'] });
  });
});

describe('input that is not a string', () => {
  const notStrings: [string, unknown][] = [
    ['a number', 123],
    ['null', null],
    ['undefined', undefined],
    ['an object', {}],
    ['an object with a length', { length: 3 }],
    ['an array of strings', ['a']],
    ['a String object', new String('abc')],
    ['a symbol', Symbol('text')],
    ['a bigint', 10n],
    ['a boolean', true],
  ];

  it.each(notStrings)(
    'refuses %s with a ValidationError naming the text, from countSegments and splitSegments alike',
    (_label, value) => {
      for (const fn of [countSegments, splitSegments] as ((text: unknown) => unknown)[]) {
        let thrown: unknown;
        try {
          fn(value);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ValidationError);
        expect((thrown as ValidationError).issues).toEqual([{ path: ['text'], code: 'invalid_type', message: 'must be a string' }]);
      }
    },
  );
});

/** Runs a fast-check property as one assertion, with the counterexample as the failure message. */
function holds<T>(property: fc.IProperty<T>, parameters?: fc.Parameters<T>): void {
  const details = fc.check(property, parameters);
  expect(details.failed, fc.defaultReportMessage(details) ?? '').toBe(false);
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.string({ unit: fc.constantFrom(...`${GSM_ALPHABET.basic}${GSM_ALPHABET.extension}`.split('')), maxLength: 800 }),
  fc.string({ unit: fc.constantFrom('a', '€', '{', 'я', '😀', '\u200d', '\ud83d', 'é', 'ç'), maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);

describe('nonGsm', () => {
  // Written apart from outside.ts: code points one by one (a lone surrogate is one of its own), a
  // list of the ones kept, no stamps.
  const reference = (text: string) => {
    const out: string[] = [];
    for (const c of text) if (!GSM_ALPHABET.basic.includes(c) && !GSM_ALPHABET.extension.includes(c) && !out.includes(c)) out.push(c);
    return out;
  };

  it('lists what a naive scan over code points lists, for any text', () => {
    holds(
      fc.property(anyText, (text) => {
        const count = countSegments(text);
        return isDeepStrictEqual(count.nonGsm, count.encoding === 'UCS-2' ? reference(text) : []);
      }),
      { numRuns: 3000 },
    );
  });

  it('lists every character again in each of 200 000 counts, across the wrap-around of its stamps', () => {
    // Stamps are 16-bit generations: one left over from before the wrap would hide a character in a
    // later count, at once for a frequent one, one whole cycle later for a rare one (0xfffe, 0xffff
    // or 0x10000 counts, as the generations run), so a rare pair comes back after each of those.
    const rare = new Set([1_000, 1_000 + 0xfffe, 1_000 + 0xffff, 1_000 + 0x10000, 1_000 + 2 * 0xfffe, 1_000 + 2 * 0xffff, 1_000 + 2 * 0x10000]);
    let wrong = 0;
    for (let k = 0; k < 200_000; k++) {
      const text = rare.has(k) ? 'я😺\ud83e' : k % 3 === 0 ? 'я😀\ud83d' : 'a я 😀';
      if (countSegments(text).nonGsm.length !== (rare.has(k) || k % 3 === 0 ? 3 : 2)) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('splitSegments properties', () => {
  it('joins back to the input', () => {
    holds(fc.property(anyText, (text) => splitSegments(text).join('') === text), { numRuns: 2000 });
  });

  it('returns as many parts as countSegments counts segments', () => {
    holds(fc.property(anyText, (text) => splitSegments(text).length === countSegments(text).segments), { numRuns: 2000 });
  });

  it('keeps every part within its limit and never ends one inside a surrogate pair', () => {
    holds(
      fc.property(anyText, (text) => {
        const { encoding, segments } = countSegments(text);
        const parts = splitSegments(text);
        const limit = encoding === 'GSM-7' ? (segments > 1 ? 153 : 160) : segments > 1 ? 67 : 70;
        return parts.every((part) => {
          const size = encoding === 'GSM-7' ? septets(part) : part.length;
          const last = part.charCodeAt(part.length - 1);
          const split = last >= 0xd800 && last <= 0xdbff && part !== parts.at(-1) && (text.charCodeAt(text.indexOf(part) + part.length) & 0xfc00) === 0xdc00;
          return size <= limit && !split;
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('counts units as the sum over the parts', () => {
    holds(
      fc.property(anyText, (text) => {
        const { encoding, units } = countSegments(text);
        const total = splitSegments(text).reduce((n, part) => n + (encoding === 'GSM-7' ? septets(part) : part.length), 0);
        return total === units;
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any string', () => {
    holds(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        countSegments(text);
        splitSegments(text);
      }),
    );
  });
});
