import type * as z from 'zod/mini';
import { factoryOptions } from './options';
import { rule, type RuleOptions } from './rule';

export interface MaxRecipientsOptions extends RuleOptions {
  /** The vendor's per-request maximum (Octopush 500, The SMS Works 5 000, SMS.CX 25 000). */
  max: number;
  /** Default 1. */
  min?: number;
}

/**
 * The number of recipients in one request. Over the maximum is an error, not a silent split:
 * splitting is sendInBatches' job, where each batch gets its own result.
 */
export function maxRecipients<T = unknown>(input: MaxRecipientsOptions): z.ZodMiniType<T[]> {
  const options = factoryOptions<MaxRecipientsOptions>('maxRecipients', input, { max: ['number', 'required'], min: ['number', 'optional'], vendorCode: ['vendorCodes', 'optional'] });
  const min = options.min ?? 1;
  return rule<T[]>(options, (value, report) => {
    if (!Array.isArray(value)) return report('invalid_type', { expected: 'a list' });
    if (value.length < min) report('recipients_empty', { min });
    else if (value.length > options.max) report('recipients_too_many', { max: options.max, count: value.length });
  });
}
