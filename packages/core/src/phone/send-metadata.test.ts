// The default entry's phone metadata (send-metadata.json, phone/metadata.ts): what the project's
// script derives from the installed libphonenumber-js, and the same answers as the library's min
// metadata it is derived from, on the bench's 25 000 inputs, on every country's numbers written
// the ways people write them, and on random numbers and text.
import fc from 'fast-check';
import examples from 'libphonenumber-js/mobile/examples';
import minMetadata from 'libphonenumber-js/min/metadata';
import { getCountries, parsePhoneNumberWithError, type CountryCode, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveSendMetadata, libraryMetadataPath, OUTPUT } from '../../scripts/send-metadata.mjs';
import { sendMetadata } from './metadata';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';

const min = minMetadata as MetadataJson;
const COUNTRIES = getCountries(min);

/** Every answer under both metadata, with the digit reader and through the library alone. */
function expectSameAnswers(inputs: readonly string[], defaultCountry: CountryCode | undefined): void {
  const options = { defaultCountry };
  for (const input of new Set(inputs)) {
    const expected = normalizePhoneWith(min, input, options);
    expect(normalizePhoneWith(sendMetadata, input, options), `${JSON.stringify(input)} under ${defaultCountry}`).toEqual(expected);
  }
  expect(normalizeRecipientsWith(sendMetadata, inputs, options)).toEqual(normalizeRecipientsWith(min, inputs, options));
}

function expectSameLibraryAnswers(inputs: readonly string[], defaultCountry: CountryCode | undefined): void {
  const options = { defaultCountry };
  for (const input of new Set(inputs)) {
    expect(normalizePhoneWith(sendMetadata, input, options, true), `${JSON.stringify(input)} under ${defaultCountry}, library alone`).toEqual(
      normalizePhoneWith(min, input, options, true),
    );
  }
}

