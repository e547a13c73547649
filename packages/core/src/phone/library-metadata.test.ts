// library-metadata.js, the metadata module core's build loads in place of libphonenumber-js's
// (tsdown.config.ts): on the metadata core ships, every method the library's parse helpers and
// core's digits.ts and plan.ts call answers as the library's Metadata does, for every country and
// calling code; any other metadata is refused when loaded.
import { Metadata as LibraryMetadata, getCountryCallingCode, getExtPrefix, isSupportedCountry, type MetadataJson } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import minMetadata from 'libphonenumber-js/min/metadata';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JavaScript module of the library's copy, without types.
import LeanMetadata, * as lean from './library-metadata.js';
import { sendMetadata } from './metadata';

type Module = {
  Metadata: new (metadata: unknown) => any;
  getCountryCallingCode(country: string, metadata: unknown): string;
  isSupportedCountry(country: string, metadata: unknown): boolean;
  getExtPrefix(country: string, metadata: unknown): string;
};
const library: Module = { Metadata: LibraryMetadata as Module['Metadata'], getCountryCallingCode, isSupportedCountry, getExtPrefix } as Module;
const ours: Module = { ...(lean as Module), Metadata: LeanMetadata };

const TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOICEMAIL', 'UAN', 'PAGER', 'VOIP', 'SHARED_COST', 'UNKNOWN'];

/** What a call answers, or the message it throws. */
function answer(call: () => unknown): unknown {
  try {
    return { value: call() };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

/** The selected plan as the library's parse helpers and core's digits.ts and plan.ts read it. */
function planSheet(metadata: any): unknown {
  const plan = metadata.numberingPlan;
  if (plan === undefined) return undefined;
  const type = (name: string) => {
    const found = plan.type(name);
    return found && { pattern: found.pattern(), possibleLengths: found.possibleLengths() };
  };
  return {
    callingCode: plan.callingCode(),
    IDDPrefix: plan.IDDPrefix(),
    nationalNumberPattern: plan.nationalNumberPattern(),
    possibleLengths: plan.possibleLengths(),
    nationalPrefix: plan.nationalPrefix(),
    nationalPrefixForParsing: plan.nationalPrefixForParsing(),
    nationalPrefixTransformRule: plan.nationalPrefixTransformRule(),
    nationalPrefixFormattingRule: plan.nationalPrefixFormattingRule(),
    leadingDigits: plan.leadingDigits(),
    hasTypes: plan.hasTypes(),
    types: TYPES.map(type),
    formats: plan.formats().map((format: any) => ({
      pattern: format.pattern(),
      leading: format.leadingDigitsPatterns(),
      rule: format.nationalPrefixFormattingRule(),
      optional: format.nationalPrefixIsOptionalWhenFormattingInNationalFormat(),
    })),
    // The Metadata's own shortcuts to the selected plan.
    shortcuts: [
      metadata.countryCallingCode(),
      metadata.IDDPrefix(),
      metadata.nationalNumberPattern(),
      metadata.possibleLengths(),
      metadata.nationalPrefixTransformRule(),
      metadata.leadingDigits(),
      metadata.hasTypes(),
      TYPES.map((name) => metadata.type(name)?.pattern()),
    ],
  };
}

/** Everything the module answers about a country (or a string in a country's place): the selected plan and the functions of countries. */
function countrySheet(module: Module, json: MetadataJson, country: string): unknown {
  const metadata = new module.Metadata(json);
  return {
    hasCountry: metadata.hasCountry(country),
    v4: metadata.v4,
    nonGeographic: metadata.nonGeographic() === (json as { nonGeographic?: unknown }).nonGeographic,
    selected: answer(() => planSheet(metadata.selectNumberingPlan(country))),
    hasSelectedNumberingPlan: metadata.hasSelectedNumberingPlan(),
    getCountryCallingCode: answer(() => module.getCountryCallingCode(country, json)),
    isSupportedCountry: module.isSupportedCountry(country, json),
    getExtPrefix: module.getExtPrefix(country, json),
  };
}

/** Everything the module answers about a calling code (digits, as the library's parse helpers pass them). */
function callingCodeSheet(module: Module, json: MetadataJson, callingCode: string): unknown {
  const metadata = new module.Metadata(json);
  return {
    hasCallingCode: metadata.hasCallingCode(callingCode),
    isNonGeographicCallingCode: metadata.isNonGeographicCallingCode(callingCode),
    codes: metadata.getCountryCodesForCallingCode(callingCode),
    plan: metadata.getNumberingPlanMetadata(callingCode),
    selected: answer(() => planSheet(metadata.selectNumberingPlan(callingCode))),
    hasSelectedNumberingPlan: metadata.hasSelectedNumberingPlan(),
  };
}

describe.each([
  ['the send metadata', sendMetadata],
  ['min metadata', minMetadata as MetadataJson],
  ['max metadata', maxMetadata as MetadataJson],
])('core’s lean metadata module on %s', (_, json) => {
  it('answers as the library’s Metadata for every country and strings in a country’s place', () => {
    const countries = [...Object.keys(json.countries), '', 'XX', 'gb', 'constructor', '+44', '001', '44'];
    expect(countries.length).toBeGreaterThan(240);
    for (const country of countries) expect(countrySheet(ours, json, country), country).toEqual(countrySheet(library, json, country));
  });

  it('answers as the library’s Metadata for every calling code from 0 to 999 and 001', () => {
    const callingCodes = [...Array.from({ length: 1000 }, (_, i) => String(i)), '001', '0044'];
    for (const code of callingCodes) expect(callingCodeSheet(ours, json, code), code).toEqual(callingCodeSheet(library, json, code));
    expect(callingCodes.filter((code) => new ours.Metadata(json).hasCallingCode(code))).toHaveLength(Object.keys(json.country_calling_codes).length + Object.keys(json.nonGeographic!).length);
  });

  it('selects no plan for no country, as the library does', () => {
    expect(new ours.Metadata(json).selectNumberingPlan(undefined).hasSelectedNumberingPlan()).toBe(false);
    expect(new library.Metadata(json).selectNumberingPlan(undefined).hasSelectedNumberingPlan()).toBe(false);
  });
});

describe('core’s lean metadata module on metadata of another version', () => {
  const { version: _version, ...unversioned } = minMetadata as MetadataJson & { version: number };
  const { nonGeographic: _nonGeographic, ...withoutNonGeographic } = minMetadata as MetadataJson & { nonGeographic: unknown };
  it.each([
    ['version 3', { ...minMetadata, version: 3 }],
    ['a semver version (before metadata versions were numbers)', { ...minMetadata, version: '1.7.35' }],
    ['no version (version 1)', unversioned],
    ['version 5', { ...minMetadata, version: 5 }],
    ['version 4 without its non-geographic plans', withoutNonGeographic],
  ])('refuses %s when it is loaded, which the library reads', (_, json) => {
    expect(() => new library.Metadata(json)).not.toThrow();
    expect(() => new ours.Metadata(json)).toThrow(expect.objectContaining({ code: 'METADATA_VERSION' }));
    expect(() => ours.getCountryCallingCode('GB', json)).toThrow(expect.objectContaining({ code: 'METADATA_VERSION' }));
  });

  it.each([undefined, null, 'metadata', {}])('refuses %j in place of metadata', (json) => {
    expect(() => new library.Metadata(json)).toThrow();
    expect(() => new ours.Metadata(json)).toThrow(expect.objectContaining({ code: 'METADATA_VERSION' }));
  });
});
