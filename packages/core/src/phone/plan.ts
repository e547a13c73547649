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
}

// The numbering-plan accessors used here exist on libphonenumber-js's Metadata at runtime but are
// not in its typings; each use degrades to "unknown" (never to a wrong answer) if they go away.
interface MetadataView {
  selectNumberingPlan(country: string): void;
  numberingPlan?: { possibleLengths?(): number[] | undefined; nationalPrefix?(): string | undefined; callingCode?(): string };
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
  };
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
