export { normalizePhoneWith, normalizeRecipientsWith } from './normalize';
export type { NormalizedRecipients, NormalizePhoneOptions, PhoneErrorCode, PhoneResult } from './normalize';
