// Counting with the national language shift tables of 3GPP TS 23.038: up to four GSM-7 schemes are
// measured in one pass over the text (default alphabet and extension; default alphabet and the
// language's single shift table; the language's locking shift table and the default extension;
// both of the language's tables), and the cheapest one wins, or UCS-2 when that is cheaper still.
import { GSM_ALPHABET } from './gsm7';
import { collectOutside } from './outside';
import { NATIONAL_TABLES, type NationalLanguage } from './national-tables';

/** Which national tables a message may announce in its header: one of them, or both together. */
export type NationalShift = 'single' | 'locking' | 'single+locking';

export const NATIONAL_SHIFTS: readonly NationalShift[] = ['single', 'locking', 'single+locking'];

/** Scheme index: bit 0 = the language's single shift table, bit 1 = its locking shift table. */
type Scheme = 0 | 1 | 2 | 3;
const SCHEME_SHIFT: readonly (NationalShift | undefined)[] = [undefined, 'single', 'locking', 'single+locking'];

/**
 * Septets one part holds after its user data header: 140 octets less the header (a length octet
 * and its elements), floored to whole septets (the fill bits pad the header to a septet boundary).
 * Concatenation with an 8-bit reference is a 5-octet element; each national language element 3.
 */
export function septetCapacity(nationalElements: 0 | 1 | 2, concatenated: boolean): number {
  const elements = 3 * nationalElements + (concatenated ? 5 : 0);
  if (elements === 0) return 160;
  return Math.floor(((140 - 1 - elements) * 8) / 7);
}

const ELEMENTS: readonly (0 | 1 | 2)[] = [0, 1, 1, 2];
const SINGLE_CAPACITY = /* @__PURE__ */ ELEMENTS.map((e) => septetCapacity(e, false));
const MULTI_CAPACITY = /* @__PURE__ */ ELEMENTS.map((e) => septetCapacity(e, true));

/** @internal A compiled set of schemes: per code unit, the width in each scheme, two bits each. */
export interface Profile {
  language: NationalLanguage | undefined;
  /** Bit s set: scheme s may be used. */
  allowed: number;
  widths: Uint8Array;
  /**
   * Bit 4b + a set: scheme a (a < b) is never worse than scheme b on a text both hold, since no
   * character is narrower in b (e.g. the default alphabet and its extension against the same
   * with a single shift table that repeats the extension): b need not be counted when a holds.
   */
  dominators: number;
}

const HOLE = '\uffff';

function mark(widths: Uint8Array, chars: string, scheme: Scheme, width: 1 | 2): void {
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    if (chars[i] === HOLE) continue;
    const shift = 2 * scheme;
    // A character in the locking table is one septet even if the single shift table has it too.
    const current = (widths[c]! >> shift) & 3;
    if (current === 0 || width < current) widths[c] = (widths[c]! & ~(3 << shift)) | (width << shift);
  }
}

function maxCode(...tables: string[]): number {
  let max = 0;
  for (const table of tables) for (let i = 0; i < table.length; i++) if (table[i] !== HOLE) max = Math.max(max, table.charCodeAt(i));
  return max;
}

const profiles = new Map<NationalLanguage | undefined, Profile[]>();
const withOverrides = new WeakMap<object, Map<NationalLanguage | undefined, Profile[]>>();

/** Bit per allowed shift, in NATIONAL_SHIFTS order. */
export function shiftMask(shifts: readonly NationalShift[]): number {
  let mask = 0;
  for (const shift of shifts) mask |= 1 << NATIONAL_SHIFTS.indexOf(shift);
  return mask;
}

/**
 * The schemes for `language` (none: the default alphabet only) restricted to the shifts in
 * `mask`, with a vendor's own widths for characters of the default alphabet (e.g. Octopush bills
 * `@` as two). Built once per combination and kept: 13 languages × 8 subsets of shifts at most,
 * per vendor table of widths (held weakly).
 */
