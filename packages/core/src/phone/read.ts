// Turns one cleaned, plain input into a result: which reading of the digits is meant, and why.
import { parsePhoneNumberFromString, parsePhoneNumberWithError, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import type { DigitReader } from './digits';
import { callingCodeSize, planOf } from './plan';
import { scanned } from './scan';
import type { PhoneErrorCode, PhoneNumberType, PhoneResult } from './types';

/** Resolved once per call rather than once per number. */
export interface Context {
  metadata: MetadataJson;
  country: CountryCode | undefined;
  /** A default country was given but is unknown to the metadata. */
  badCountry: boolean;
  /** Reused for every parse: the library copies its options anyway. */
  national: { defaultCountry?: CountryCode; extract: boolean };
  international: { extract: boolean };
  /** normalizePhone reports the number type; a list needs only E.164, so it skips that cost. */
  types: boolean;
  /** Reads plain digits as the library would, without its per-number costs; null: the library reads everything. */
  digits: DigitReader | null;
}

/** What a reading is read for: the library's PhoneNumber, or the digit reader's equivalent. */
interface Parsed {
  number: string;
  country?: CountryCode | undefined;
  countryCallingCode: string;
  nationalNumber: string;
  getType(): string | undefined;
}

/** `text` has just been scanned as plain. */
export function fromPlain(context: Context, text: string, input: string): PhoneResult {
  const { digits, afterIdd, plus } = scanned;
  if (digits === 0) return { ok: false, input, code: 'not_a_number' };
  // `00` is the international prefix wherever a national number could start with it (nowhere),
  // including countries whose own prefix differs (011 in the US), where the library misses it.
  if (afterIdd >= 0) return parse(context, '+' + text.slice(afterIdd), input, context.international);
  if (plus) return parse(context, text, input, context.international);
  if (context.badCountry) return { ok: false, input, code: 'invalid_country' };
  const size = internationalCodeSize(context.metadata, text);
  const international = size > 0 && mayBeInternational(context.metadata, text, size) ? validOrUndefined(context, '+' + text) : undefined;
  const shortBare = digits === text.length && digits < MIN_BARE_INTERNATIONAL;
  if (context.country === undefined) {
    return international && !shortBare ? ok(context, international) : { ok: false, input, code: 'invalid_country' };
  }
  return choose(context, context.country, text, input, international, shortBare);
}

/**
 * Bare digits shorter than this are not taken as another country's number without its `+`
 * (rule 3): most countries' national numbers have up to 10 digits, so `6465550199` is as likely
 * a US number stripped of its formatting as New Zealand's +64 6 555 0199. E.164 numbers of 11
 * digits and more (`447400123456`, `33612345678`) are not national numbers in most plans.
 */
const MIN_BARE_INTERNATIONAL = 11;

/**
 * Which reading of digits written without `+` or `00` wins, under a default country. Every
 * choice here decides where a message goes, so a reading of another country is never a guess:
 *
 * 1. The national reading wins when it is valid, as in libphonenumber and the vendors' SDKs, even
 *    when the digits also form a valid number elsewhere; that other reading is then reported as
 *    `alternative` (`2015678404` in the US: +1 201…, alternative +20 15678404, Egypt).
 * 2. Except when the digits start with the default country's own calling code and the country
 *    dials a trunk prefix they do not start with (`4915128403420` in DE, where national numbers
 *    are written `0151…`): that is the country's own number missing its `+`.
 * 3. A `+`-less international reading is considered only when the writing allows it: bare digits
 *    (`447400123456`, how The SMS Works and Infobip write numbers) or the calling code written as a
 *    group of its own (`44 7400 123456`). It is taken when the national reading is invalid or
 *    ruled out by rule 4, and, for bare digits, only from 11 digits on (MIN_BARE_INTERNATIONAL).
 *    Without a default country the same writing and length tests apply; nothing else is read.
 *    `(646) 555-0199` or `646-555-0199` is written nationally; under GB it is refused, never read
 *    as +64 6 555 0199 (New Zealand) because the digits happen to fit there.
 * 4. A national reading is refused as `ambiguous` when its grouping contradicts the country's
 *    national format of the same number:
 *    - the format starts with the trunk prefix, which the metadata does not call optional, and the
 *      writing does not: `(617) 680-8480` or `617-680-8480` under DE (German format
 *      `06176 808480`) is a US number written the US way; reading it as German would send to a
 *      stranger. Where the metadata calls the trunk prefix optional (Indian mobiles `98765 43210`,
 *      Russian `(912) 345-67-89`), a writing without it must open with the format's first group
 *      instead: `(201) 539-6998` under IN (Indian format `020 1539 6998`) is refused;
 *    - the country has formats but none for these digits, where the metadata validates by length
 *      and leading digits only (min, for most countries): `506-262-0587` passes min as Chinese, yet no
 *      Chinese number is grouped so (max metadata calls it invalid). The cost: a grouped number
 *      the metadata has no format for (Gibraltar `5712 3458`) is refused under min metadata;
 *      bare digits, `+350…` or `@msgkit/core/max` take it.
 *    Bare digits are exempt: they assert no grouping, and spreadsheets drop leading zeros
 *    (`7400123456` under GB is the GB number). A writing that starts with the trunk prefix is
 *    national by its own account. Formats without a trunk prefix (`(11) 96123-4567` in BR, every
 *    NANP country) keep their parentheses.
 */
function choose(context: Context, country: CountryCode, text: string, input: string, international: Parsed | undefined, shortBare: boolean): PhoneResult {
  const national = reading(context, text, context.national);
  const nationalValid = typeof national !== 'string';
  if (international) {
    const plan = planOf(context.metadata);
    const trunk = plan.trunkPrefixOf(country);
    if (trunk !== undefined && international.countryCallingCode === plan.callingCodeOf(country) && !digitsStartWith(text, trunk)) {
      return ok(context, international, nationalValid ? otherThan(national, international) : undefined);
    }
    if (!nationalValid && !shortBare) return ok(context, international);
  }
  if (!nationalValid) return { ok: false, input, code: national };
  if (scanned.digits !== text.length && writtenAgainstFormat(context, country, text, national)) {
    // `41 21 256 21 37` under DE: the writing rules the national reading out and sets +41 apart.
    return international ? ok(context, international, otherThan(national, international)) : { ok: false, input, code: 'ambiguous' };
  }
  return ok(context, national, international ? otherThan(international, national) : undefined);
}

/** Rule 4, for grouped digits whose national reading is valid. */
function writtenAgainstFormat(context: Context, country: CountryCode, text: string, national: Parsed): boolean {
  const plan = planOf(context.metadata);
  const trunk = plan.trunkPrefixOf(country);
  if (trunk !== undefined && digitsStartWith(text, trunk)) return false;
  const of = national.country ?? country;
  const { typed, trunkFirst } = plan.formatFacts(of);
  if (typed && !trunkFirst) return false;
  const format = plan.nationalFormatOf(of, national.nationalNumber);
  if (typeof format === 'object') return firstGroupSize(text) !== format.optionalTrunkFirstGroup;
  return format === 'trunk' || (format === 'none' && !typed);
}

/** Digits before the first separator, a leading `(` skipped: 3 for `(201) 539-6998`. */
function firstGroupSize(text: string): number {
  let size = 0;
  for (let i = text.charCodeAt(0) === 0x28 ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    size++;
  }
  return size;
}

/** The digits of `text`, separators skipped, start with `prefix` (without building a copy). */
function digitsStartWith(text: string, prefix: string): boolean {
  let matched = 0;
  for (let i = 0; i < text.length && matched < prefix.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    if (c !== prefix.charCodeAt(matched)) return false;
    matched++;
  }
  return matched === prefix.length;
}

function mayBeInternational(metadata: MetadataJson, text: string, size: number): boolean {
  const digits = scanned.digits === text.length ? text : text.replace(/\D/g, '');
  return planOf(metadata).mayBeValid(digits.slice(0, size), digits.slice(size));
}

/** Rule 3's writing test on the last scan: the calling-code size when bare digits or `44 7400…`, else 0. */
function internationalCodeSize(metadata: MetadataJson, text: string): number {
  const size = callingCodeSize(metadata);
  if (size === 0) return 0;
  return scanned.digits === text.length || startsWithGroupOf(text, size) ? size : 0;
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

const otherThan = (candidate: Parsed, chosen: Parsed) => (candidate.number === chosen.number ? undefined : candidate.number);

export function parse(context: Context, text: string, input: string, options: Context['national']): PhoneResult {
  const phone = reading(context, text, options);
  return typeof phone === 'string' ? { ok: false, input, code: phone } : ok(context, phone);
}

/** The valid number `text` reads as, or why it is not one. */
function reading(context: Context, text: string, options: Context['national']): Parsed | PhoneErrorCode {
  const read = context.digits?.read(text, options.defaultCountry);
  if (read !== undefined) return typeof read === 'string' ? codeOf(read) : read.valid ? read : lengthCode(context.metadata, read);
  let phone: Parsed & { isValid(): boolean };
  // The library's errors become codes here; capturing a stack trace for each was most of the cost
  // of a junk entry in a list. The limit is restored before anything else can run.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    phone = parsePhoneNumberWithError(text, options, context.metadata);
  } catch (error) {
    return codeOf((error as Error).message);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return phone.isValid() ? phone : lengthCode(context.metadata, phone);
}

function validOrUndefined(context: Context, text: string): Parsed | undefined {
  const read = context.digits?.read(text, undefined);
  if (read !== undefined) return typeof read === 'string' || !read.valid ? undefined : read;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const phone = parsePhoneNumberFromString(text, context.international, context.metadata);
    return phone?.isValid() ? phone : undefined;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Why a parsed number is invalid, from the lengths its calling code allows (no second parse). */
function lengthCode(metadata: MetadataJson, phone: Parsed): PhoneErrorCode {
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

function ok(context: Context, phone: Parsed, alternative?: string): PhoneResult {
  const result: Extract<PhoneResult, { ok: true }> = { ok: true, e164: phone.number };
  if (phone.country !== undefined) result.country = phone.country;
  if (context.types) {
    // Only where the metadata has type patterns: all of max; US, CA, GB, AU, IT and a few more in min.
    const type = phone.getType() as PhoneNumberType | undefined;
    if (type !== undefined) result.type = type;
  }
  if (alternative !== undefined) result.alternative = alternative;
  return result;
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
