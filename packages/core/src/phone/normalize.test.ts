import examples from 'libphonenumber-js/mobile/examples';
import minMetadata from 'libphonenumber-js/min/metadata';
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';

// Every answer here is also the answer of the library alone (the digit reader must not change one).
const normalizePhone = (input: string, options?: { defaultCountry?: string }) => {
  const result = normalizePhoneWith(minMetadata, input, options);
  expect(result, JSON.stringify(input)).toEqual(normalizePhoneWith(minMetadata, input, options, true));
  return result;
};
const normalizeRecipients = (inputs: string[], options?: { defaultCountry?: string }) => {
  const result = normalizeRecipientsWith(minMetadata, inputs, options);
  expect(result).toEqual(normalizeRecipientsWith(minMetadata, inputs, options, true));
  return result;
};

describe('normalizePhone', () => {
  it.each([
    ['E.164', '+4915128403420', undefined],
    ['international with spaces', '+49 151 28403420', undefined],
    ['national with the default country', '0151 28403420', 'DE'],
    ['dashes, dots and parentheses', '(0151) 284-03.420', 'DE'],
    ['a 00 international prefix', '0049 151 28403420', undefined],
    ['a 00 prefix where the country dials 011', '0049 151 28403420', 'US'],
    ['the trunk prefix in parentheses', '+49 (0)151 28403420', undefined],
    ['a tel: URI', 'tel:+49-151-28403420', undefined],
    ['a tel: URI with a phone-context and an extension', 'tel:015128403420;ext=12;phone-context=+49', undefined],
    ['no-break and narrow no-break spaces', '+49\u00a0151\u202f28403420', undefined],
    ['bidi marks and a zero-width space from a chat client', '\u202a+49 151\u200b28403420\u202c', undefined],
    ['fullwidth digits and plus', '＋４９１５１２８４０３４２０', undefined],
    ['surrounding whitespace', '  +49 151 28403420\t', undefined],
    ['a lower-case default country', '015128403420', 'de'],
  ])('accepts %s', (_, input, defaultCountry) => {
    expect(normalizePhone(input, { defaultCountry })).toEqual({ ok: true, e164: '+4915128403420', country: 'DE' });
  });

  it('reads UK as GB', () => {
    expect(normalizePhone('07400 123456', { defaultCountry: 'UK' })).toMatchObject({ ok: true, e164: '+447400123456' });
  });

  it('keeps the leading zero of an Italian landline after +39 (0)', () => {
    expect(normalizePhone('+39 (0)6 1234 5678')).toMatchObject({ ok: true, e164: '+390612345678' });
  });

  it.each([
    ['abc', undefined, 'not_a_number'],
    ['', undefined, 'not_a_number'],
    ['call +49 151 28403420', undefined, 'not_a_number'],
    ['+49 151 28403420 / +49 151 28403421', undefined, 'not_a_number'],
    ['015128403420', undefined, 'invalid_country'],
    ['015128403420', 'XX', 'invalid_country'],
    ['+49 151', undefined, 'too_short'],
    ['+49 151 2840342000000000', undefined, 'too_long'],
    ['+999 123456789', undefined, 'invalid_country'],
  ])('rejects %j (default %s) as %s', (input, defaultCountry, code) => {
    expect(normalizePhone(input, { defaultCountry })).toEqual({ ok: false, input, code });
  });

  it('reads digits with the default country code but no + as that international number', () => {
    expect(normalizePhone('4915128403420', { defaultCountry: 'DE' })).toEqual({ ok: true, e164: '+4915128403420', country: 'DE', alternative: '+494915128403420' });
  });

  it('reads digits with a foreign country code but no + as that number when nothing else fits', () => {
    expect(normalizePhone('447400123456', { defaultCountry: 'FR' })).toMatchObject({ ok: true, e164: '+447400123456' });
    expect(normalizePhone('447400123456')).toMatchObject({ ok: true, e164: '+447400123456' });
  });

  it('keeps a valid national number and names the international reading of the same digits', () => {
    expect(normalizePhone('33612345678', { defaultCountry: 'DE' })).toEqual({ ok: true, e164: '+4933612345678', country: 'DE', alternative: '+33612345678' });
  });

  it('keeps a national number that cannot be international', () => {
    expect(normalizePhone('2125550123', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+12125550123' });
  });

  it('reads grouped and bare US digits as the US number and reports the Egyptian reading as the alternative', () => {
    // +20 15550123 is a valid Egyptian number under min metadata.
    expect(normalizePhone('(201) 555-0123', { defaultCountry: 'US' })).toEqual({ ok: true, e164: '+12015550123', country: 'US', type: 'FIXED_LINE_OR_MOBILE' });
    expect(normalizePhone('201-555-0123', { defaultCountry: 'US' })).not.toHaveProperty('alternative');
    expect(normalizePhone('20 15550123', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+12015550123', alternative: '+2015550123' });
    expect(normalizePhone('2015550123', { defaultCountry: 'US' })).toMatchObject({ ok: true, e164: '+12015550123', alternative: '+2015550123' });
  });

  it('never returns a different valid number for a country code written without + unless it names the intended one as alternative', () => {
    const countries = ['US', 'GB', 'DE', 'FR', 'IT', 'ES', 'NL', 'PL', 'BR', 'IN', 'AU', 'JP', 'MX', 'ZA', 'CH', 'SE'] as const;
    let libraryWrong = 0;
    let silent = 0;
    let flagged = 0;
    for (const country of countries) {
      const intended = parsePhoneNumberFromString(examples[country], country, minMetadata)!.number;
      for (const defaultCountry of countries) {
        const plain = parsePhoneNumberFromString(intended.slice(1), defaultCountry, minMetadata);
        if (plain?.isValid() && plain.number !== intended) libraryWrong++;
        const ours = normalizePhone(intended.slice(1), { defaultCountry });
        if (ours.ok && ours.e164 !== intended) ours.alternative === intended ? flagged++ : silent++;
      }
    }
    console.info(`country code without +: ${countries.length ** 2} inputs, plain library wrong ${libraryWrong}, msgkit silently wrong ${silent}, national reading with the intended number as alternative ${flagged}`);
    expect(libraryWrong).toBeGreaterThan(0);
    expect(silent).toBe(0);
  });
});

describe('normalizeRecipients', () => {
  it('deduplicates by E.164 in first-seen order and reports every invalid input with its index', () => {
    const result = normalizeRecipients(
      ['0151 28403420', '+44 7400 123456', 'oops', '+49 151 28403420', '0049 151 28403420', '+44 7400 123456', 'oops', '123'],
      { defaultCountry: 'DE' },
    );
    expect(result).toEqual({
      valid: ['+4915128403420', '+447400123456'],
      invalid: [
        { index: 2, input: 'oops', code: 'not_a_number' },
        { index: 6, input: 'oops', code: 'not_a_number' },
        { index: 7, input: '123', code: 'too_short' },
      ],
      duplicates: 3,
      alternatives: [],
    });
  });

  it('accounts for every input as valid, duplicate or invalid', () => {
    const inputs = ['+4915128403420', '015128403420', 'x', '', '33612345678', '+33 6 12 34 56 78'];
    const { valid, invalid, duplicates } = normalizeRecipients(inputs, { defaultCountry: 'DE' });
    expect(valid.length + invalid.length + duplicates).toBe(inputs.length);
  });

  it('returns empty lists for no input', () => {
    expect(normalizeRecipients([])).toEqual({ valid: [], invalid: [], duplicates: 0, alternatives: [] });
  });
});
