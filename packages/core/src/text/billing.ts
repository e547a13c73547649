import { type NationalShift } from './national';
import { countNational, resolveOptions } from './national-count';
import type { NationalLanguage } from './national-tables';
import { countSegments, notAString, type SegmentCount } from './segments';

/**
 * How a vendor turns a text into billed parts, as its own documentation says (each provider
 * package exports its own as `billing`, with the sources). Counting for a vendor with
 * countSegmentsFor uses these facts and nothing the vendor does not document.
 */
export interface SmsBilling {
  vendor: string;
  /**
   * The national language tables the vendor can send with, and which of them; a language that is
   * not here is never assumed for that vendor.
   */
  nationalLanguages: Partial<Record<NationalLanguage, readonly NationalShift[]>>;
  /** Where a request names the language, when the vendor has such a field. */
  languageField?: string;
  /** Characters of one part: GSM-7 septets alone and concatenated, UCS-2 units alike. */
  parts: { gsm7: { single: number; multi: number }; ucs2: { single: number; multi: number } };
  /** Characters the vendor bills as two although the default alphabet has them as one (or not at all). */
  doubleCounted?: string;
  /** Most parts or characters one text may have. */
  maxParts?: number;
  maxCharacters?: number;
  /** How parts become money or credits. */
  credits: string;
  /** What the vendor adds to, requires in, or rewrites of a text before sending it. */
  textRules: ReadonlyArray<{ rule: string; effect: string }>;
  sources: readonly string[];
}

/** The result of `countSegmentsFor`: a count with one vendor's billing facts. */
export interface VendorSegmentCount extends SegmentCount {
  /** The language asked for, which this vendor cannot send with: the text was counted without it. */
  ignoredLanguage?: NationalLanguage;
}

const widthCache = new WeakMap<SmsBilling, Readonly<Record<string, 1 | 2>>>();

function widthsOf(billing: SmsBilling): Readonly<Record<string, 1 | 2>> | undefined {
  if (billing.doubleCounted === undefined) return undefined;
  let widths = widthCache.get(billing);
  if (!widths) {
    widths = Object.fromEntries([...billing.doubleCounted].map((c) => [c, 2 as const]));
    widthCache.set(billing, widths);
  }
  return widths;
}

/**
 * Parts `text` costs at one vendor: with `language` only where the vendor documents that
 * language's tables (and only those tables), with the vendor's own double-counted characters.
 */
export function countSegmentsFor(billing: SmsBilling, text: string, options: { language?: NationalLanguage } = {}): VendorSegmentCount {
  if (typeof text !== 'string') throw notAString();
  const language = options.language;
  const shifts = language === undefined ? undefined : billing.nationalLanguages[language];
  const supported = language !== undefined && shifts !== undefined;
  const profile = resolveOptions(supported ? { language, shifts } : {}, { widths: widthsOf(billing) });
  const count = profile === undefined ? countSegments(text) : countNational(text, profile);
  return language !== undefined && !supported ? { ...count, ignoredLanguage: language } : count;
}
