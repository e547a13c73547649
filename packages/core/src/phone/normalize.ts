import {
  Metadata,
  parsePhoneNumberFromString,
  parsePhoneNumberWithError,
  type CountryCode,
  type MetadataJson,
  type PhoneNumber,
} from 'libphonenumber-js/core';
import { clean, scan, scanned } from './scan';

export type PhoneErrorCode = 'not_a_number' | 'invalid_country' | 'too_short' | 'too_long' | 'invalid' | 'ambiguous';

export type PhoneResult =
  | { ok: true; e164: string; country?: string }
  | { ok: false; input: string; code: PhoneErrorCode };

export interface NormalizePhoneOptions {
  /** ISO 3166-1 alpha-2 country for numbers written without a country code (case-insensitive; `UK` means `GB`). */
  defaultCountry?: string;
}

export interface NormalizedRecipients {
  /** Unique E.164 numbers in first-seen order. */
  valid: string[];
  /** Every input that is not a usable number, with its position in the input list. */
  invalid: Array<{ index: number; input: string; code: string }>;
  /** Valid inputs left out because an earlier input had the same E.164 number. */
  duplicates: number;
}

/** Resolved once per call rather than once per number. */
interface Context {
  metadata: MetadataJson;
  country: CountryCode | undefined;
  /** A default country was given but is unknown to the metadata. */
  badCountry: boolean;
  /** Reused for every parse: the library copies its options anyway. */
  national: { defaultCountry?: CountryCode; extract: boolean };
  international: { extract: boolean };
}

/** @internal normalizePhone over the given libphonenumber-js metadata (entry points bind min or max). */
export function normalizePhoneWith(metadata: MetadataJson, input: string, options?: NormalizePhoneOptions): PhoneResult {
  return normalizeOne(contextFor(metadata, options), input);
}

/** @internal normalizeRecipients over the given metadata. */
export function normalizeRecipientsWith(
  metadata: MetadataJson,
  inputs: readonly string[],
  options?: NormalizePhoneOptions,
): NormalizedRecipients {
  const context = contextFor(metadata, options);
  const valid: string[] = [];
  const invalid: NormalizedRecipients['invalid'] = [];
  const seen = new Set<string>();
  // Lists repeat entries verbatim (merged exports, re-uploads): each distinct input is parsed once.
  const known = new Map<string, PhoneResult>();
  let duplicates = 0;
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    let result = known.get(input);
    if (result === undefined) known.set(input, (result = normalizeOne(context, input)));
    if (result.ok) {
      if (seen.has(result.e164)) duplicates++;
      else {
        seen.add(result.e164);
        valid.push(result.e164);
      }
    } else invalid.push({ index, input: result.input, code: result.code });
  }
  return { valid, invalid, duplicates };
}

function contextFor(metadata: MetadataJson, options: NormalizePhoneOptions | undefined): Context {
  const given = options?.defaultCountry;
  const upper = given ? given.toUpperCase() : undefined;
  const alias = upper === 'UK' ? 'GB' : upper;
  const known = alias !== undefined && Object.prototype.hasOwnProperty.call(metadata.countries, alias);
  const country = known ? (alias as CountryCode) : undefined;
  return {
    metadata,
    country,
    badCountry: alias !== undefined && !known,
    national: { defaultCountry: country, extract: true },
    international: { extract: true },
  };
}

function normalizeOne(context: Context, input: string): PhoneResult {
  if (typeof input !== 'string') return { ok: false, input: String(input), code: 'not_a_number' };
  if (scan(input)) return fromPlain(context, input, input);
  const cleaned = clean(input);
  if (/^tel:/i.test(cleaned)) {
    const number = telNumber(cleaned);
    return number !== undefined && scan(number) ? fromPlain(context, number, input) : { ok: false, input, code: 'not_a_number' };
  }
  if (scan(cleaned)) return fromPlain(context, cleaned, input);
  // Letters or symbols remain: the library decides, strictly, so that text around a number
  // ("call 0151…", two numbers in one cell) is refused rather than partly read.
  if (context.badCountry && !cleaned.includes('+')) return { ok: false, input, code: 'invalid_country' };
  return parse(context, cleaned, input, { defaultCountry: context.country, extract: false });
}

