/** Every code a rule can report; `messages.ts` must have prose for each (a test enforces it). */
export const ISSUE_CODES = [
  'required',
  'invalid_type',
  'invalid',
  'unreadable',
  'too_long',
  'too_short',
  'too_few_items',
  'too_many_items',
  'too_small',
  'too_big',
  'unknown_field',
  'sender_empty',
  'sender_alpha_length',
  'sender_numeric_length',
  'sender_chars',
  'validity_not_integer',
  'validity_unit',
  'validity_too_short',
  'validity_too_long',
  'strategy_not_list',
  'strategy_too_few_channels',
  'strategy_unknown_channel',
  'strategy_duplicate_channel',
  'strategy_last_channel',
  'strategy_missing_field',
  'date_invalid',
  'date_in_past',
  'date_too_far',
  'url_invalid',
  'uuid_invalid',
  'recipients_empty',
  'recipients_too_many',
  'text_empty',
  'text_too_long',
  'text_too_many_parts',
  'placeholder_invalid',
  'placeholder_length',
  'template_syntax',
  'template_unknown_column',
  'template_empty_value',
  'phone_not_a_number',
  'phone_invalid_country',
  'phone_too_short',
  'phone_too_long',
  'phone_invalid',
  'phone_ambiguous',
] as const;

/** The stable codes of `ValidationIssue.code` (`sender_too_long`, `phone_invalid`, …). */
export type IssueCode = (typeof ISSUE_CODES)[number];

/** A vendor's own error code, as it documents it (SMS.CX 1125, Infobip `EC_INVALID_DESTINATION_ADDRESS`, …). */
export type VendorCode = number | string;

/**
 * The vendor's documented code for a mistake: one code for everything a rule reports, or one per
 * issue code (e.g. SMS.CX TTL: `{ validity_too_short: 1125, validity_too_long: 1134 }`).
 */
export type VendorCodes = VendorCode | Partial<Record<IssueCode, VendorCode>>;

export function vendorCodeFor(codes: VendorCodes | undefined, code: IssueCode): VendorCode | undefined {
  if (codes === undefined || typeof codes !== 'object') return codes;
  return codes[code];
}
