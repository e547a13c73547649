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
  const profile: Profile = { language, allowed, widths };
  byMask[mask] = profile;
  return profile;
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
 * One pass: for each scheme still able to encode the text, its septets and the parts it needs
 * when every part holds the concatenated capacity (an escape and its character never split).
 */
export function cheapestGsm(text: string, profile: Profile): GsmChoice | undefined {
  const { widths, allowed } = profile;
  const size = widths.length;
  const n = text.length;
  // Four schemes unrolled into locals: arrays indexed per character cost three times as much.
  let alive = allowed;
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0; // septets
  let f0 = 0, f1 = 0, f2 = 0, f3 = 0; // septets in the current part
  let p0 = 1, p1 = 1, p2 = 1, p3 = 1; // parts at the concatenated capacity
  const [m0, m1, m2, m3] = MULTI_CAPACITY as [number, number, number, number];
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const packed = c < size ? widths[c]! : 0;
    if (alive & 1) {
      const w = packed & 3;
      if (w === 0) alive &= ~1;
      else {
        t0 += w;
        if (f0 + w > m0) (p0++, (f0 = w));
        else f0 += w;
      }
    }
    if (alive & 2) {
      const w = (packed >> 2) & 3;
      if (w === 0) alive &= ~2;
      else {
        t1 += w;
        if (f1 + w > m1) (p1++, (f1 = w));
        else f1 += w;
      }
    }
    if (alive & 4) {
      const w = (packed >> 4) & 3;
      if (w === 0) alive &= ~4;
      else {
        t2 += w;
        if (f2 + w > m2) (p2++, (f2 = w));
        else f2 += w;
      }
    }
    if (alive & 8) {
      const w = packed >> 6;
      if (w === 0) alive &= ~8;
      else {
        t3 += w;
        if (f3 + w > m3) (p3++, (f3 = w));
        else f3 += w;
      }
    }
    if (alive === 0) return undefined;
  }
  const septets = [t0, t1, t2, t3];
  const fill = [f0, f1, f2, f3];
  const parts = [p0, p1, p2, p3];
  let best: GsmChoice | undefined;
  for (let s = 0; s < 4; s++) {
    if ((alive & (1 << s)) === 0) continue;
    const total = septets[s]!;
    const one = total <= SINGLE_CAPACITY[s]!;
    const choice: GsmChoice = {
      scheme: s as Scheme,
      shift: SCHEME_SHIFT[s],
      septets: total,
      segments: total === 0 ? 0 : one ? 1 : parts[s]!,
      perSegment: one ? SINGLE_CAPACITY[s]! : MULTI_CAPACITY[s]!,
      remaining: one ? SINGLE_CAPACITY[s]! - total : MULTI_CAPACITY[s]! - fill[s]!,
    };
    // Fewest parts, then most room left in the last one (as AOSP's SmsMessage chooses), then the
    // fewest header elements: schemes are visited from none to both.
    if (!best || choice.segments < best.segments || (choice.segments === best.segments && choice.remaining > best.remaining)) best = choice;
  }
  return best;
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
 * the default alphabet.
 */
export function charactersForcingUcs2(text: string, profile: Profile): string[] {
  const { widths, allowed } = profile;
  let mask = 0;
  for (let s = 0; s < 4; s++) if (allowed & (1 << s)) mask |= 3 << (2 * s);
  const none = collectOutside(text, 0, widths, mask);
  return none.length > 0 ? none : collectOutside(text, 0, widths, 3);
}