/** `text` has just been scanned as plain. */
function fromPlain(context: Context, text: string, input: string): PhoneResult {
  const { digits, afterIdd, plus } = scanned;
  if (digits === 0) return { ok: false, input, code: 'not_a_number' };
  // `00` is the international prefix wherever a national number could start with it (nowhere),
  // including countries whose own prefix differs (011 in the US), where the library misses it.
  if (afterIdd >= 0) return parse(context, '+' + text.slice(afterIdd), input, context.international);
  if (plus) return parse(context, text, input, context.international);
  if (context.badCountry) return { ok: false, input, code: 'invalid_country' };
  const codeSize = callingCodeSize(context.metadata);
  if (context.country === undefined) {
    // Without a default country, bare digits can only be an international number missing its `+`.
    const international = codeSize > 0 ? validOrUndefined(context, '+' + text) : undefined;
    return international ? ok(international) : { ok: false, input, code: 'invalid_country' };
  }
  const national = parse(context, text, input, context.national);
  if (codeSize === 0) return national;
  // Grouping that does not set a calling code apart already says "national" (see disambiguate).
  if (national.ok && !isDigits(text) && !startsWithGroupOf(text, codeSize)) return national;
  return disambiguate(context, text, input, national);
}

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

function parse(context: Context, text: string, input: string, options: Context['national']): PhoneResult {
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(text, options, context.metadata);
  } catch (error) {
    return { ok: false, input, code: codeOf((error as Error).message) };
  }
  if (phone.isValid()) return ok(phone);
  return { ok: false, input, code: lengthCode(context.metadata, phone) };
}

/** Why a parsed number is invalid, from the lengths its calling code allows (no second parse). */
function lengthCode(metadata: MetadataJson, phone: PhoneNumber): PhoneErrorCode {
  const lengths = planOf(metadata).lengthsOf(phone.countryCallingCode);
  if (!lengths) return 'invalid';
  const length = phone.nationalNumber.length;
  let shortest = Number.POSITIVE_INFINITY;
  let longest = 0;
  for (const allowed of lengths) {
    shortest = Math.min(shortest, allowed);
    longest = Math.max(longest, allowed);
  }
  return length < shortest ? 'too_short' : length > longest ? 'too_long' : 'invalid';
}

function ok(phone: PhoneNumber): PhoneResult {
  return phone.country === undefined ? { ok: true, e164: phone.number } : { ok: true, e164: phone.number, country: phone.country };
}

function codeOf(reason: string | undefined): PhoneErrorCode {
  switch (reason) {
    case 'NOT_A_NUMBER':
      return 'not_a_number';
    case 'INVALID_COUNTRY':
      return 'invalid_country';
    case 'TOO_SHORT':
      return 'too_short';
    case 'TOO_LONG':
      return 'too_long';
    default:
      return 'invalid';
  }
}

function validOrUndefined(context: Context, text: string): PhoneNumber | undefined {
  const phone = parsePhoneNumberFromString(text, context.international, context.metadata);
  return phone?.isValid() ? phone : undefined;
}

/**
 * Digits without `+` may be a national number or an international one whose `+` was lost
 * (`4915128403420`). libphonenumber-js reads them as national and, with lenient (min) metadata,
 * often calls the result valid although it is a different subscriber. We read both ways; one
 * valid reading wins. When both are valid and differ, only evidence in the writing decides:
 * - grouping: `(201) 555-0123` or `201-555-0123` splits where the national reading does,
 *   `47 12 34 56 78` splits after the calling code, so the first group says which was meant;
 * - the default country's own calling code without its trunk prefix (`4915…` in Germany, where
 *   national numbers are written `0151…`) can only be international;
 * otherwise the answer is `ambiguous`, never a guess.
 */
