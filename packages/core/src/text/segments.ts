import { ValidationError } from '../errors';
import { messageFor } from '../rules/messages';
import { DEFAULT_WIDTHS, GSM_LIMITS as GSM, GSM_WIDTH, TABLE_SIZE } from './gsm7';
import { countNational, resolveOptions, type SegmentOptions, splitNational } from './national-count';
import { collectOutside } from './outside';
import type { NationalLanguage } from './national-tables';
import { ucs2Parts, ucs2Shape } from './ucs2';

/** The encoding a text is sent in: the GSM 7-bit alphabet, or UCS-2 when a character needs it. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The result of `countSegments`: the encoding, the units and parts, and what forced UCS-2. */
export interface SegmentCount {
  encoding: SmsEncoding;
  /** GSM-7 septets (extension characters count 2) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Capacity of each segment of this message: 160/70 when it fits in one, else 153/67. */
  perSegment: number;
  /** Units still free in the last segment. */
  remaining: number;
  /** Distinct characters (whole code points) that forced UCS-2, in order of first appearance. */
  nonGsm: string[];
  /**
   * Only when counted with a `language`: the national tables the chosen encoding announces (both
   * false for the default alphabet and for UCS-2). `perSegment` is then what the header leaves:
   * 155 / 149 septets with one table, 152 / 146 with both.
   */
  national?: { language: NationalLanguage; lockingShift: boolean; singleShift: boolean };
}

// The hot loops below inline gsm7.gsmWidth by hand: a call per character costs measurably more.
// TABLE_SIZE and GSM are gsm7's constants, not reads of GSM_WIDTH.length and LIMITS['GSM-7']: a
// read at the top level is kept by a bundler, and with it the tables, in apps that never count.
const EURO = 0x20ac;

/**
 * Counts the parts `text` needs as SMS, and why it needs UCS-2 if it does.
 *
 * An empty text is 0 segments (GSM-7, 0 units, the whole 160 free): nothing would be sent.
 * Anything but a string throws a ValidationError (code `invalid_type` at path `text`).
 * Linear in the length of `text`, however many distinct characters it holds.
 *
 * With `{ language }` the national shift tables of that language (3GPP TS 23.038 Annex A) are
 * tried too, and the cheapest of the default alphabet, the single shift table, the locking shift
 * table, both, and UCS-2 is reported, with the tables it uses in `national`.
 */
export function countSegments(text: string, options?: SegmentOptions): SegmentCount {
  if (typeof text !== 'string') throw notAString();
  if (options !== undefined) {
    const profile = resolveOptions(options);
    if (profile !== undefined) return countNational(text, profile);
  }
  return countDefault(text);
}

/**
 * @internal countSegments of a string with the default alphabet only: what the providers' text
 * rules count. Apart from countSegments so that an app which never passes `{ language }` does not
 * carry the national tables (13 kB minified) that the options may ask for.
 */
export function countDefault(text: string): SegmentCount {
  // One pass: septets, and the parts at the concatenated capacity (an escape and its character
  // never split), which count only when the text needs more than one.
  let septets = 0;
  let segments = 1;
  let fill = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const w = c < TABLE_SIZE ? GSM_WIDTH[c]! : c === EURO ? 2 : 0;
    if (w === 0) return countUcs2(text, i);
    septets += w;
    if (fill + w > GSM.multi) {
      segments++;
      fill = w;
    } else fill += w;
  }
  if (septets <= GSM.single) return result('GSM-7', septets, septets === 0 ? 0 : 1, GSM.single, GSM.single - septets, []);
  return result('GSM-7', septets, segments, GSM.multi, GSM.multi - fill, []);
}

/**
 * The parts of `text` as they would be sent; `splitSegments(t).join('') === t`, and an empty text
 * is no part at all (`[]`). Anything but a string throws a ValidationError, as countSegments does.
 */
export function splitSegments(text: string, options?: SegmentOptions): string[] {
  if (typeof text !== 'string') throw notAString();
  if (options !== undefined) {
    const profile = resolveOptions(options);
    if (profile !== undefined) return splitNational(text, profile);
  }
  const n = text.length;
  let septets = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    const w = c < TABLE_SIZE ? GSM_WIDTH[c]! : c === EURO ? 2 : 0;
    if (w === 0) break;
    septets += w;
  }
  if (n === 0) return [];
  const parts: string[] = [];
  let start = 0;
  let fill = 0;
  if (i === n) {
    if (septets <= GSM.single) return [text];
    for (let j = 0; j < n; j++) {
      const c = text.charCodeAt(j);
      const w = c < TABLE_SIZE ? GSM_WIDTH[c]! : 2;
      if (fill + w > GSM.multi) {
        parts.push(text.slice(start, j));
        start = j;
        fill = w;
      } else fill += w;
    }
  } else return ucs2Parts(text);
  parts.push(text.slice(start));
  return parts;
}

// Callers in plain JavaScript (or casting) can pass anything; without this a number counted as an
// empty text (0 segments) and null threw a bare TypeError from inside the loop.
export function notAString(): ValidationError {
  return new ValidationError([{ path: ['text'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string' }) }]);
}

/** @internal nonGsm in one pass from the first non-GSM character; parts by jumping 67 units at a time. */
export function countUcs2(text: string, from: number): SegmentCount {
  const nonGsm = collectOutside(text, from, DEFAULT_WIDTHS, 3);
  const n = text.length;
  const { segments, perSegment, remaining } = ucs2Shape(text);
  return result('UCS-2', n, segments, perSegment, remaining, nonGsm);
}

export function result(
  encoding: SmsEncoding,
  units: number,
  segments: number,
  perSegment: number,
  remaining: number,
  nonGsm: string[],
): SegmentCount {
  return { encoding, units, segments, perSegment, remaining, nonGsm };
}
