// Issue 8, phone numbers: a number written nationally is the default country's number, valid
// national numbers are never refused as ambiguous, a second reading is reported rather than
// chosen, and the number type is reported where the metadata knows it. Both metadata sets.
import fc from 'fast-check';
import examples from 'libphonenumber-js/mobile/examples';
import maxMetadata from 'libphonenumber-js/max/metadata';
import minMetadata from 'libphonenumber-js/min/metadata';
import { parsePhoneNumberFromString, type CountryCode, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { sendMetadata } from './metadata';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';

// send: the default entry's metadata, derived from min (metadata.ts); every answer here holds for it too.
const entries = { min: minMetadata, send: sendMetadata, max: maxMetadata } as const;

// National significant numbers to vary: the library's example mobile and a landline per country.
const LANDLINES: Partial<Record<CountryCode, string>> = {
  US: '2015550123', IT: '0212345678', CN: '1012345678', CO: '6012345678', DE: '30123456', GB: '2079460958',
  MX: '5512345678', FR: '123456789', BR: '1123456789', IN: '1123456789', JP: '312345678', ES: '912345678', RU: '4951234567',
};
const COUNTRIES = Object.keys(LANDLINES) as CountryCode[];

/** A valid number of `country` made from a base number with its last digits replaced; the truth comes from how it was made. */
function made(metadata: MetadataJson, country: CountryCode, base: string, tail: number[]): PhoneNumber | undefined {
  const keep = Math.max(2, base.length - tail.length);
  const national = base.slice(0, keep) + tail.join('').slice(0, base.length - keep);
  const callingCode = parsePhoneNumberFromString(`${examples[country]}`, country, metadata)!.countryCallingCode;
  const phone = parsePhoneNumberFromString(`+${callingCode}${national}`, {}, metadata);
  return phone?.isValid() && phone.country === country && phone.nationalNumber === national ? phone : undefined;
}

// Test numbers are made and written (formatNational) with the metadata they are read with; send
// metadata has no format templates to write with, so its numbers are made with min's.
const numbers = (reading: MetadataJson, metadata = reading === sendMetadata ? (minMetadata as MetadataJson) : reading) =>
  fc
    .record({ country: fc.constantFrom(...COUNTRIES), landline: fc.boolean(), tail: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }) })
    .map(({ country, landline, tail }) => ({ country, phone: made(metadata, country, landline ? LANDLINES[country]! : examples[country], tail) }))
    .filter((x): x is { country: CountryCode; phone: PhoneNumber } => x.phone !== undefined);

const NATIONAL_WRITINGS = {
  national: (p: PhoneNumber) => p.formatNational(),
  dots: (p: PhoneNumber) => p.formatNational().replace(/[\s-]+/g, '.'),
  dashes: (p: PhoneNumber) => p.formatNational().replace(/\s+/g, '-'),
  compact: (p: PhoneNumber) => p.formatNational().replace(/\D/g, ''),
  tabbed: (p: PhoneNumber) => `\t${p.formatNational()} `,
};