function disambiguate(context: Context, text: string, input: string, national: PhoneResult): PhoneResult {
  const digits = text.replace(/\D/g, '');
  const international = validOrUndefined(context, '+' + digits);
  if (!international) return national;
  if (!national.ok || national.e164 === international.number) return ok(international);
  if (!isDigits(text)) return startsWithGroupOf(text, international.countryCallingCode.length) ? ok(international) : national;
  const plan = planOf(context.metadata);
  const trunk = plan.trunkPrefixOf(context.country!);
  if (international.countryCallingCode === plan.callingCodeOf(context.country!) && trunk !== undefined && !digits.startsWith(trunk)) {
    return ok(international);
  }
  return { ok: false, input, code: 'ambiguous' };
}

/**
 * Cheap gate on the last scan, so the second parse runs only for digits that could be E.164:
 * the size of the calling code they start with when the rest has a length that code allows, else 0.
 */
function callingCodeSize(metadata: MetadataJson): number {
  const { d0, d1, d2, digits } = scanned;
  if (d0 <= 0 || digits > 15) return 0;
  const plan = planOf(metadata);
  const candidates = [d0, d1 < 0 ? -1 : d0 * 10 + d1, d1 < 0 || d2 < 0 ? -1 : d0 * 100 + d1 * 10 + d2];
  for (let size = 1; size <= 3; size++) {
    const code = candidates[size - 1]!;
    if (code < 0) return 0;
    const lengths = plan.lengthsOf(String(code));
    if (lengths !== undefined) return lengths === null || lengths.has(digits - size) ? size : 0;
  }
  return 0;
}

function isDigits(text: string): boolean {
  return scanned.digits === text.length;
}

/** The text opens with exactly `size` digits and then a separator: `47 12 34 56 78`. */
function startsWithGroupOf(text: string, size: number): boolean {
  for (let i = 0; i < size; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  const next = text.charCodeAt(size);
  return next < 0x30 || next > 0x39;
}

interface Plan {
  /** National lengths possible under a calling code; null when the metadata does not say; undefined for no such code. */
  lengthsOf(callingCode: string): Set<number> | null | undefined;
  callingCodeOf(country: CountryCode): string;
  trunkPrefixOf(country: CountryCode): string | undefined;
}

// The numbering-plan accessors used here exist on libphonenumber-js's Metadata at runtime but are
// not in its typings; each use degrades to "unknown" (never to a wrong answer) if they go away.
interface MetadataView {
  selectNumberingPlan(country: string): void;
  numberingPlan?: { possibleLengths?(): number[] | undefined; nationalPrefix?(): string | undefined; callingCode?(): string };
}

const plans = new WeakMap<MetadataJson, Plan>();

function planOf(metadata: MetadataJson): Plan {
  let plan = plans.get(metadata);
  if (plan === undefined) plans.set(metadata, (plan = buildPlan(metadata)));
  return plan;
}

function buildPlan(metadata: MetadataJson): Plan {
  const view = new Metadata(metadata) as unknown as MetadataView;
  const lengths = new Map<string, Set<number> | null>();
  const select = (country: string) => {
    try {
      view.selectNumberingPlan(country);
      return view.numberingPlan;
    } catch {
      return undefined;
    }
  };
  const codes = metadata.country_calling_codes as Record<string, string[]>;
  return {
    lengthsOf(callingCode) {
      if (!Object.prototype.hasOwnProperty.call(codes, callingCode)) return undefined;
      if (!lengths.has(callingCode)) {
        let union: Set<number> | null = new Set();
        for (const country of codes[callingCode]!) {
          const possible = select(country)?.possibleLengths?.();
          if (!possible) {
            union = null;
            break;
          }
          for (const length of possible) union.add(length);
        }
        lengths.set(callingCode, union);
      }
      return lengths.get(callingCode);
    },
    callingCodeOf(country) {
      return select(country)?.callingCode?.() ?? '';
    },
    trunkPrefixOf(country) {
      return select(country)?.nationalPrefix?.() || undefined;
    },
  };
}
