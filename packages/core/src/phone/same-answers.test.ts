// normalizePhone / normalizeRecipients with the digit reader against the same functions reading
// every number through libphonenumber-js alone: the same result objects (ok, E.164, country, type,
// alternative, error code) on every country's numbers written the ways people write them, and on
// random text. And the reason for the reader: no RegExp built per number.
import fc from 'fast-check';
import examples from 'libphonenumber-js/mobile/examples';
import maxMetadata from 'libphonenumber-js/max/metadata';
import minMetadata from 'libphonenumber-js/min/metadata';
import { getCountries, parsePhoneNumberWithError, type CountryCode, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { sendMetadata } from './metadata';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';
import { regExpsBuiltDuring } from './test/regexps';

// send: the default entry's metadata, derived from min (metadata.ts); every answer here holds for it too.
const entries = { min: minMetadata, send: sendMetadata, max: maxMetadata } as const;
const DEFAULTS: (CountryCode | undefined)[] = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AR', 'MX', 'RU', 'CN', 'AU', 'IT', undefined];

const WRITINGS: Array<(p: PhoneNumber) => string> = [
  (p) => p.number,
  (p) => p.formatInternational(),
  (p) => p.formatNational(),
  (p) => p.formatNational().replace(/\D/g, ''),
  (p) => p.nationalNumber,
  (p) => p.number.slice(1),
  (p) => p.formatInternational().slice(1),
  (p) => `00${p.number.slice(1)}`,
  (p) => p.formatNational().replace(/\s+/g, '.'),
  (p) => `+${p.countryCallingCode} (0)${p.formatNational().replace(/^0/, '')}`,
  (p) => ` ${p.formatInternational().replaceAll(' ', '\u00a0')}\t`,
  (p) => p.format('RFC3966'),
  (p) => `${p.formatNational()} ext. 12`,
  (p) => `call ${p.number}`,
  (p) => `(${p.number.slice(0, 3)}) ${p.nationalNumber}`,
];

// Numbers are written (formatNational, …) with the metadata they are read with; send metadata has
// no format templates to write with, so its numbers are made with min's.
function someNumbers(reading: MetadataJson, country: CountryCode): PhoneNumber[] {
  const metadata = reading === sendMetadata ? (minMetadata as MetadataJson) : reading;
  const example = examples[country];
  if (!example) return [];
  const numbers: PhoneNumber[] = [];
  for (const tail of ['0000', '7391']) {
    try {
      numbers.push(parsePhoneNumberWithError(example.slice(0, -tail.length) + tail, { defaultCountry: country }, metadata));
    } catch {
      // an example too short to vary
    }
  }
  return numbers;
}

describe.each(Object.entries(entries))('with %s metadata', (_, metadata) => {
  it('answers every country’s numbers, written the ways people write them, as reading them through libphonenumber-js alone does', () => {
    const countries = getCountries(metadata);
    let compared = 0;
    for (const defaultCountry of DEFAULTS) {
      const list: string[] = [];
      countries.forEach((country, index) => {
        // Each list country sees every number of its own and a rotating share of the others.
        if (country !== defaultCountry && index % DEFAULTS.length !== DEFAULTS.indexOf(defaultCountry)) return;
        for (const phone of someNumbers(metadata, country)) for (const write of WRITINGS) list.push(write(phone));
      });
      for (const input of list) {
        expect(normalizePhoneWith(metadata, input, { defaultCountry }), `${JSON.stringify(input)} under ${defaultCountry}`).toEqual(
          normalizePhoneWith(metadata, input, { defaultCountry }, true),
        );
      }
      expect(normalizeRecipientsWith(metadata, list, { defaultCountry })).toEqual(normalizeRecipientsWith(metadata, list, { defaultCountry }, true));
      compared += list.length;
    }
    expect(compared).toBeGreaterThan(3000);
  });

  it('answers random text as reading it through libphonenumber-js alone does', () => {
    const text = fc.stringMatching(/^[ (+]{0,2}[0-9]{0,4}[ .()\-/]{0,2}[0-9]{0,5}[ -]?[0-9a-z#;,]{0,8}$/);
    fc.assert(
      fc.property(fc.constantFrom(...DEFAULTS), text, (defaultCountry, input) => {
        expect(normalizePhoneWith(metadata, input, { defaultCountry })).toEqual(normalizePhoneWith(metadata, input, { defaultCountry }, true));
      }),
      { numRuns: 3000, seed: 20 },
    );
  });
});

describe('a list of plain numbers', () => {
  const gbList = (from: number) => Array.from({ length: 1000 }, (_, i) => `07400 ${String(from + i * 37).padStart(6, '0')}`);

  it('is read without building a RegExp per number: the patterns are compiled once per country', () => {
    normalizeRecipientsWith(minMetadata, gbList(0), { defaultCountry: 'GB' });
    const built = regExpsBuiltDuring(() => normalizeRecipientsWith(minMetadata, gbList(500_000), { defaultCountry: 'GB' }));
    expect(built).toBe(0);
    // Through the library alone, every number costs several.
    expect(regExpsBuiltDuring(() => normalizeRecipientsWith(minMetadata, gbList(600_000), { defaultCountry: 'GB' }, true))).toBeGreaterThan(1000);
  });
});
