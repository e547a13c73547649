// What the numbering plans in the bound metadata say about calling codes and trunk prefixes,
// read once per metadata object and cached, so the per-number work stays a few lookups.
import { Metadata, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import { scanned } from './scan';

export interface Plan {
  /** National lengths possible under a calling code; null when the metadata does not say; undefined for no such code. */
  lengthsOf(callingCode: string): Set<number> | null | undefined;
  callingCodeOf(country: CountryCode): string;
  /** The digits dialled before an area code inside the country (`0` in DE and GB), if it has one. */
  trunkPrefixOf(country: CountryCode): string | undefined;
  /**
   * How the country's national format writes this national number: `trunk` when it starts with
   * the trunk prefix and may not leave it out (`06176 808480`), the size of its first group when
   * it may (`98765 43210` in IN), `plain` when it has none (`(201) 555-0123`), `none` when the
   * country has formats but none for these digits, `unknown` when the metadata cannot say.
   * libphonenumber-js's own formatNational compiles its regular expressions anew on every call;
   * these are compiled once per country, which keeps a list of 25 000 numbers within budget.
   */
  nationalFormatOf(country: CountryCode, nationalNumber: string): NationalFormat;
  /** What nationalFormatOf could tell about a country, so that callers skip it when nothing. */
  formatFacts(country: CountryCode): FormatFacts;
  /**
   * False only when `+{callingCode}{rest}` cannot be valid: `rest`, with or without a plain
   * national prefix, matches no national-number pattern under the code. Saves the second parse
   * of most bare digits, which decides the cost of a list against a bare libphonenumber-js loop.
   */
  mayBeValid(callingCode: string, rest: string): boolean;
}

/** Under one calling code: every country's national-number pattern, or null when only a parse can tell. */
interface QuickCheck {
  pattern: RegExp;
  prefixes: string[];
}

export interface FormatFacts {
  /** Some national format of the country starts with its trunk prefix, required or optional. */
  trunkFirst: boolean;
  /**
   * The metadata has number-type patterns for the country (all of max; in min, US, CA, GB, AU, IT and a few more). Without them
   * it validates by length and leading digits only, and digits no format covers are a sign the
   * number does not exist; with them, that sign adds nothing and would only refuse numbers whose
   * format the metadata lacks (Gibraltar `57123458`).
   */
  typed: boolean;
}

export type NationalFormat = 'trunk' | 'plain' | 'none' | 'unknown' | { optionalTrunkFirstGroup: number };

interface CompiledFormat {
  leading: RegExp | undefined;
  pattern: RegExp;
  trunk: 'required' | 'optional' | 'absent';
}

// libphonenumber-js's Format objects, as its formatNational reads them.
interface FormatView {
  pattern(): string;
  leadingDigitsPatterns(): string[];
  nationalPrefixFormattingRule(): string | 0 | undefined;
  nationalPrefixIsOptionalWhenFormattingInNationalFormat?(): boolean;
}

// The numbering-plan accessors used here exist on libphonenumber-js's Metadata at runtime but are
// not in its typings; each use degrades to "unknown" (never to a wrong answer) if they go away.
interface MetadataView {
  selectNumberingPlan(country: string): void;
  numberingPlan?: {
    possibleLengths?(): number[] | undefined;
    nationalPrefix?(): string | undefined;
    callingCode?(): string;
    formats?(): FormatView[] | undefined;
    hasTypes?(): boolean;
    nationalNumberPattern?(): string;
    nationalPrefixForParsing?(): string | undefined;
    nationalPrefixTransformRule?(): string | undefined;
  };
}

const plans = new WeakMap<MetadataJson, Plan>();

export function planOf(metadata: MetadataJson): Plan {
  let plan = plans.get(metadata);
  if (plan === undefined) plans.set(metadata, (plan = buildPlan(metadata)));
  return plan;
}

function buildPlan(metadata: MetadataJson): Plan {
  const view = new Metadata(metadata) as unknown as MetadataView;
  const lengths = new Map<string, Set<number> | null>();
  const codes = new Map<string, string>();
  const trunks = new Map<string, string | undefined>();
  const formats = new Map<string, CompiledFormat[] | null>();
  const facts = new Map<string, FormatFacts>();
  const quick = new Map<string, QuickCheck | null>();
  const compiledOf = (country: string) => {
    let compiled = formats.get(country);
    if (compiled === undefined) formats.set(country, (compiled = compileFormats(select(country)?.formats?.(), select(country)?.nationalPrefix?.() || undefined)));
    return compiled;
  };
  const select = (country: string) => {
    try {
      view.selectNumberingPlan(country);
      return view.numberingPlan;
    } catch {
      return undefined;
    }
  };
  const byCode = metadata.country_calling_codes as Record<string, string[]>;
  return {
    lengthsOf(callingCode) {
      if (!Object.prototype.hasOwnProperty.call(byCode, callingCode)) return undefined;
      if (!lengths.has(callingCode)) {
        let union: Set<number> | null = new Set();
        for (const country of byCode[callingCode]!) {
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
      let code = codes.get(country);
      if (code === undefined) codes.set(country, (code = select(country)?.callingCode?.() ?? ''));
      return code;
    },
    trunkPrefixOf(country) {
      if (!trunks.has(country)) trunks.set(country, select(country)?.nationalPrefix?.() || undefined);
      return trunks.get(country);
    },
    nationalFormatOf(country, nationalNumber) {
      const compiled = compiledOf(country);
      if (compiled === null || compiled.length === 0) return 'unknown';
      // The first format whose most detailed leading-digits pattern and whole pattern match, as formatNational picks it.
      for (const format of compiled) {
        if (format.leading !== undefined && !format.leading.test(nationalNumber)) continue;
        if (format.trunk === 'absent') {
          if (format.pattern.test(nationalNumber)) return 'plain';
          continue;
        }
        const groups = format.pattern.exec(nationalNumber);
        if (groups === null) continue;
        return format.trunk === 'required' ? 'trunk' : { optionalTrunkFirstGroup: (groups[1] ?? '').length };
      }
      return 'none';
    },
    mayBeValid(callingCode, rest) {
      let check = quick.get(callingCode);
      if (check === undefined) quick.set(callingCode, (check = quickCheck(byCode[callingCode], select)));
      if (check === null || check.pattern.test(rest)) return true;
      for (const prefix of check.prefixes) if (rest.startsWith(prefix) && check.pattern.test(rest.slice(prefix.length))) return true;
      return false;
    },
    formatFacts(country) {
      let known = facts.get(country);
      if (known === undefined) {
        // Unknown counts as typed and trunk-free, which switches the checks that depend on them off.
        const typed = select(country)?.hasTypes?.() ?? true;
        known = { typed, trunkFirst: compiledOf(country)?.some((format) => format.trunk !== 'absent') ?? false };
        facts.set(country, known);
      }
      return known;
    },
  };
}

function quickCheck(countries: string[] | undefined, select: (country: string) => MetadataView['numberingPlan']): QuickCheck | null {
  if (!countries || countries.length === 0) return null;
  const patterns: string[] = [];
  const prefixes = new Set<string>();
  for (const country of countries) {
    const plan = select(country);
    const pattern = plan?.nationalNumberPattern?.();
    if (!plan || !pattern || plan.nationalPrefixTransformRule?.()) return null;
    const prefix = plan.nationalPrefixForParsing?.();
    // A prefix rule that is a pattern (carrier codes, optional parts) can change the digits in ways only a parse follows.
    if (prefix) {
      if (!/^\d+$/.test(prefix)) return null;
      prefixes.add(prefix);
    }
    patterns.push(pattern);
  }
  try {
    return { pattern: new RegExp(`^(?:${patterns.join('|')})$`), prefixes: [...prefixes] };
  } catch {
    return null;
  }
}

function compileFormats(list: FormatView[] | undefined, trunk: string | undefined): CompiledFormat[] | null {
  if (!Array.isArray(list)) return null;
  try {
    return list.map((format) => {
      const leading = format.leadingDigitsPatterns();
      const rule = format.nationalPrefixFormattingRule();
      // formatNational writes the rule in place of the first group: `0$1` and `(0$1)` start with the trunk, `($1)` does not.
      const before = typeof rule === 'string' ? rule.slice(0, Math.max(0, rule.indexOf('$1'))).replace(/\D/g, '') : '';
      // Where the metadata says the trunk is optional in national writing (Indian mobiles `98765 43210`,
      // Russian `(912) 345-67-89`), it may be left out; unknown counts as optional.
      const optional = format.nationalPrefixIsOptionalWhenFormattingInNationalFormat?.() ?? true;
      return {
        leading: leading.length > 0 ? new RegExp(`^(?:${leading[leading.length - 1]})`) : undefined,
        pattern: new RegExp(`^(?:${format.pattern()})$`),
        trunk: trunk === undefined || before.length === 0 || !before.startsWith(trunk) ? 'absent' : optional ? 'optional' : 'required',
      };
    });
  } catch {
    return null;
  }
}

/**
 * Cheap gate on the last scan, so a second parse runs only for digits that could be E.164 without
 * its `+`: the size of the calling code they start with when the rest has a length that code
 * allows, else 0.
 */
export function callingCodeSize(metadata: MetadataJson): number {
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
