import type * as z from 'zod/mini';
import { countDefault } from '../text/segments';
import type { VendorCodes } from './codes';
import { factoryOptions } from './options';
import { isString, rule, type RuleParts, type Report, type RuleOptions } from './rule';
import { codePoints } from './shape';

export interface MessageTextOptions extends RuleOptions {
  /** Default 1: vendors refuse an empty text. */
  minLength?: number;
  /** Maximum characters, counted as code points (Octopush: 1 224). */
  maxLength?: number;
  /** Maximum SMS parts as countSegments counts them (SMS.CX: 10). */
  maxParts?: number;
  /** Also check SMS.CX random placeholders, with these vendor codes. */
  placeholders?: boolean | { vendorCode?: VendorCodes };
}

/** An SMS text: not empty, within a character or a parts budget. */
export function messageText(input: MessageTextOptions = {}): z.ZodMiniType<string> {
  return rule<string>(...messageTextParts(input));
}

/** @internal messageText's validated options and check, for `rule` or `plainRule`. */
export function messageTextParts(input: MessageTextOptions = {}): RuleParts {
  return messageTextPartsUnchecked(factoryOptions<MessageTextOptions>('messageText', input, {
    minLength: ['number', 'optional'],
    maxLength: ['number', 'optional'],
    maxParts: ['number', 'optional'],
    placeholders: ['placeholders', 'optional'],
    vendorCode: ['vendorCodes', 'optional'],
  }));
}

/**
 * @internal messageTextParts without the check of its options, for options the compiler has checked
 * against MessageTextOptions (a provider's own constants): factoryOptions, which reads options of
 * any shape and names each wrong one, would otherwise be in every app that bundles the provider.
 */
export function messageTextPartsUnchecked(options: MessageTextOptions = {}): RuleParts {
  const min = options.minLength ?? 1;
  const placeholderOptions = typeof options.placeholders === 'object' ? options.placeholders : {};
  return [options, (value, report) => {
    if (!isString(value, report)) return;
    const length = codePoints(value, options.maxLength);
    if (length < min) report('text_empty', { min });
    if (options.maxLength !== undefined && length > options.maxLength) {
      report('text_too_long', { max: options.maxLength, length: codePoints(value) });
    }
    if (options.maxParts !== undefined) {
      const { segments, encoding } = countDefault(value);
      if (segments > options.maxParts) report('text_too_many_parts', { max: options.maxParts, segments, encoding });
    }
    if (options.placeholders) checkPlaceholders(value, report, placeholderOptions.vendorCode);
  }];
}

const PLACEHOLDER_MIN = 1;
const PLACEHOLDER_MAX = 20;
const RANDOM_PLACEHOLDER = /\{\{(numbers|letters|alphanumeric)(?::([^}]*))?\}\}/g;

/** SMS.CX random placeholders `{{numbers}}`, `{{letters}}`, `{{alphanumeric}}`, each optionally `:N` with N from 1 to 20. */
export function placeholders(input: RuleOptions = {}): z.ZodMiniType<string> {
  const options = factoryOptions<RuleOptions>('placeholders', input, { vendorCode: ['vendorCodes', 'optional'] });
  return rule<string>(options, (value, report) => {
    if (isString(value, report)) checkPlaceholders(value, report, undefined);
  });
}

function checkPlaceholders(text: string, report: Report, vendorCode: VendorCodes | undefined): void {
  for (const match of text.matchAll(RANDOM_PLACEHOLDER)) {
    const size = match[2];
    if (size === undefined) continue;
    const code = !/^\d+$/.test(size) ? 'placeholder_invalid' : Number(size) < PLACEHOLDER_MIN || Number(size) > PLACEHOLDER_MAX ? 'placeholder_length' : undefined;
    if (code === undefined) continue;
    const explicit = vendorCode === undefined || typeof vendorCode !== 'object' ? vendorCode : vendorCode[code];
    report(code, { placeholder: match[0], min: PLACEHOLDER_MIN, max: PLACEHOLDER_MAX }, [], explicit);
  }
}
