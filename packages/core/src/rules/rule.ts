import * as z from 'zod/mini';
import { vendorCodeFor, type IssueCode, type VendorCode, type VendorCodes } from './codes';
import { messageFor, show, type IssueParams } from './messages';

/** Reports one issue; `path` is relative to the value the rule checks. */
export type Report = (code: IssueCode, params?: IssueParams, path?: (string | number)[], vendorCode?: VendorCode) => void;

/** Options every rule factory takes. */
export interface RuleOptions {
  vendorCode?: VendorCodes;
}

/**
 * A zod schema whose checks emit msgkit issue codes (carried in `params`) instead of zod's
 * generic ones, so one message map and the vendor's codes apply to every rule alike.
 * `undefined` and `null` are `required`; wrap with `optional()` for optional fields.
 * A value whose getters or proxy traps throw while it is checked is reported as `unreadable`.
 */
export function rule<T>(options: RuleOptions | undefined, check: (value: unknown, report: Report) => void): z.ZodMiniType<T> {
  return z.custom<T>(() => true).check(z.superRefine((value, ctx) => {
    const report: Report = (code, params = {}, path = [], vendorCode = vendorCodeFor(options?.vendorCode, code)) => {
      ctx.addIssue({ code: 'custom', message: messageFor(code, params), path, params: { ...params, msgkitCode: code, vendorCode } });
    };
    if (value === undefined || value === null) return report('required');
    try {
      check(value, report);
    } catch (error) {
      report('unreadable', { reason: readError(error) });
    }
  }));
}

/** What a getter or proxy trap threw, as text for an issue. */
export function readError(error: unknown): string {
  try {
    return show(error instanceof Error ? error.message : error);
  } catch {
    return 'an exception that cannot be shown';
  }
}

export function isString(value: unknown, report: Report): value is string {
  if (typeof value === 'string') return true;
  report('invalid_type', { expected: 'a string' });
  return false;
}

/** Makes a rule accept `undefined` (an absent field); `null` is still reported as required. */
export function optional<T>(schema: z.ZodMiniType<T>): z.ZodMiniOptional<z.ZodMiniType<T>> {
  return z.optional(schema);
}
