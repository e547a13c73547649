import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { GSM_ALPHABET } from './gsm7';
import { NATIONAL_LANGUAGES } from './national-count';
import { oracle } from './national-oracle';
import { NATIONAL_TABLES, type NationalLanguage } from './national-tables';
import { countSegments, splitSegments } from './segments';

const HOLE = '\uffff';
const members = (table: string) => [...table].filter((c) => c !== HOLE);

/** Characters of each kind for a language, to build texts that sit on every table's boundaries. */
function kinds(language: NationalLanguage) {
  const t = NATIONAL_TABLES[language];
  const locking = 'locking' in t ? members(t.locking) : [];
  const single = members(t.single);
  const basic = [...GSM_ALPHABET.basic];
  const ext = [...GSM_ALPHABET.extension];
  const pick = (list: string[], ...not: string[][]) => list.find((c) => not.every((other) => !other.includes(c)));
  return {
    common: pick([...'aeo '], []) ?? 'a',
    lockingOnly: pick(locking, basic, single, ext),
    singleOnly: pick(single, basic, locking, ext),
    basicOnly: pick(basic, locking, single),
    extension: pick(ext, locking),
  };
}

function ours(text: string, language: NationalLanguage, shifts?: readonly ('single' | 'locking' | 'single+locking')[]) {
  const count = countSegments(text, shifts ? { language, shifts } : { language });
  return {
    encoding: count.encoding,
    units: count.units,
    segments: count.segments,
    perSegment: count.perSegment,
    remaining: count.remaining,
    lockingShift: count.national!.lockingShift,
    singleShift: count.national!.singleShift,
    parts: splitSegments(text, shifts ? { language, shifts } : { language }),
  };
}

/** Texts around every capacity the headers leave (146 … 160 septets, 1 to 3 parts), each kind of character at the edges. */
function boundaryTexts(language: NationalLanguage): string[] {
  const k = kinds(language);
  const specials = [k.lockingOnly, k.singleOnly, k.basicOnly, k.extension].filter((c): c is string => c !== undefined);
  const texts: string[] = [];
  const lengths = new Set<number>();
  for (const cap of [146, 149, 152, 153, 155, 160]) for (const parts of [1, 2, 3]) for (const d of [-1, 0, 1]) lengths.add(cap * parts + d);
  for (const n of lengths) {
    if (n <= 0) continue;
    texts.push(k.common.repeat(n));
    for (const s of specials) {
      texts.push(s + k.common.repeat(n - 1));
      texts.push(k.common.repeat(n - 1) + s);
      texts.push(k.common.repeat(Math.max(0, n - 2)) + s + k.common);
      for (const t of specials) if (t !== s) texts.push(s + k.common.repeat(Math.max(0, n - 2)) + t);
    }
    // UCS-2 around 70 / 67 units, with a pair straddling the edge.
    if (n < 210) texts.push('😀' + k.common.repeat(Math.max(0, n - 2)), k.common.repeat(Math.max(0, n - 1)) + '😀');
  }
  // Every septet of a table at once, so every character of it is counted.
  const t = NATIONAL_TABLES[language];
  texts.push(members(t.single).join(''), 'locking' in t ? members(t.locking).join('') : '');
  return texts;
}

describe('national language tables against an independent oracle', () => {
  it.each(NATIONAL_LANGUAGES)('agrees with the oracle on every boundary length of %s, for each set of shifts a vendor may allow', (language) => {
    let disagreements = 0;
    let checked = 0;
    const shiftSets = [undefined, ['single'], ['locking'], ['single', 'locking']] as const;
    for (const text of boundaryTexts(language)) {
      for (const shifts of shiftSets) {
        checked++;
        const expected = oracle(text, language, shifts ?? ['single', 'locking', 'single+locking']);
        if (!isDeepStrictEqual(ours(text, language, shifts), expected)) disagreements++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(disagreements).toBe(0);
  });

  it('agrees with the oracle on random texts mixing every table of a language, emoji and lone surrogates', () => {
    const text = (language: NationalLanguage) => {
      const t = NATIONAL_TABLES[language];
      const alphabet = [...new Set([...members(t.single), ...('locking' in t ? members(t.locking) : []), ...GSM_ALPHABET.basic, ...GSM_ALPHABET.extension, 'ç', 'я', '😀', '\ud800'])];
      return fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 480 });
    };
    const language = fc.constantFrom(...NATIONAL_LANGUAGES);
    const details = fc.check(
      fc.property(language.chain((l) => fc.tuple(fc.constant(l), text(l))), ([l, t]) => isDeepStrictEqual(ours(t, l), oracle(t, l))),
      { numRuns: 1500 },
    );
    expect(details.failed, fc.defaultReportMessage(details) ?? '').toBe(false);
  });
});

