// Reads a number written in plain characters (ASCII digits, the separators `space - . ( )`, at most
// one `+` and only in front) the way libphonenumber-js's parse, isValid and getType read it, from
// numbering plans compiled once per metadata object.
//
// Why: the library builds a RegExp from a metadata pattern on every test (validity, number types,
// national prefixes, leading digits) and re-wraps the metadata several times per number; in a list
// that was most of the cost of a number. This module follows the library's own steps
// (extractCountryCallingCode, stripIddPrefix, extractNationalNumber, getCountryByCallingCode,
// checkNumberLength, getNumberType, isValidNumber) on compiled patterns, and declines (undefined)
// whatever it does not model, which then goes to the library: text over 250 characters, fewer than
// three digits, a `+` after other characters, non-geographic calling codes, metadata older than
// the current format. It mirrors the libphonenumber-js version core bundles; the tests compare
// both readings on every country of min and max metadata (digits.test.ts).
import { Metadata, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import type { PhoneNumberType } from './types';

/** What libphonenumber-js's parse throws, by its own names. */
export type ParseFailure = 'INVALID_COUNTRY' | 'TOO_SHORT' | 'TOO_LONG' | 'NOT_A_NUMBER';

/** A parsed number: the fields of the library's PhoneNumber that msgkit reads. */
export class DigitReading {
  readonly number: string;
  constructor(
    readonly countryCallingCode: string,
    readonly nationalNumber: string,
    readonly country: CountryCode | undefined,
    readonly valid: boolean,
    private readonly type: PhoneNumberType | undefined,
  ) {
    this.number = `+${countryCallingCode}${nationalNumber}`;
  }

  getType(): PhoneNumberType | undefined {
    return this.type;
  }
}

export interface DigitReader {
  /** undefined: not a case this reader models; ask the library. */
  read(text: string, defaultCountry: CountryCode | undefined): DigitReading | ParseFailure | undefined;
}

interface TypeRule {
  /** null where the metadata gives the type an empty pattern (no number is of it). */
  pattern: RegExp | null;
  lengths: number[] | undefined;
}

interface NumberingPlan {
  callingCode: string;
  idd: RegExp | undefined;
  nationalPrefix: RegExp | undefined;
  transform: string | undefined;
  pattern: RegExp;
  lengths: number[] | undefined;
  leading: RegExp | undefined;
  /** undefined when the metadata has no number types for the country (most countries in min). */
  types: { fixedLine: TypeRule | undefined; mobile: TypeRule | undefined; others: Array<[PhoneNumberType, TypeRule | undefined]> } | undefined;
}

// The numbering-plan accessors of libphonenumber-js's Metadata (runtime methods, not in its typings).
interface PlanView {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: PhoneNumberType): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
interface MetadataView {
  v4?: boolean;
  numberingPlan: PlanView;
  selectNumberingPlan(country: string): void;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  nonGeographic(): Record<string, unknown> | undefined;
}

// getNumberType's order: fixed line first, then these.
const OTHER_TYPES: PhoneNumberType[] = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
const MAX_INPUT_LENGTH = 250;
const MIN_NATIONAL_LENGTH = 2;
const MAX_NATIONAL_LENGTH = 17;
const MAX_CALLING_CODE_LENGTH = 3;

const readers = new WeakMap<MetadataJson, DigitReader | null>();

/** The reader for this metadata, or null when its format is not the one this module follows. */
export function digitReaderFor(metadata: MetadataJson): DigitReader | null {
  let reader = readers.get(metadata);
  if (reader === undefined) readers.set(metadata, (reader = buildReader(metadata)));
  return reader;
}

function buildReader(metadata: MetadataJson): DigitReader | null {
  const view = new Metadata(metadata) as unknown as MetadataView;
  if (view.v4 !== true) return null;
  const plans = new Map<string, NumberingPlan>();
  const countries = metadata.country_calling_codes as Record<string, string[] | undefined>;
  const nonGeographic = view.nonGeographic() ?? {};

  const planOf = (country: string): NumberingPlan => {
    let plan = plans.get(country);
    if (plan === undefined) {
      view.selectNumberingPlan(country);
      plans.set(country, (plan = compile(view.numberingPlan)));
    }
    return plan;
  };
  const codeOwner = (callingCode: string) => countries[callingCode]?.[0];

  // A calling code shared by several countries (+44, +1, +7) finds the number's country by its
  // type, which read() then asks for again: the last answer is kept (plans never change).
  let lastPlan: NumberingPlan | undefined;
  let lastNumber = '';
  let lastType: PhoneNumberType | undefined;
  const typeOf = (plan: NumberingPlan, nationalNumber: string): PhoneNumberType | undefined => {
    if (plan !== lastPlan || nationalNumber !== lastNumber) {
      lastType = numberType(plan, nationalNumber);
      lastPlan = plan;
      lastNumber = nationalNumber;
    }
    return lastType;
  };

  // getCountryByCallingCode / getCountryByNationalNumber
  const countryOf = (callingCode: string, nationalNumber: string): string | undefined => {
    const candidates = countries[callingCode];
    if (!candidates) return undefined;
    if (candidates.length === 1) return candidates[0];
    for (const candidate of candidates) {
      const plan = planOf(candidate);
      if (plan.leading !== undefined) {
        if (nationalNumber && plan.leading.test(nationalNumber)) return candidate;
      } else if (typeOf(plan, nationalNumber) !== undefined) return candidate;
    }
    return undefined;
  };

  // extractNationalNumber: the national prefix comes off unless that leaves a number the plan rules out.
  const nationalNumberOf = (plan: NumberingPlan, number: string): string => {
    const stripped = withoutNationalPrefix(plan, number);
    if (stripped === number) return number;
    if (plan.pattern.test(number) && !plan.pattern.test(stripped)) return number;
    if (plan.lengths !== undefined) {
      const country = countryOf(plan.callingCode, stripped);
      const length = lengthCheck(country !== undefined ? planOf(country) : plan, stripped);
      if (length === 'TOO_SHORT' || length === 'INVALID_LENGTH') return number;
    }
    return stripped;
  };

  // extractCountryCallingCodeFromInternationalNumberWithoutPlusSign
  const withoutOwnCallingCode = (plan: NumberingPlan, number: string): string | undefined => {
    if (!number.startsWith(plan.callingCode)) return undefined;
    const shorter = number.slice(plan.callingCode.length);
    const shorterNational = nationalNumberOf(plan, shorter);
    const national = nationalNumberOf(plan, number);
    const taken = (!plan.pattern.test(national) && plan.pattern.test(shorterNational)) || lengthCheck(plan, national) === 'TOO_LONG';
    return taken ? shorter : undefined;
  };

  return {
    read(text, defaultCountry) {
      const digits = plainDigits(text);
      if (digits === undefined) return undefined;
      let callingCode: string | undefined;
      let number = digits;
      let international = text.charCodeAt(0) === 0x2b;
      if (!international && defaultCountry !== undefined) {
        const own = planOf(defaultCountry);
        if (own.idd === undefined) return undefined;
        const afterIdd = withoutIdd(own.idd, digits);
        if (afterIdd !== undefined) {
          international = true;
          number = afterIdd;
        } else {
          const shorter = withoutOwnCallingCode(own, digits);
          if (shorter !== undefined) {
            callingCode = own.callingCode;
            number = shorter;
          }
        }
      }
      if (international) {
        if (number.charCodeAt(0) === 0x30) return 'INVALID_COUNTRY';
        for (let size = 1; size <= MAX_CALLING_CODE_LENGTH && size <= number.length; size++) {
          const code = number.slice(0, size);
          if (countries[code]) {
            callingCode = code;
            break;
          }
          if (Object.prototype.hasOwnProperty.call(nonGeographic, code)) return undefined;
        }
        if (callingCode === undefined) return 'INVALID_COUNTRY';
        number = number.slice(callingCode.length);
      }
      let country: string | undefined;
      let plan: NumberingPlan;
      if (callingCode !== undefined) plan = planOf(codeOwner(callingCode)!);
      else if (defaultCountry !== undefined) {
        country = defaultCountry;
        plan = planOf(defaultCountry);
        callingCode = plan.callingCode;
      } else return 'INVALID_COUNTRY';
      if (!number) return 'TOO_SHORT';
      const nationalNumber = nationalNumberOf(plan, number);
      country = countryOf(callingCode, nationalNumber) ?? country;
      if (nationalNumber.length < MIN_NATIONAL_LENGTH) return 'TOO_SHORT';
      if (nationalNumber.length > MAX_NATIONAL_LENGTH) return 'TOO_LONG';
      // isValidNumber and getNumberType select the number's country, else its calling code's main one.
      const rules = country !== undefined ? planOf(country) : plan;
      const type = rules.types !== undefined ? typeOf(rules, nationalNumber) : undefined;
      const valid = rules.types !== undefined ? type !== undefined : rules.pattern.test(nationalNumber);
      return new DigitReading(callingCode, nationalNumber, country as CountryCode | undefined, valid, type);
    },
  };
}

/** The digits of text the library would take whole; undefined where its handling is not modelled. */
function plainDigits(text: string): string | undefined {
  const n = text.length;
  if (n > MAX_INPUT_LENGTH) return undefined;
  let digits = '';
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    if (c === 0x2b && i > 0) return undefined;
    if (c !== 0x2b && c !== 0x20 && c !== 0x2d && c !== 0x2e && c !== 0x28 && c !== 0x29) return undefined;
    digits += text.slice(start, i);
    start = i + 1;
  }
  digits = start === 0 ? text : digits + text.slice(start);
  // Two digits or fewer: the library's viability rules (too short, or two digits alone) decide.
  return digits.length < 3 ? undefined : digits;
}