describe.each(Object.entries(entries))('with %s metadata', (_, metadata) => {
  // Every answer here is also the answer of the library alone (the digit reader must not change one).
  const normalizePhone = (input: unknown, options?: unknown) => {
    const result = normalizePhoneWith(metadata, input as string, options as { defaultCountry?: string });
    expect(result, `${JSON.stringify(input)} ${JSON.stringify(options)}`).toEqual(normalizePhoneWith(metadata, input as string, options as { defaultCountry?: string }, true));
    return result;
  };

  it.each([
    ['501-610-4727', 'US', 'Belize', '+15016104727'],
    ['\t220 222 8942', 'MX', 'Gambia', '+522202228942'],
  ])('reads %j under %s as that country’s number, not as %s’s', (input, defaultCountry, _, e164) => {
    expect(normalizePhone(input, { defaultCountry })).toMatchObject({ ok: true, e164, country: defaultCountry });
  });

  it('refuses a US number written the US way under GB instead of reading it as New Zealand’s', () => {
    expect(normalizePhone('(646) 555-0199', { defaultCountry: 'GB' })).toEqual({ ok: false, input: '(646) 555-0199', code: 'invalid' });
    expect(normalizePhone('646-555-0199', { defaultCountry: 'GB' })).toMatchObject({ ok: false });
  });

  it('refuses a US number written the US way under DE instead of reading it as a German landline', () => {
    expect(normalizePhone('(617) 680-8480', { defaultCountry: 'DE' })).toEqual({ ok: false, input: '(617) 680-8480', code: 'ambiguous' });
    expect(normalizePhone('617-680-8480', { defaultCountry: 'DE' })).toEqual({ ok: false, input: '617-680-8480', code: 'ambiguous' });
    // The German writing of the same digits stays German.
    expect(normalizePhone('(06176) 808480', { defaultCountry: 'DE' })).toMatchObject({ ok: true, e164: '+496176808480' });
  });

  it('reads a foreign calling code set apart as international when the grouping rules the national reading out', () => {
    expect(normalizePhone('41 21 256 21 37', { defaultCountry: 'DE' })).toMatchObject({ ok: true, e164: '+41212562137', country: 'CH' });
  });

  it('keeps grouped digits without a trunk prefix that the national format may leave out', () => {
    expect(normalizePhone('98765 43210', { defaultCountry: 'IN' })).toMatchObject({ ok: true, e164: '+919876543210' });
    expect(normalizePhone('(912) 345-67-89', { defaultCountry: 'RU' })).toMatchObject({ ok: true, e164: '+79123456789' });
    // ... but then the writing opens with the format's first group: not a US area code.
    expect(normalizePhone('(201) 539-6998', { defaultCountry: 'IN' })).toMatchObject({ ok: false });
  });

  it('refuses grouped digits without the trunk prefix the national format has, but keeps bare ones that a spreadsheet stripped', () => {
    expect(normalizePhone('7400 123456', { defaultCountry: 'GB' })).toMatchObject({ ok: false, code: 'ambiguous' });
    expect(normalizePhone('7400123456', { defaultCountry: 'GB' })).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('15128403420', { defaultCountry: 'DE' })).toMatchObject({ ok: true, e164: '+4915128403420' });
  });

  it('keeps area codes in parentheses where the national format has no trunk prefix before them', () => {
    expect(normalizePhone('(11) 96123-4567', { defaultCountry: 'BR' })).toMatchObject({ ok: true, e164: '+5511961234567' });
    expect(normalizePhone('(617) 680-8480', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+16176808480' });
  });

  it('accepts US digits that also read as Egyptian and names that reading as the alternative', () => {
    expect(normalizePhone('2015678404', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+12015678404', alternative: '+2015678404' });
  });

  it('reads the default country’s own calling code without + as its E.164 number where national numbers start with a trunk prefix', () => {
    expect(normalizePhone('4915128403420', { defaultCountry: 'DE' })).toMatchObject({ ok: true, e164: '+4915128403420', country: 'DE' });
    expect(normalizePhone('49 151 28403420', { defaultCountry: 'DE' })).toMatchObject({ ok: true, e164: '+4915128403420' });
    expect(normalizePhone('447400123456', { defaultCountry: 'GB' })).toMatchObject({ ok: true, e164: '+447400123456' });
  });

  it('takes another country’s code without + only when the national reading is invalid and the writing sets the code apart', () => {
    expect(normalizePhone('447400123456', { defaultCountry: 'FR' })).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('44 7400 123456', { defaultCountry: 'FR' })).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('4474 0012 3456', { defaultCountry: 'FR' })).toMatchObject({ ok: false });
  });

  it('does not take 10 bare digits as another country’s number, since they are as likely someone’s national number', () => {
    expect(normalizePhone('6465550199', { defaultCountry: 'GB' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(normalizePhone('6465550199')).toMatchObject({ ok: false, code: 'invalid_country' });
    expect(normalizePhone('64 6 555 0199', { defaultCountry: 'GB' })).toMatchObject({ ok: true, e164: '+6465550199', country: 'NZ' });
    expect(normalizePhone('33612345678', { defaultCountry: 'GB' })).toMatchObject({ ok: true, e164: '+33612345678' });
  });

  it('without a default country reads only bare or code-first digits as international', () => {
    expect(normalizePhone('447400123456')).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('44 7400 123456')).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('(646) 555-0199')).toEqual({ ok: false, input: '(646) 555-0199', code: 'invalid_country' });
  });

  it('returns every nationally written number of several countries as that country’s E.164 number', () => {
    fc.assert(
      fc.property(numbers(metadata), fc.constantFrom(...Object.values(NATIONAL_WRITINGS)), ({ country, phone }, write) => {
        const result = normalizePhone(write(phone), { defaultCountry: country });
        expect(result).toMatchObject({ ok: true, e164: phone.number, country });
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it('accepts valid national numbers of US, IT, CN and CO written as bare digits, which were called ambiguous', () => {
    const some = numbers(metadata).filter(({ country }) => ['US', 'IT', 'CN', 'CO'].includes(country));
    fc.assert(
      fc.property(some, ({ country, phone }) => {
        expect(normalizePhone(phone.nationalNumber, { defaultCountry: country })).toMatchObject({ ok: true, e164: phone.number });
      }),
      { numRuns: 300, seed: 8 },
    );
  });

  it('never turns a national number with its trunk prefix dropped (as spreadsheets do) into another number without naming it', () => {
    fc.assert(
      fc.property(numbers(metadata), ({ country, phone }) => {
        const result = normalizePhone(phone.nationalNumber, { defaultCountry: country });
        // Refused, read right, or read otherwise with the right number named as the alternative.
        const named = !result.ok || result.e164 === phone.number || result.alternative === phone.number;
        expect(named, `${country} ${phone.nationalNumber} → ${JSON.stringify(result)}`).toBe(true);
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it('lists the second readings of a recipient list beside the numbers it kept', () => {
    const result = normalizeRecipientsWith(metadata, ['2015678404', '+1 201 567 8404', '(201) 567-8404'], { defaultCountry: 'US' });
    expect(result).toEqual({
      valid: ['+12015678404'],
      invalid: [],
      duplicates: 2,
      alternatives: [{ index: 0, input: '2015678404', e164: '+12015678404', alternative: '+2015678404' }],
    });
  });

  it('reports the NANP number type, which even min metadata knows', () => {
    expect(normalizePhone('(201) 555-0123', { defaultCountry: 'US' })).toMatchObject({ type: 'FIXED_LINE_OR_MOBILE' });
  });
});

describe('min metadata', () => {
  it('refuses grouped digits that pass its length check but that no format of the country groups', () => {
    // Max metadata knows +86 506 262 0587 is no Chinese number; min only checks length and leading digits.
    expect(normalizePhoneWith(minMetadata, '506-262-0587', { defaultCountry: 'CN' })).toMatchObject({ ok: false, code: 'ambiguous' });
    expect(normalizePhoneWith(maxMetadata, '506-262-0587', { defaultCountry: 'CN' })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('pays for that with grouped numbers its metadata has no format for, which bare digits and max metadata still take', () => {
    expect(normalizePhoneWith(minMetadata, '5712 3458', { defaultCountry: 'GI' })).toMatchObject({ ok: false, code: 'ambiguous' });
    expect(normalizePhoneWith(minMetadata, '57123458', { defaultCountry: 'GI' })).toMatchObject({ ok: true, e164: '+35057123458' });
    expect(normalizePhoneWith(maxMetadata, '5712 3458', { defaultCountry: 'GI' })).toMatchObject({ ok: true, e164: '+35057123458' });
  });
});

describe('number type', () => {
  it('is reported for every country with max metadata, so landlines can be told from mobiles', () => {
    expect(normalizePhoneWith(maxMetadata, '0151 28403420', { defaultCountry: 'DE' })).toEqual({ ok: true, e164: '+4915128403420', country: 'DE', type: 'MOBILE' });
    expect(normalizePhoneWith(maxMetadata, '030 123456', { defaultCountry: 'DE' })).toMatchObject({ ok: true, type: 'FIXED_LINE' });
    expect(normalizePhoneWith(maxMetadata, '+44 7400 123456')).toMatchObject({ ok: true, type: 'MOBILE' });
  });

  it('is left out where min metadata cannot tell, and the landline is still accepted', () => {
    expect(normalizePhoneWith(minMetadata, '0151 28403420', { defaultCountry: 'DE' })).toEqual({ ok: true, e164: '+4915128403420', country: 'DE' });
    expect(normalizePhoneWith(minMetadata, '030 123456', { defaultCountry: 'DE' })).toEqual({ ok: true, e164: '+4930123456', country: 'DE' });
  });
});
