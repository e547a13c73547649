import type * as z from 'zod/mini';
import { factoryOptions } from './options';
import { isString, rule, type RuleParts, type RuleOptions } from './rule';

export interface SenderIdOptions extends RuleOptions {
  /** Inclusive length range of a sender that contains any non-digit, e.g. [3, 11]. */
  alpha: readonly [min: number, max: number];
  /** Inclusive digit count of an all-digit sender (an optional leading `+` is not counted), e.g. [3, 15]. */
  numeric: readonly [min: number, max: number];
  /** One character an alphanumeric sender may use; default ASCII letters and digits. */
  allowedChar?: RegExp;
}

const ASCII_ALNUM = /[A-Za-z0-9]/;

/** Sender ID ("originator", "from"): alphanumeric and numeric senders have different length limits. */
export function senderId(input: SenderIdOptions): z.ZodMiniType<string> {
  return rule<string>(...senderIdParts(input));
}

/** @internal senderId's validated options and check, for `rule` or `plainRule`. */
export function senderIdParts(input: SenderIdOptions): RuleParts {
  return senderIdPartsUnchecked(factoryOptions<SenderIdOptions>('senderId', input, {
    alpha: ['range', 'required'],
    numeric: ['range', 'required'],
    allowedChar: ['regexp', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  }));
}

/**
 * @internal senderIdParts without the check of its options, for options the compiler has checked
 * against SenderIdOptions (a provider's own constants): factoryOptions, which reads options of any
 * shape and names each wrong one, would otherwise be in every app that bundles the provider.
 */
export function senderIdPartsUnchecked(options: SenderIdOptions): RuleParts {
  const allowed = options.allowedChar ?? ASCII_ALNUM;
  return [options, (value, report) => {
    if (!isString(value, report)) return;
    if (value.length === 0) return report('sender_empty');
    const digits = value.startsWith('+') ? value.slice(1) : value;
    if (/^[0-9]+$/.test(digits)) {
      const [min, max] = options.numeric;
      if (digits.length < min || digits.length > max) report('sender_numeric_length', { min, max, length: digits.length });
      return;
    }
    const [min, max] = options.alpha;
    const length = [...value].length;
    if (length < min || length > max) report('sender_alpha_length', { min, max, length });
    const bad = [...new Set([...value].filter((char) => !allowed.test(char)))];
    if (bad.length > 0) report('sender_chars', { chars: bad });
  }];
}
