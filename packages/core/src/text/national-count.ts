import { ValidationError } from '../errors';
import { cheapestGsm, charactersForcingUcs2, NATIONAL_SHIFTS, type NationalShift, type Profile, profileFor, shiftMask, splitGsm } from './national';
import { NATIONAL_TABLES, type NationalLanguage } from './national-tables';
import type { SegmentCount } from './segments';
import { ucs2Parts, ucs2Shape } from './ucs2';

/** Options of `countSegments` and `splitSegments`: the national language tables to try. */
export interface SegmentOptions {
  /** Also try this language's national shift tables (ISO 639-1: tr, es, pt, bn, gu, hi, kn, ml, or, pa, ta, te, ur). */
  language?: NationalLanguage;
  /**
   * The national tables a message may announce (default: every one the language has). A vendor
   * that sends only a single shift table is counted with `['single']`, never with more.
   */
  shifts?: readonly NationalShift[];
}

/** @internal Vendor widths for default-alphabet characters, beyond the options a caller gives. */
export interface ProfileExtras {
  widths?: Readonly<Record<string, 1 | 2>>;
}

// Calls at the top of a module are marked pure so that bundlers drop them (and the tables) when unused.
const ALL_SHIFTS = /* @__PURE__ */ shiftMask(NATIONAL_SHIFTS);

/** The languages with 3GPP TS 23.038 national tables: the values `{ language }` takes. */
export const NATIONAL_LANGUAGES = /* @__PURE__ */ Object.keys(NATIONAL_TABLES) as NationalLanguage[];

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path: ['options', path], code: 'invalid', message }]);
}

/**
 * @internal The profile the options ask for, or undefined when they ask for nothing beyond the
 * default alphabet (so that path stays the plain one). Unknown languages and shifts are refused.
 */
export function resolveOptions(options: SegmentOptions, extras: ProfileExtras = {}): Profile | undefined {
  if (options === null || typeof options !== 'object') throw invalid('options', 'must be an object');
  const { language, shifts } = options;
  // The language alone, as most callers pass it: the profile found last time, without looking it up.
  if (language !== undefined && language === lastLanguage && shifts === undefined && extras.widths === undefined) return lastProfile;
  if (language !== undefined && !Object.prototype.hasOwnProperty.call(NATIONAL_TABLES, language)) {
    throw invalid('language', `must be one of ${NATIONAL_LANGUAGES.join(', ')}`);
  }
  let mask = ALL_SHIFTS;
  if (shifts !== undefined) {
    if (!Array.isArray(shifts) || shifts.some((s: unknown) => !NATIONAL_SHIFTS.includes(s as NationalShift))) {
      throw invalid('shifts', `must be a list of ${NATIONAL_SHIFTS.join(', ')}`);
    }
    mask = shiftMask(shifts);
  }
  if (language === undefined && extras.widths === undefined) return undefined;
  const profile = profileFor(language, mask, extras.widths);
  if (shifts === undefined && extras.widths === undefined) [lastLanguage, lastProfile] = [language, profile];
  return profile;
}

let lastLanguage: NationalLanguage | undefined;
let lastProfile: Profile | undefined;

/** @internal countSegments with national tables (or vendor widths). */
export function countNational(text: string, profile: Profile): SegmentCount {
  const found = cheapestGsm(text, profile);
  const gsm = typeof found === 'number' ? undefined : found;
  const ucs2 = gsm === undefined || gsm.segments > 1 ? ucs2Shape(text) : undefined;
  const language = profile.language;
  // UCS-2 only when it needs fewer parts: on a tie the GSM-7 the caller asked for is kept.
  if (gsm !== undefined && (ucs2 === undefined || gsm.segments <= ucs2.segments)) {
    const count: SegmentCount = { encoding: 'GSM-7', units: gsm.septets, segments: gsm.segments, perSegment: gsm.perSegment, remaining: gsm.remaining, nonGsm: [] };
    if (language !== undefined) count.national = { language, lockingShift: (gsm.scheme & 2) !== 0, singleShift: (gsm.scheme & 1) !== 0 };
    return count;
  }
  const shape = ucs2 ?? ucs2Shape(text);
  const nonGsm = typeof found === 'number' ? charactersForcingUcs2(text, profile, found) : [];
  const count: SegmentCount = { encoding: 'UCS-2', units: text.length, segments: shape.segments, perSegment: shape.perSegment, remaining: shape.remaining, nonGsm };
  if (language !== undefined) count.national = { language, lockingShift: false, singleShift: false };
  return count;
}

/** @internal splitSegments with national tables (or vendor widths): the parts of countNational's choice. */
export function splitNational(text: string, profile: Profile): string[] {
  const gsm = cheapestGsm(text, profile);
  if (typeof gsm !== 'number' && (gsm.segments <= 1 || gsm.segments <= ucs2Shape(text).segments)) return splitGsm(text, profile, gsm);
  return ucs2Parts(text);
}
