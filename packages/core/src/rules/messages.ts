import type { IssueCode } from './codes';

/** The values an issue's message is written with (a limit, a length, …). */
export type IssueParams = Record<string, unknown>;

/**
 * Any value as text, never throwing: parameters echo what the caller gave, and `String(x)` throws
 * on a null-prototype object or a symbol inside a template.
 */
export function show(value: unknown): string {
  try {
    if (Array.isArray(value)) return `[${list(value)}]`;
    return typeof value === 'symbol' ? value.toString() : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A list of allowed values as prose; the first ten at most (the params may be a caller's own list). */
function list(value: unknown): string {
  if (!Array.isArray(value)) return show(value);
  const shown = value.slice(0, 10).map((v) => `'${show(v)}'`);
  return value.length > 10 ? `${shown.join(', ')}, … (${value.length} in all)` : shown.join(', ');
}

/** The one place issue prose lives, keyed by code (the zod-issues pattern): rules emit data, this renders it. */
export const issueMessages: { readonly [C in IssueCode]: (p: IssueParams) => string } = {
  required: () => 'is required',
  invalid_type: (p) => `must be ${show(p.expected)}`,
  invalid: (p) =>
    p.expected !== undefined ? `must be ${show(p.expected)}` : p.allowed !== undefined ? `must be one of ${list(p.allowed)}` : p.pattern !== undefined ? `must match the pattern ${show(p.pattern)}` : 'is not valid',
  unknown_field: (p) => `is not a field of this request: ${show(p.why)}`,
  too_long: (p) => `has ${show(p.length)} items; at most ${show(p.max)} can be handled in memory (stream longer lists: sendInBatches takes an iterable)`,
  too_short: (p) => `must be at least ${show(p.min)} characters (got ${show(p.length)})`,
  too_few_items: (p) => `must have at least ${show(p.min)} item${p.min === 1 ? '' : 's'} (got ${show(p.count)})`,
  too_many_items: (p) => `must have at most ${show(p.max)} items (got ${show(p.count)})`,
  too_small: (p) => `must be ${p.exclusive ? 'more than' : 'at least'} ${show(p.min)}`,
  too_big: (p) => `must be ${p.exclusive ? 'less than' : 'at most'} ${show(p.max)}`,
  unreadable: (p) => `could not be read (${show(p.reason)})`,
  sender_empty: () => 'must not be empty',
  sender_alpha_length: (p) => `must be ${show(p.min)} to ${show(p.max)} characters when alphanumeric (got ${show(p.length)})`,
  sender_numeric_length: (p) => `must be ${show(p.min)} to ${show(p.max)} digits when numeric (got ${show(p.length)})`,
  sender_chars: (p) => `contains characters a sender ID cannot have: ${list(p.chars)}`,
  validity_not_integer: () => 'must be a whole number',
  validity_unit: (p) => `has an unknown time unit '${show(p.unit)}'; use one of ${list(p.allowed)}`,
  validity_too_short: (p) => `must be at least ${show(p.min)} ${show(p.unit)}${p.exclusive ? ' (exclusive)' : ''}`,
  validity_too_long: (p) => `must be at most ${show(p.max)} ${show(p.unit)}`,
  strategy_not_list: () => 'must be a list of channel steps',
  strategy_too_few_channels: (p) => `must have at least ${show(p.min)} channels (got ${show(p.count)})`,
  strategy_unknown_channel: (p) => `'${show(p.channel)}' is not a channel; use one of ${list(p.allowed)}`,
  strategy_duplicate_channel: (p) => `channel '${show(p.channel)}' appears more than once`,
  strategy_last_channel: (p) => `must end with channel '${show(p.expected)}'`,
  strategy_missing_field: (p) => `is required for channel '${show(p.channel)}'`,
  date_invalid: () => 'is not a valid date',
  date_in_past: () => 'is in the past',
  date_too_far: (p) => `must be less than ${show(p.maxAheadDays)} days ahead`,
  url_invalid: (p) => (p.protocols === undefined ? 'must be an absolute URL' : `must be an absolute URL using ${list(p.protocols)}`),
  uuid_invalid: (p) =>
    p.shape ? `must be a ${p.lowercase ? 'lowercase ' : ''}UUID (8-4-4-4-12 hexadecimal digits)` : `must be a UUID of version 1 to 5${p.lowercase ? ' in lowercase' : ''}`,
  recipients_empty: () => 'must contain at least one recipient',
  recipients_too_many: (p) => `must contain at most ${show(p.max)} recipients per request (got ${show(p.count)}); use sendInBatches to split`,
  text_empty: (p) => `must be at least ${show(p.min)} character${p.min === 1 ? '' : 's'}`,
  text_too_long: (p) => `must be at most ${show(p.max)} characters (got ${show(p.length)})`,
  text_too_many_parts: (p) => `needs ${show(p.segments)} SMS parts (${show(p.encoding)}); the maximum is ${show(p.max)}`,
  placeholder_invalid: (p) => `has an invalid length in placeholder ${show(p.placeholder)}`,
  placeholder_length: (p) => `placeholder ${show(p.placeholder)} must ask for ${show(p.min)} to ${show(p.max)} characters`,
  template_syntax: (p) => `is not a valid template at character ${show(p.at)} ("${show(p.near)}"): ${show(p.why)}`,
  template_unknown_column: (p) => `the placeholder {${show(p.column)}} names no column of the recipients`,
  template_empty_value: (p) => `column "${show(p.column)}" is empty, so {${show(p.column)}} cannot be filled`,
  phone_not_a_number: () => 'is not a phone number',
  phone_invalid_country: () => 'has no known country code (write it with + and the country code, or set defaultCountry)',
  phone_too_short: () => 'is too short to be a phone number',
  phone_too_long: () => 'is too long to be a phone number',
  phone_invalid: () => 'is not a valid phone number',
  phone_ambiguous: () => 'could be a national or an international number; write it with + and the country code',
};

/** The message of an issue code, written with its parameters (an unknown code gets the message of `invalid`). */
export function messageFor(code: IssueCode, params: IssueParams = {}): string {
  const render = typeof code === 'string' && Object.prototype.hasOwnProperty.call(issueMessages, code) ? issueMessages[code] : issueMessages.invalid;
  try {
    return render(typeof params === 'object' && params !== null ? params : {});
  } catch (error) {
    // Only a parameter object whose getters throw can end here.
    return `${issueMessages.invalid({})} (${show(error instanceof Error ? error.message : error)})`;
  }
}
