import type * as z from 'zod/mini';
import { factoryOptions } from './options';
import { rule, type RuleOptions } from './rule';

export interface ScheduleDateOptions extends RuleOptions {
  /** How far ahead a send may be scheduled (Infobip `sendAt`: under 180 days). */
  maxAheadDays?: number;
  /** Clock for tests; default Date.now. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
// `2021-06-23 14:26:10` (SMS.CX) carries no zone; vendors read it as UTC, so must we.
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** When a scheduled send goes out: a valid date (Date or string), not in the past, within the horizon. */
export function scheduleDate(input: ScheduleDateOptions = {}): z.ZodMiniType<string | Date> {
  const options = factoryOptions<ScheduleDateOptions>('scheduleDate', input, {
    maxAheadDays: ['number', 'optional'],
    now: ['function', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  });
  const now = options.now ?? Date.now;
  return rule<string | Date>(options, (value, report) => {
    const time = toTime(value);
    if (time === undefined) return report('date_invalid');
    const current = now();
    if (time < current) report('date_in_past');
    else if (options.maxAheadDays !== undefined && time >= current + options.maxAheadDays * DAY_MS) {
      report('date_too_far', { maxAheadDays: options.maxAheadDays });
    }
  });
}

/** @internal Epoch milliseconds of a Date or date string; undefined when it is not a date. */
export function toTime(value: unknown): number | undefined {
  let time = Number.NaN;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string' && value.trim() !== '') {
    const naive = NAIVE.exec(value.trim());
    time = naive ? Date.parse(`${naive[1]}T${naive[2]}Z`) : Date.parse(value);
  }
  return Number.isNaN(time) ? undefined : time;
}