function compile(plan: PlanView): NumberingPlan {
  const idd = plan.IDDPrefix();
  const nationalPrefix = plan.nationalPrefixForParsing();
  const leading = plan.leadingDigits();
  const lengths = plan.possibleLengths();
  let types: NumberingPlan['types'];
  if (plan.hasTypes()) {
    const rule = (name: PhoneNumberType): TypeRule | undefined => {
      const type = plan.type(name);
      if (type === undefined) return undefined;
      const pattern = type.pattern();
      return { pattern: pattern ? whole(pattern) : null, lengths: type.possibleLengths() || undefined };
    };
    types = { fixedLine: rule('FIXED_LINE'), mobile: rule('MOBILE'), others: OTHER_TYPES.map((name) => [name, rule(name)]) };
  }
  return {
    callingCode: plan.callingCode(),
    // search() === 0 then match() on the unanchored pattern finds what the anchored one finds at 0.
    idd: idd ? new RegExp(`^(?:${idd})`) : undefined,
    nationalPrefix: nationalPrefix ? new RegExp(`^(?:${nationalPrefix})`) : undefined,
    transform: plan.nationalPrefixTransformRule() || undefined,
    pattern: whole(plan.nationalNumberPattern()),
    lengths: lengths || undefined,
    leading: leading ? new RegExp(`^(?:${leading})`) : undefined,
    types,
  };
}

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);

