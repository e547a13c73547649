// The digit reader against libphonenumber-js itself: every country of min and max metadata, its
// numbers written every plain way under several default countries, and random digits. Any field
// that differs (E.164, country, calling code, national number, validity, type, parse error) fails.
import fc from 'fast-check';
import examples from 'libphonenumber-js/mobile/examples';
import maxMetadata from 'libphonenumber-js/max/metadata';
import minMetadata from 'libphonenumber-js/min/metadata';
import { getCountries, parsePhoneNumberWithError, type CountryCode, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { digitReaderFor } from './digits';

const entries = { min: minMetadata, max: maxMetadata } as const;
const SOME_DEFAULTS: CountryCode[] = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AR', 'MX', 'RU', 'CN', 'IT', 'AU', 'JP', 'CO', 'KR'];

function byLibrary(metadata: MetadataJson, text: string, defaultCountry: CountryCode | undefined) {
  try {
    const phone = parsePhoneNumberWithError(text, { defaultCountry, extract: false }, metadata);
    return { number: phone.number, country: phone.country, callingCode: phone.countryCallingCode, national: phone.nationalNumber, valid: phone.isValid(), type: phone.getType() };
  } catch (error) {
    return (error as Error).message;
  }
}

function byReader(metadata: MetadataJson, text: string, defaultCountry: CountryCode | undefined) {
  const read = digitReaderFor(metadata)!.read(text, defaultCountry);
  if (read === undefined || typeof read === 'string') return read;
  return { number: read.number, country: read.country, callingCode: read.countryCallingCode, national: read.nationalNumber, valid: read.valid, type: read.getType() };
}

/** A number of `country` with the last digits of its example replaced, formatted by the library. */
function numberOf(metadata: MetadataJson, country: CountryCode, tail: string): PhoneNumber | undefined {
  const example = examples[country];
  if (!example) return undefined;
  const national = example.slice(0, Math.max(1, example.length - tail.length)) + tail.slice(0, example.length - 1);
  try {
    return parsePhoneNumberWithError(national.slice(0, example.length), { defaultCountry: country }, metadata);
  } catch {
    return undefined;
  }
}

const WRITINGS: Record<string, (phone: PhoneNumber) => string> = {
  e164: (p) => p.number,
  international: (p) => p.formatInternational(),
  national: (p) => p.formatNational(),
  nationalDigits: (p) => p.formatNational().replace(/\D/g, ''),
  trunkDropped: (p) => p.nationalNumber,
  noPlus: (p) => p.number.slice(1),
  idd00: (p) => `00${p.number.slice(1)}`,
  idd011: (p) => `011 ${p.formatInternational().slice(1)}`,
  dashes: (p) => p.formatNational().replace(/\s+/g, '-'),
};

describe.each(Object.entries(entries))('the digit reader with %s metadata', (_, metadata) => {
  it('reads every country’s numbers, written every plain way, under their own and other default countries, as libphonenumber-js does', () => {
    let compared = 0;
    let declined = 0;
    const countries = getCountries(metadata);
    countries.forEach((country, index) => {
      for (const tail of ['000000', '483920', '999999']) {
        const phone = numberOf(metadata, country, tail);
        if (phone === undefined) continue;
        for (const write of Object.values(WRITINGS)) {
          const text = write(phone);
          for (const defaultCountry of [country, SOME_DEFAULTS[index % SOME_DEFAULTS.length], countries[(index * 7) % countries.length], undefined]) {
            const read = byReader(metadata, text, defaultCountry);
            if (read === undefined) {
              declined++;
              continue;
            }
            compared++;
            expect(read, `${text} under ${defaultCountry}`).toEqual(byLibrary(metadata, text, defaultCountry));
          }
        }
      }
    });
    console.info(`digit reader: ${compared} readings equal to the library's, ${declined} left to it`);
    expect(compared).toBeGreaterThan(countries.length * 40);
    // Only non-geographic numbers (+800, +881, …) and written-out forms it does not model go to the library.
    expect(declined).toBeLessThan(compared / 50);
  });

  it('reads random digits, with and without + and separators, under every default country as libphonenumber-js does', () => {
    const countries = getCountries(metadata);
    fc.assert(
      fc.property(
        fc.constantFrom(...countries, undefined),
        fc.stringMatching(/^\+?[0-9]{1,4}[ .-]?[0-9()]{0,6}[ -]?[0-9]{0,9}$/),
        (defaultCountry, text) => {
          const read = byReader(metadata, text, defaultCountry);
          if (read !== undefined) expect(read, `${text} under ${defaultCountry}`).toEqual(byLibrary(metadata, text, defaultCountry));
        },
      ),
      { numRuns: 6000, seed: 20 },
    );
  });

  it('leaves to the library what it does not model', () => {
    const reader = digitReaderFor(metadata)!;
    expect(reader.read('12', 'DE')).toBeUndefined(); // two digits: the library's viability rules
    expect(reader.read('(+49) 151 28403420', undefined)).toBeUndefined(); // a + after another character
    expect(reader.read('+800 1234 5678', undefined)).toBeUndefined(); // a non-geographic calling code
    expect(reader.read(`+49 ${'1'.repeat(250)}`, undefined)).toBeUndefined(); // over the library's 250 characters
    expect(reader.read('0151 28403420 ext. 5', 'DE')).toBeUndefined(); // letters
  });
});