export function profileFor(language: NationalLanguage | undefined, mask: number, overrides?: Readonly<Record<string, 1 | 2>>): Profile {
  let cache = profiles;
  if (overrides !== undefined) {
    cache = withOverrides.get(overrides) ?? new Map();
    withOverrides.set(overrides, cache);
  }
  let byMask = cache.get(language);
  if (!byMask) cache.set(language, (byMask = []));
  const known = byMask[mask];
  if (known) return known;
  const shifts = NATIONAL_SHIFTS.filter((_, i) => mask & (1 << i));
  const tables = language === undefined ? undefined : NATIONAL_TABLES[language];
  const locking = tables && 'locking' in tables ? tables.locking : undefined;
  const single = tables?.single;
  const { basic, extension } = GSM_ALPHABET;
  const widths = new Uint8Array(maxCode(basic, extension, locking ?? '', single ?? '', Object.keys(overrides ?? {}).join('')) + 1);
  let allowed = 1;
  mark(widths, basic, 0, 1);
  mark(widths, extension, 0, 2);
  for (const [char, width] of Object.entries(overrides ?? {})) {
    const c = char.charCodeAt(0);
    widths[c] = (widths[c]! & ~3) | width;
  }
  if (single !== undefined && shifts.includes('single')) {
    allowed |= 1 << 1;
    mark(widths, basic, 1, 1);
    mark(widths, single, 1, 2);
  }
  if (locking !== undefined && shifts.includes('locking')) {
    allowed |= 1 << 2;
    mark(widths, locking, 2, 1);
    mark(widths, extension, 2, 2);
  }
  if (locking !== undefined && single !== undefined && shifts.includes('single+locking')) {
    allowed |= 1 << 3;
    mark(widths, locking, 3, 1);
    mark(widths, single, 3, 2);
  }
  const profile: Profile = { language, allowed, widths, dominators: dominators(widths, allowed) };
  byMask[mask] = profile;
  return profile;
}

// A scheme with widths no larger and parts no smaller (a < b: fewer header elements) needs no more
// parts with no less room in the last: each of its parts ends no earlier than the same part of b.
function dominators(widths: Uint8Array, allowed: number): number {
  let bits = 0;
  for (let b = 1; b < 4; b++) {
    for (let a = 0; a < b; a++) {
      if ((allowed & (1 << a)) === 0 || (allowed & (1 << b)) === 0) continue;
      let dominates = true;
      for (let c = 0; c < widths.length && dominates; c++) {
        const wa = (widths[c]! >> (2 * a)) & 3;
        const wb = (widths[c]! >> (2 * b)) & 3;
        if (wa !== 0 && wb !== 0 && wb < wa) dominates = false;
      }
      if (dominates) bits |= 1 << (4 * b + a);
    }
  }
  return bits;
}

/** @internal The cheapest GSM-7 scheme for a text, or none when no allowed scheme encodes it. */
export interface GsmChoice {
  scheme: Scheme;
  shift: NationalShift | undefined;
  septets: number;
  segments: number;
  perSegment: number;
  remaining: number;
}

/**
 * One pass over the text: which allowed schemes hold every character, and how many of its
 * characters each of them escapes (two septets). Parts follow from the septets where no escape can
 * be pushed to the next part (one part, or no escape); otherwise a second pass walks the parts of
 * that scheme, and only for a scheme that can still need the fewest parts. Returns the cheapest
 * scheme, or, when no allowed scheme holds the text, the index of the code unit none of them has.
 */