describe('the default entry’s phone metadata', () => {
  it('is what scripts/send-metadata.mjs derives from the installed libphonenumber-js min metadata', () => {
    const library = JSON.parse(readFileSync(libraryMetadataPath(), 'utf8'));
    expect(readFileSync(OUTPUT, 'utf8')).toBe(deriveSendMetadata(library));
  });

  it('keeps an empty format list empty, which plan.ts reads as no answer, rather than answering for every number', () => {
    // Not in today's metadata; a country with a trunk prefix, no number types and no formats.
    const library = { version: 4, country_calling_codes: { '999': ['XX'] }, countries: { XX: ['999', '00', '\\d{6}', [6], [], '0'] }, nonGeographic: {} };
    expect(JSON.parse(deriveSendMetadata(library)).countries.XX[4]).toEqual([]);
  });

  it('is smaller than the min metadata it comes from', () => {
    expect(JSON.stringify(sendMetadata).length).toBeLessThan(JSON.stringify(min).length * 0.7);
  });

  it('answers the bench’s 25 000 inputs as min metadata does, under each list’s country and under none', async () => {
    // The bench's seeded set (tools/bench/src/data-phones.mjs), imported by path: it is not a package.
    const data = new URL('../../../../tools/bench/src/data-phones.mjs', import.meta.url).href;
    const { phoneLists } = (await import(data)) as { phoneLists(total?: number): { country: CountryCode; inputs: string[] }[] };
    const lists = phoneLists(25_000);
    expect(lists.reduce((sum, list) => sum + list.inputs.length, 0)).toBe(25_000);
    for (const list of lists) {
      expectSameAnswers(list.inputs, list.country);
      expectSameAnswers(list.inputs, undefined);
      expectSameLibraryAnswers(list.inputs.slice(0, 200), list.country);
    }
  });

  it('answers every country’s numbers, under every country, as min metadata does', () => {
    const WRITINGS: Array<(p: PhoneNumber) => string> = [
      (p) => p.formatNational(),
      (p) => p.formatNational().replace(/^0/, ''),
      (p) => p.formatNational().replace(/[\s-]+/g, '.'),
      (p) => p.formatNational().replace(/\D/g, ''),
      (p) => p.formatInternational().slice(1),
      (p) => p.nationalNumber,
      (p) => `${p.nationalNumber.slice(0, 3)}-${p.nationalNumber.slice(3, 6)}-${p.nationalNumber.slice(6)}`,
      (p) => `(${p.nationalNumber.slice(0, 3)}) ${p.nationalNumber.slice(3)}`,
      (p) => `${p.nationalNumber.slice(0, 2)} ${p.nationalNumber.slice(2, 6)} ${p.nationalNumber.slice(6)}`,
      (p) => `${p.nationalNumber.slice(0, 4)} ${p.nationalNumber.slice(4)}`,
    ];
    const numbers = new Map<CountryCode, PhoneNumber[]>();
    for (const country of COUNTRIES) {
      const example = examples[country];
      const made: PhoneNumber[] = [];
      for (const tail of example ? ['', '0000', '7391', '55'] : []) {
        try {
          made.push(parsePhoneNumberWithError(example!.slice(0, example!.length - tail.length) + tail, { defaultCountry: country }, min));
        } catch {
          // an example too short to vary
        }
      }
      numbers.set(country, made);
    }
    let compared = 0;
    COUNTRIES.forEach((defaultCountry, at) => {
      const list: string[] = [];
      COUNTRIES.forEach((country, index) => {
        // Its own numbers, and a rotating share of every other country's.
        if (country !== defaultCountry && index % 16 !== at % 16) return;
        for (const phone of numbers.get(country)!) for (const write of WRITINGS) list.push(write(phone));
      });
      expectSameAnswers(list, defaultCountry);
      compared += list.length;
    });
    expect(compared).toBeGreaterThan(100_000);
  });

  it('answers random digits grouped at random, under any country, as min metadata does', () => {
    const grouped = fc
      .record({
        country: fc.constantFrom(...COUNTRIES.filter((country) => examples[country])),
        tail: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 7 }),
        cut: fc.integer({ min: 0, max: 6 }),
        splits: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
        separator: fc.constantFrom(' ', '-', '.', ''),
        opening: fc.constantFrom('', '0', '(0)', '(', '+', '00', '8'),
      })
      .map(({ country, tail, cut, splits, separator, opening }) => {
        const example = examples[country]!;
        let digits = example.slice(0, Math.max(1, example.length - cut)) + tail.join('');
        digits = digits.slice(0, 17);
        let text = '';
        let at = 0;
        for (const split of [...new Set(splits)].sort((a, b) => a - b)) {
          if (split >= digits.length) break;
          text += digits.slice(at, split) + separator;
          at = split;
        }
        text += digits.slice(at);
        return opening === '(' ? `(${text.replace(separator || ' ', ') ')}` : opening + text;
      });
    fc.assert(
      fc.property(fc.constantFrom<CountryCode | undefined>(...COUNTRIES, undefined), grouped, (defaultCountry, input) => {
        expect(normalizePhoneWith(sendMetadata, input, { defaultCountry }), `${JSON.stringify(input)} under ${defaultCountry}`).toEqual(
          normalizePhoneWith(min, input, { defaultCountry }),
        );
      }),
      { numRuns: 30_000, seed: 18 },
    );
  });

  it('answers random text as min metadata does', () => {
    const text = fc.stringMatching(/^[ (+]{0,2}[0-9]{0,4}[ .()\-/]{0,2}[0-9]{0,5}[ -]?[0-9a-z#;,]{0,8}$/);
    fc.assert(
      fc.property(fc.constantFrom<CountryCode | undefined>(...COUNTRIES, undefined), text, (defaultCountry, input) => {
        expect(normalizePhoneWith(sendMetadata, input, { defaultCountry })).toEqual(normalizePhoneWith(min, input, { defaultCountry }));
        expect(normalizePhoneWith(sendMetadata, input, { defaultCountry }, true)).toEqual(normalizePhoneWith(min, input, { defaultCountry }, true));
      }),
      { numRuns: 5000, seed: 18 },
    );
  });
});