// stripIddPrefix: undefined when the digits do not start with it, or a 0 follows it.
function withoutIdd(idd: RegExp, digits: string): string | undefined {
  const match = idd.exec(digits);
  if (match === null) return undefined;
  const rest = digits.slice(match[0].length);
  if (rest.charCodeAt(0) === 0x30) return undefined;
  return rest === '' || rest === digits ? undefined : rest;
}

// extractNationalNumberFromPossiblyIncompleteNumber
function withoutNationalPrefix(plan: NumberingPlan, number: string): string {
  if (!number || plan.nationalPrefix === undefined) return number;
  const match = plan.nationalPrefix.exec(number);
  if (match === null) return number;
  const groups = match.length - 1;
  const captured = groups > 0 && Boolean(match[groups]);
  if (plan.transform !== undefined && captured) return number.replace(plan.nationalPrefix, plan.transform);
  return number.slice(match[0].length);
}

// checkNumberLength
function lengthCheck(plan: NumberingPlan, nationalNumber: string): 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' {
  const lengths = plan.lengths;
  if (lengths === undefined) return 'IS_POSSIBLE';
  const length = nationalNumber.length;
  if (lengths[0] === length) return 'IS_POSSIBLE';
  if (lengths[0]! > length) return 'TOO_SHORT';
  if (lengths[lengths.length - 1]! < length) return 'TOO_LONG';
  return lengths.indexOf(length, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

// getNumberType
function numberType(plan: NumberingPlan, nationalNumber: string): PhoneNumberType | undefined {
  if (!plan.pattern.test(nationalNumber)) return undefined;
  const types = plan.types;
  if (types === undefined) return undefined;
  if (isOfType(types.fixedLine, nationalNumber)) {
    if (types.mobile === undefined || types.mobile.pattern === null) return 'FIXED_LINE_OR_MOBILE';
    return isOfType(types.mobile, nationalNumber) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const [name, rule] of types.others) if (isOfType(rule, nationalNumber)) return name;
  return undefined;
}

function isOfType(rule: TypeRule | undefined, nationalNumber: string): boolean {
  if (rule === undefined || rule.pattern === null) return false;
  if (rule.lengths !== undefined && !rule.lengths.includes(nationalNumber.length)) return false;
  return rule.pattern.test(nationalNumber);
}
