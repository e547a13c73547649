export { normalizePhoneWith, normalizeRecipientsWith } from './normalize';
export type { NormalizedRecipients, NormalizePhoneOptions, PhoneErrorCode, PhoneNumberType, PhoneResult } from './types';