describe('countSegments with a language', () => {
  it('leaves 155 septets to one part with one national table, 152 with both, 149 and 146 when concatenated', () => {
    expect(countSegments('ş'.repeat(155), { language: 'tr' })).toMatchObject({ segments: 1, perSegment: 155, remaining: 0, national: { lockingShift: true, singleShift: false } });
    expect(countSegments('ş'.repeat(156), { language: 'tr' })).toMatchObject({ segments: 2, perSegment: 149 });
    // Portuguese: ª only in the locking table, Φ only in the single shift table (next to a locking table).
    expect(countSegments('ª' + 'Φ' + 'a'.repeat(149), { language: 'pt' })).toMatchObject({ units: 152, segments: 1, perSegment: 152, national: { lockingShift: true, singleShift: true } });
    expect(countSegments('ª' + 'Φ' + 'a'.repeat(150), { language: 'pt' })).toMatchObject({ segments: 2, perSegment: 146 });
  });

  it("counts Infobip's documented Turkish example as one part, where UCS-2 needs two", () => {
    // infobip.com/docs/sms/language and the NLI announcement: a Turkish text sent with languageCode TR, smsCount 1.
    const text = 'Artık Ulusal Dil Tanımlayıcısı ile Türkçe karakterli smslerinizi rahatlıkla iletebilirsiniz.';
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(countSegments(text, { language: 'tr', shifts: ['single'] })).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments(text, { language: 'tr' })).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it("takes 152 characters with three Spanish Ú in one part, as Infobip's NLI page says", () => {
    // infobip.com/docs/essentials/api-essentials/national-language-shift: "If 3 such characters are used, the length reduces from 155 to 152 characters".
    expect(countSegments('ÚÚÚ' + 'a'.repeat(149), { language: 'es' })).toMatchObject({ segments: 1, remaining: 0, national: { singleShift: true, lockingShift: false } });
    expect(countSegments('ÚÚÚ' + 'a'.repeat(150), { language: 'es' })).toMatchObject({ segments: 2 });
  });

  it('makes GSM-7 of every character each table adds for Turkish, Spanish and Portuguese (NowSMS lists)', () => {
    const adds = { tr: 'ĞğŞşİıç', es: 'çÁÍÓÚáíóú', pt: 'ÁÀÂÃªáàâãÉÊéêÍíÓÔÕºóôõÚÜúü`ç∞' } as const;
    for (const [language, chars] of Object.entries(adds)) {
      for (const char of chars) expect(countSegments(char, { language: language as NationalLanguage }).encoding, `${language} ${char}`).toBe('GSM-7');
    }
  });

  it('keeps the default alphabet when it is as cheap, and UCS-2 when no table holds a character', () => {
    expect(countSegments('hello', { language: 'tr' })).toMatchObject({ perSegment: 160, national: { language: 'tr', lockingShift: false, singleShift: false } });
    expect(countSegments('ğ я', { language: 'tr' })).toMatchObject({ encoding: 'UCS-2', nonGsm: ['я'] });
  });

  it('keeps GSM-7 where every character is an escape, as 73 characters a part still beat UCS-2', () => {
    // Hindi with Latin capitals: each capital is an escape in the only scheme that also has क.
    const text = 'ABCDEFGHIJ'.repeat(21) + 'क';
    expect(countSegments(text, { language: 'hi' })).toMatchObject({ encoding: 'GSM-7', units: 421, segments: 3, perSegment: 146, national: { lockingShift: true, singleShift: true } });
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 4 });
  });

  it('never uses a table the caller did not allow', () => {
    expect(countSegments('ı'.repeat(10), { language: 'tr', shifts: ['single'] }).units).toBe(20);
    expect(countSegments('ı'.repeat(10), { language: 'tr', shifts: [] }).encoding).toBe('UCS-2');
  });

  it('answers exactly as before when no language is given', () => {
    // Seeded code units of every range: ASCII, the default alphabet's Greek, national scripts, surrogates.
    let seed = 17;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const texts = Array.from({ length: 300 }, () => String.fromCharCode(...Array.from({ length: Math.floor(next() * 400) }, () => (next() < 0.7 ? 32 + Math.floor(next() * 95) : Math.floor(next() * 0x10000)))));
    texts.push('', 'ş', 'a'.repeat(161), '€'.repeat(80));
    const differ = texts.filter(
      (text) => !isDeepStrictEqual(countSegments(text, {}), countSegments(text)) || 'national' in countSegments(text) || !isDeepStrictEqual(splitSegments(text, {}), splitSegments(text)),
    );
    expect(differ).toEqual([]);
  });

  it('refuses an unknown language or shift with a ValidationError naming the option', () => {
    for (const options of [{ language: 'xx' }, { language: 'tr', shifts: ['both'] }, { language: 'tr', shifts: 'single' }]) {
      let thrown: unknown;
      try {
        countSegments('a', options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).issues[0]!.path[0]).toBe('options');
    }
  });
});
