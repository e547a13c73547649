import type * as z from 'zod/mini';
import { ValidationError } from '../errors';
import { factoryOptions } from './options';
import { rule, type RuleParts, type Report, type RuleOptions } from './rule';

/** The units a validity period (TTL) may be given in. */
export type TimeUnit = 'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'days';

/** Seconds in one of each TimeUnit, for limits stated in seconds. */
export const TIME_UNIT_SECONDS: Readonly<Record<TimeUnit, number>> = { milliseconds: 0.001, seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const SECONDS_PER = TIME_UNIT_SECONDS;

export interface ValidityOptions extends RuleOptions {
  /** The unit the field is expressed in (SMS.CX `ttl`: seconds; The SMS Works `validity`: minutes). */
  unit: TimeUnit;
  min: number;
  max: number;
  /** The minimum itself is not allowed (Infobip: "more than 30 s"). */
  exclusiveMin?: boolean;
}

/**
 * A time-to-live / validity period in a fixed unit. Out-of-range values are refused, never
 * clamped: a vendor that silently shortens a validity (Infobip caps at 48 h) changes when a
 * failover step starts, so the caller must see and choose the value that will really apply.
 */
export function validity(input: ValidityOptions): z.ZodMiniType<number> {
  const options = factoryOptions<ValidityOptions>('validity', input, {
    unit: ['string', 'required'],
    min: ['number', 'required'],
    max: ['number', 'required'],
    exclusiveMin: ['boolean', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  });
  unitOption('validity', 'unit', [options.unit]);
  return rule<number>(options, (value, report) => checkRange(value, options, report));
}

export interface ValidityWithUnitOptions extends RuleOptions {
  /** Property holding the amount, e.g. `validityPeriod`. */
  valueKey: string;
  /** Property naming its unit, e.g. `validityPeriodTimeUnit` (values like `MINUTES`, any case). */
  unitKey: string;
  defaultUnit: TimeUnit;
  /** Limits in seconds, whatever unit the request uses. */
  minSeconds: number;
  maxSeconds: number;
  exclusiveMin?: boolean;
  /** Units the vendor accepts; default every TimeUnit. */
  units?: readonly TimeUnit[];
}

/** A validity period whose unit is a sibling field (Infobip channel objects); checks the object holding both. */
export function validityWithUnit(input: ValidityWithUnitOptions): z.ZodMiniType<Record<string, unknown>> {
  return rule<Record<string, unknown>>(...validityWithUnitParts(input));
}

/** @internal validityWithUnit's validated options and check, for `rule` or `plainRule`. */
export function validityWithUnitParts(input: ValidityWithUnitOptions): RuleParts {
  return validityWithUnitPartsUnchecked(factoryOptions<ValidityWithUnitOptions>('validityWithUnit', input, {
    valueKey: ['string', 'required'],
    unitKey: ['string', 'required'],
    defaultUnit: ['string', 'required'],
    minSeconds: ['number', 'required'],
    maxSeconds: ['number', 'required'],
    exclusiveMin: ['boolean', 'optional'],
    units: ['strings', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  }));
}

/**
 * @internal validityWithUnitParts without the check of its options, for options the compiler has
 * checked against ValidityWithUnitOptions (a provider's own constants): factoryOptions, which reads
 * options of any shape and names each wrong one, would otherwise be in every app that bundles the
 * provider.
 */
export function validityWithUnitPartsUnchecked(options: ValidityWithUnitOptions): RuleParts {
  const units = options.units ?? (Object.keys(SECONDS_PER) as TimeUnit[]);
  unitOption('validityWithUnit', 'defaultUnit', [options.defaultUnit]);
  unitOption('validityWithUnit', 'units', units);
  return [options, (value, report) => {
    if (typeof value !== 'object') return report('invalid_type', { expected: 'an object' });
    const object = value as Record<string, unknown>;
    const amount = object[options.valueKey];
    if (amount === undefined) return;
    const rawUnit = object[options.unitKey] ?? options.defaultUnit;
    const unit = (typeof rawUnit === 'string' ? rawUnit.toLowerCase() : undefined) as TimeUnit;
    if (!units.includes(unit)) {
      return report('validity_unit', { unit: rawUnit, allowed: units.map((u) => u.toUpperCase()) }, [options.unitKey]);
    }
    const at: Report = (code, params, path = []) => report(code, params, [options.valueKey, ...path]);
    const perUnit = SECONDS_PER[unit];
    checkRange(amount, {
      unit,
      min: options.minSeconds / perUnit,
      max: options.maxSeconds / perUnit,
      exclusiveMin: options.exclusiveMin,
    }, at);
  }];
}

/** A unit option outside TimeUnit would make every value of the field NaN seconds. */
function unitOption(factory: string, name: string, given: readonly string[]): void {
  const bad = given.filter((unit) => !Object.prototype.hasOwnProperty.call(SECONDS_PER, unit));
  if (bad.length > 0) {
    throw new ValidationError([{ path: ['options', name], code: 'invalid', message: `${factory}(): '${bad.join("', '")}' is not one of ${Object.keys(SECONDS_PER).join(', ')}` }]);
  }
}

function checkRange(value: unknown, limits: Omit<ValidityOptions, 'vendorCode'>, report: Report): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) return report('validity_not_integer');
  const { min, max, unit } = limits;
  if (limits.exclusiveMin ? value <= min : value < min) report('validity_too_short', { min: round(min), unit, exclusive: limits.exclusiveMin });
  else if (value > max) report('validity_too_long', { max: round(max), unit });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
