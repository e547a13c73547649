import type { CountryCode, MetadataJson } from 'libphonenumber-js/core';
import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor } from '../rules/messages';
import { digitReaderFor } from './digits';
import { fromPlain, parse, type Context } from './read';
import { clean, scan } from './scan';
import type { NormalizedRecipients, NormalizePhoneOptions, PhoneResult } from './types';

/**
 * @internal normalizePhone over the given libphonenumber-js metadata (entry points bind min or max).
 * `libraryOnly` reads every number through the library's parse, as the reference the tests and the
 * bench hold the digit reader to.
 */
export function normalizePhoneWith(metadata: MetadataJson, input: string, options?: NormalizePhoneOptions, libraryOnly = false): PhoneResult {
  const issues = optionIssues(options);
  if (typeof input !== 'string') issues.unshift(typeIssue(['input'], 'a string'));
  if (issues.length > 0) throw new ValidationError(issues);
  return normalizeOne(contextFor(metadata, options, true, libraryOnly), input);
}

/** @internal normalizeRecipients over the given metadata. */
export function normalizeRecipientsWith(
  metadata: MetadataJson,
  inputs: readonly string[],
  options?: NormalizePhoneOptions,
  libraryOnly = false,
): NormalizedRecipients {
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(inputs)) issues.push(typeIssue(['inputs'], 'a list of strings'));
  else {
    // Checked before any number is read: a number cell read as text could be any of several
    // numbers, and leaving it out of the list would lose a recipient without a word.
    for (let index = 0; index < inputs.length; index++) if (typeof inputs[index] !== 'string') issues.push(typeIssue(['inputs', index], 'a string'));
  }
  issues.push(...optionIssues(options));
  if (issues.length > 0) throw new ValidationError(issues);
  const context = contextFor(metadata, options, false, libraryOnly);
  const valid: string[] = [];
  const invalid: NormalizedRecipients['invalid'] = [];
  const alternatives: NormalizedRecipients['alternatives'] = [];
  const seen = new Set<string>();
  // Lists repeat entries verbatim (merged exports, re-uploads): each distinct input is parsed once.
  const known = new Map<string, PhoneResult>();
  let duplicates = 0;
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    let result = known.get(input);
    if (result === undefined) known.set(input, (result = normalizeOne(context, input)));
    if (result.ok) {
      if (result.alternative !== undefined) alternatives.push({ index, input, e164: result.e164, alternative: result.alternative });
      if (seen.has(result.e164)) duplicates++;
      else {
        seen.add(result.e164);
        valid.push(result.e164);
      }
    } else invalid.push({ index, input: result.input, code: result.code });
  }
  return { valid, invalid, duplicates, alternatives };
}

function typeIssue(path: (string | number)[], expected: string): ValidationIssue {
  return { path, code: 'invalid_type', message: messageFor('invalid_type', { expected }) };
}

/** A wrong-typed option would otherwise mean "no default country", which changes where a number goes. */
function optionIssues(options: unknown): ValidationIssue[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) return [typeIssue(['options'], 'an object such as { defaultCountry: "DE" }')];
  const { defaultCountry } = options as { defaultCountry?: unknown };
  if (defaultCountry !== undefined && typeof defaultCountry !== 'string') {
    return [typeIssue(['options', 'defaultCountry'], 'a string (an ISO 3166-1 alpha-2 code such as "DE")')];
  }
  return [];
}

function contextFor(metadata: MetadataJson, options: NormalizePhoneOptions | undefined, types: boolean, libraryOnly: boolean): Context {
  const given = options?.defaultCountry;
  const upper = given ? given.toUpperCase() : undefined;
  const alias = upper === 'UK' ? 'GB' : upper;
  const known = alias !== undefined && Object.prototype.hasOwnProperty.call(metadata.countries, alias);
  const country = known ? (alias as CountryCode) : undefined;
  return {
    metadata,
    country,
    badCountry: alias !== undefined && !known,
    // Plain text is one number as a whole: the library's search for a number inside text is not needed.
    national: { defaultCountry: country, extract: false },
    international: { extract: false },
    types,
    digits: libraryOnly ? null : digitReaderFor(metadata),
  };
}

function normalizeOne(context: Context, input: string): PhoneResult {
  if (scan(input)) return fromPlain(context, input, input);
  // Surrounding whitespace is the commonest blemish (cells, pasted lines): cheaper than a full clean.
  const trimmed = input.trim();
  if (trimmed !== input && scan(trimmed)) return fromPlain(context, trimmed, input);
  if (TEL.test(trimmed)) {
    const number = telNumber(trimmed);
    if (number !== undefined && scan(number)) return fromPlain(context, number, input);
  }
  const cleaned = clean(input);
  if (TEL.test(cleaned)) {
    const number = telNumber(cleaned);
    return number !== undefined && scan(number) ? fromPlain(context, number, input) : { ok: false, input, code: 'not_a_number' };
  }
  if (scan(cleaned)) return fromPlain(context, cleaned, input);
  // Letters or symbols remain: the library decides, strictly, so that text around a number
  // ("call 0151…", two numbers in one cell) is refused rather than partly read.
  if (context.badCountry && !cleaned.includes('+')) return { ok: false, input, code: 'invalid_country' };
  return parse(context, cleaned, input, { defaultCountry: context.country, extract: false });
}

const TEL = /^tel:/i;

/** RFC 3966: `tel:+44-7911-123456;ext=1` or `tel:07911123456;phone-context=+44`; extensions cannot take an SMS. */
function telNumber(uri: string): string | undefined {
  let decoded = uri.slice(4);
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // keep it undecoded: a stray % is then just an invalid character
  }
  const [number, ...params] = decoded.split(';');
  if (!number) return undefined;
  if (number.startsWith('+')) return number;
  const context = params.find((param) => param.toLowerCase().startsWith('phone-context='))?.slice(14);
  return context?.startsWith('+') ? context + number : number;
}