export function cheapestGsm(text: string, profile: Profile): GsmChoice | number {
  const { widths, allowed } = profile;
  const size = widths.length;
  const n = text.length;
  // Bit 2s is set while scheme s holds every character so far: the low bit of its 2-bit field in
  // `p | p >> 1` is set exactly when its width is not 0. Bit 2s + 1 of a width is set for an escape.
  let alive = (allowed & 1) | ((allowed & 2) << 1) | ((allowed & 4) << 2) | ((allowed & 8) << 3);
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const p = c < size ? widths[c]! : 0;
    alive &= p | (p >> 1);
    if (alive === 0) return i;
    if ((p & 0xaa) !== 0) {
      e0 += (p >> 1) & 1;
      e1 += (p >> 3) & 1;
      e2 += (p >> 5) & 1;
      e3 += p >> 7;
    }
  }
  // A part is closed only when the next character does not fit, so each but the last holds at
  // least capacity - 1 septets: the most parts a scheme can need, however its escapes fall.
  let fewest = Infinity;
  for (let s = 0; s < 4; s++) {
    if ((alive & (1 << (2 * s))) === 0) continue;
    const septets = n + (s === 0 ? e0 : s === 1 ? e1 : s === 2 ? e2 : e3);
    const multi = MULTI_CAPACITY[s]!;
    const most = septets <= SINGLE_CAPACITY[s]! ? 1 : 1 + Math.floor((septets - 1) / (multi - 1));
    if (most < fewest) fewest = most;
  }
  const holding = (alive & 1) | ((alive >> 1) & 2) | ((alive >> 2) & 4) | ((alive >> 3) & 8);
  let best: GsmChoice | undefined;
  for (let s = 0; s < 4; s++) {
    if ((holding & (1 << s)) === 0 || ((profile.dominators >> (4 * s)) & holding) !== 0) continue;
    const escapes = s === 0 ? e0 : s === 1 ? e1 : s === 2 ? e2 : e3;
    const septets = n + escapes;
    const single = SINGLE_CAPACITY[s]!;
    const multi = MULTI_CAPACITY[s]!;
    let segments: number;
    let remaining: number;
    if (septets <= single) {
      segments = septets === 0 ? 0 : 1;
      remaining = single - septets;
    } else if (escapes === 0) {
      segments = Math.ceil(septets / multi);
      remaining = segments * multi - septets;
    } else if (Math.ceil(septets / multi) > fewest) continue;
    else {
      const walked = walkParts(text, widths, 2 * s, multi);
      segments = walked.parts;
      remaining = multi - walked.fill;
    }
    const choice: GsmChoice = { scheme: s as Scheme, shift: SCHEME_SHIFT[s], septets, segments, perSegment: septets <= single ? single : multi, remaining };
    // Fewest parts, then most room left in the last one (as AOSP's SmsMessage chooses), then the
    // fewest header elements: schemes are visited from none to both.
    if (!best || choice.segments < best.segments || (choice.segments === best.segments && choice.remaining > best.remaining)) best = choice;
  }
  return best!;
}

/** Parts of a text every character of which the scheme at `shift` holds, and the septets of the last. */
function walkParts(text: string, widths: Uint8Array, shift: number, capacity: number): { parts: number; fill: number } {
  let parts = 1;
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const w = (widths[text.charCodeAt(i)]! >> shift) & 3;
    if (fill + w > capacity) {
      parts++;
      fill = w;
    } else fill += w;
  }
  return { parts, fill };
}

/** The parts of `text` in the chosen scheme: cut before the character that would overflow a part. */
export function splitGsm(text: string, profile: Profile, choice: GsmChoice): string[] {
  if (choice.segments <= 1) return choice.segments === 0 ? [] : [text];
  const { widths } = profile;
  const shift = 2 * choice.scheme;
  const capacity = MULTI_CAPACITY[choice.scheme]!;
  const parts: string[] = [];
  let start = 0;
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const w = (widths[text.charCodeAt(i)]! >> shift) & 3;
    if (fill + w > capacity) {
      parts.push(text.slice(start, i));
      start = i;
      fill = w;
    } else fill += w;
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Distinct characters (whole code points) that no allowed table has, in order of first appearance;
 * when every character is in some table but no one scheme holds them all, the characters outside
 * the default alphabet. `from`: where cheapestGsm stopped (every character before it is in a table).
 */
export function charactersForcingUcs2(text: string, profile: Profile, from = 0): string[] {
  const { widths, allowed } = profile;
  let mask = 0;
  for (let s = 0; s < 4; s++) if (allowed & (1 << s)) mask |= 3 << (2 * s);
  const none = collectOutside(text, from, widths, mask);
  return none.length > 0 ? none : collectOutside(text, 0, widths, 3);
}
