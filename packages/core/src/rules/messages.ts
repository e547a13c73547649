import type { IssueCode } from './codes';

export type IssueParams = Record<string, unknown>;

const list = (value: unknown) => (Array.isArray(value) ? value.map((v) => `'${String(v)}'`).join(', ') : String(value));

/** The one place issue prose lives, keyed by code (the zod-issues pattern): rules emit data, this renders it. */
export const issueMessages: { readonly [C in IssueCode]: (p: IssueParams) => string } = {
  required: () => 'is required',
  invalid_type: (p) => `must be ${String(p.expected)}`,
  invalid: () => 'is not valid',
  sender_empty: () => 'must not be empty',
  sender_alpha_length: (p) => `must be ${p.min} to ${p.max} characters when alphanumeric (got ${p.length})`,
  sender_numeric_length: (p) => `must be ${p.min} to ${p.max} digits when numeric (got ${p.length})`,
  sender_chars: (p) => `contains characters a sender ID cannot have: ${list(p.chars)}`,
  validity_not_integer: () => 'must be a whole number',
  validity_unit: (p) => `has an unknown time unit '${String(p.unit)}'; use one of ${list(p.allowed)}`,
  validity_too_short: (p) => `must be at least ${p.min} ${p.unit}${p.exclusive ? ' (exclusive)' : ''}`,
  validity_too_long: (p) => `must be at most ${p.max} ${p.unit}`,
  strategy_not_list: () => 'must be a list of channel steps',
  strategy_too_few_channels: (p) => `must have at least ${p.min} channels (got ${p.count})`,
  strategy_unknown_channel: (p) => `'${String(p.channel)}' is not a channel; use one of ${list(p.allowed)}`,
  strategy_duplicate_channel: (p) => `channel '${String(p.channel)}' appears more than once`,
  strategy_last_channel: (p) => `must end with channel '${String(p.expected)}'`,
  strategy_missing_field: (p) => `is required for channel '${String(p.channel)}'`,
  date_invalid: () => 'is not a valid date',
  date_in_past: () => 'is in the past',
  date_too_far: (p) => `must be less than ${p.maxAheadDays} days ahead`,
  url_invalid: (p) => `must be an absolute URL using ${list(p.protocols)}`,
  uuid_invalid: (p) => `must be a UUID of version 1 to 5${p.lowercase ? ' in lowercase' : ''}`,
  recipients_empty: () => 'must contain at least one recipient',
  recipients_too_many: (p) => `must contain at most ${p.max} recipients per request (got ${p.count}); use sendInBatches to split`,
  text_empty: (p) => `must be at least ${p.min} character${p.min === 1 ? '' : 's'}`,
  text_too_long: (p) => `must be at most ${p.max} characters (got ${p.length})`,
  text_too_many_parts: (p) => `needs ${p.segments} SMS parts (${p.encoding}); the maximum is ${p.max}`,
  placeholder_invalid: (p) => `has an invalid length in placeholder ${String(p.placeholder)}`,
  placeholder_length: (p) => `placeholder ${String(p.placeholder)} must ask for ${p.min} to ${p.max} characters`,
  phone_not_a_number: () => 'is not a phone number',
  phone_invalid_country: () => 'has no known country code (write it with + and the country code, or set defaultCountry)',
  phone_too_short: () => 'is too short to be a phone number',
  phone_too_long: () => 'is too long to be a phone number',
  phone_invalid: () => 'is not a valid phone number',
  phone_ambiguous: () => 'could be a national or an international number; write it with + and the country code',
};

export function messageFor(code: IssueCode, params: IssueParams = {}): string {
  return issueMessages[code](params);
}
