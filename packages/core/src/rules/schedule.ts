import type * as z from 'zod/mini';
import { factoryOptions } from './options';
import { rule, type RuleParts, type RuleOptions } from './rule';

export interface ScheduleDateOptions extends RuleOptions {
  /** How far ahead a send may be scheduled (Infobip `sendAt`: under 180 days). */
  maxAheadDays?: number;
  /** Clock for tests; default Date.now. */
  now?: () => number;
  /**
   * Let a time already past through (default false: refused as `date_in_past`). For vendors that
   * document no refusal of one; the client then says what the vendor may do with it.
   */
  allowPast?: boolean;
}

const DAY_MS = 86_400_000;
// `2021-06-23 14:26:10` (SMS.CX) carries no zone; vendors read it as UTC, so must we.
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** When a scheduled send goes out: a valid date (Date or string), not in the past (unless allowPast), within the horizon. */
export function scheduleDate(input: ScheduleDateOptions = {}): z.ZodMiniType<string | Date> {
  return rule<string | Date>(...scheduleDateParts(input));
}

/** @internal scheduleDate's validated options and check, for `rule` or `plainRule`. */
export function scheduleDateParts(input: ScheduleDateOptions = {}): RuleParts {
  return scheduleDatePartsUnchecked(factoryOptions<ScheduleDateOptions>('scheduleDate', input, {
    maxAheadDays: ['number', 'optional'],
    now: ['function', 'optional'],
    allowPast: ['boolean', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  }));
}

/**
 * @internal scheduleDateParts without the check of its options, for options the compiler has
 * checked against ScheduleDateOptions (a provider's own constants): factoryOptions, which reads
 * options of any shape and names each wrong one, would otherwise be in every app that bundles the
 * provider.
 */
export function scheduleDatePartsUnchecked(options: ScheduleDateOptions = {}): RuleParts {
  const now = options.now ?? Date.now;
  return [options, (value, report) => {
    const time = toTime(value);
    if (time === undefined) return report('date_invalid');
    const current = now();
    if (time < current) {
      if (!options.allowPast) report('date_in_past');
    }
    else if (options.maxAheadDays !== undefined && time >= current + options.maxAheadDays * DAY_MS) {
      report('date_too_far', { maxAheadDays: options.maxAheadDays });
    }
  }];
}

/** @internal Epoch milliseconds of a Date or date string; undefined when it is not a date. */
export function toTime(value: unknown): number | undefined {
  let time = Number.NaN;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string' && value.trim() !== '' && isCalendarDateTime(value.trim())) {
    const naive = NAIVE.exec(value.trim());
    time = naive ? Date.parse(`${naive[1]}T${naive[2]}Z`) : Date.parse(value);
  }
  return Number.isNaN(time) ? undefined : time;
}

const ISO_FIELDS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/;

/**
 * False when a text starting with an ISO 8601 date (`YYYY-MM-DD`, optionally a `T` or space and
 * `HH:mm[:ss]`) names no real instant: 30 February, month 13, 25:00. `Date.parse` rolls such a
 * date over (2030-02-30 becomes 2 March) and vendors read it their own way, so a message would go
 * out on another day or at once. Texts in any other form are left to the caller's parser (true).
 */
export function isCalendarDateTime(text: string): boolean {
  if (typeof text !== 'string') return false;
  const m = ISO_FIELDS.exec(text);
  if (!m) return true;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const daysInMonth = new Date(new Date(0).setUTCFullYear(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (m[4] === undefined) return true;
  return Number(m[4]) <= 23 && Number(m[5]) <= 59 && (m[6] === undefined || Number(m[6]) <= 59);
}
