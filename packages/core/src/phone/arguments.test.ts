// Issue 8: wrong-typed arguments are a ValidationError with issue codes, thrown before any work,
// never a TypeError and never a quiet "no default country".
import minMetadata from 'libphonenumber-js/min/metadata';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { normalizePhoneWith, normalizeRecipientsWith } from './normalize';

const normalizePhone = (input: unknown, options?: unknown) => normalizePhoneWith(minMetadata, input as string, options as never);
const normalizeRecipients = (inputs: unknown, options?: unknown) => normalizeRecipientsWith(minMetadata, inputs as string[], options as never);

function issuesOf(call: () => unknown) {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map(({ path, code }) => ({ path, code }));
  }
  throw new Error('expected a ValidationError');
}

describe('normalizePhone arguments', () => {
  it.each([[4915128403420], [null], [undefined], [{ phone: '+4915128403420' }], [['+4915128403420']]])('refuses input %j as invalid_type', (input) => {
    expect(issuesOf(() => normalizePhone(input, { defaultCountry: 'DE' }))).toEqual([{ path: ['input'], code: 'invalid_type' }]);
  });

  it.each([[49], [null], [{ code: 'DE' }], [['DE']]])('refuses defaultCountry %j as invalid_type', (defaultCountry) => {
    expect(issuesOf(() => normalizePhone('015128403420', { defaultCountry }))).toEqual([{ path: ['options', 'defaultCountry'], code: 'invalid_type' }]);
  });

  it('refuses a country code passed where the options object belongs', () => {
    expect(issuesOf(() => normalizePhone('015128403420', 'DE'))).toEqual([{ path: ['options'], code: 'invalid_type' }]);
  });

  it('reports a wrong input and a wrong option together', () => {
    expect(issuesOf(() => normalizePhone(5, { defaultCountry: 5 }))).toEqual([
      { path: ['input'], code: 'invalid_type' },
      { path: ['options', 'defaultCountry'], code: 'invalid_type' },
    ]);
  });

  it('says what was expected in the message', () => {
    expect(() => normalizePhone('015128403420', { defaultCountry: 49 })).toThrow(/defaultCountry: must be a string/);
  });

  it('keeps answering invalid_country for an unknown country written as a string', () => {
    expect(normalizePhone('015128403420', { defaultCountry: 'ZZ' })).toEqual({ ok: false, input: '015128403420', code: 'invalid_country' });
  });
});

describe('normalizeRecipients arguments', () => {
  it.each([['+4915128403420'], [null], [undefined], [{ 0: '+4915128403420', length: 1 }], [5]])('refuses inputs %j that are not a list', (inputs) => {
    expect(issuesOf(() => normalizeRecipients(inputs, { defaultCountry: 'DE' }))).toEqual([{ path: ['inputs'], code: 'invalid_type' }]);
  });

  it('refuses a list with entries that are not strings, naming each', () => {
    expect(issuesOf(() => normalizeRecipients(['+4915128403420', 4915128403420, null, 'oops'], { defaultCountry: 'DE' }))).toEqual([
      { path: ['inputs', 1], code: 'invalid_type' },
      { path: ['inputs', 2], code: 'invalid_type' },
    ]);
  });

  it('refuses a defaultCountry that is not a string', () => {
    expect(issuesOf(() => normalizeRecipients(['015128403420'], { defaultCountry: 276 }))).toEqual([{ path: ['options', 'defaultCountry'], code: 'invalid_type' }]);
  });
});
