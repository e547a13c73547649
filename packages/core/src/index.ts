/**
 * Phone normalization, SMS segment counting, validation rules, batching, errors and HTTP policy shared by every msgkit provider client.
 *
 * @module @msgkit/core
 */
// Default entry: libphonenumber-js "min" metadata (smallest bundle; validates by length and
// leading digits), as derived for msgkit's reading of numbers (phone/metadata.ts: the same
// answers, without what that reading never looks at). For full pattern validation import the
// same API from `@msgkit/core/max`.
import { sendMetadata as metadata } from './phone/metadata';
import { normalizePhoneWith, normalizeRecipientsWith, type NormalizePhoneOptions, type NormalizedRecipients, type PhoneResult } from './phone/index';
import { readList, readOptions } from './rules/lists';

export * from './public';

// Read once, whatever getters or proxies the caller's objects have, before any number is parsed.
const PHONE_OPTIONS = ['defaultCountry'];

/** Normalizes one phone number to E.164, or says why it cannot. */
export function normalizePhone(input: string, options?: NormalizePhoneOptions): PhoneResult {
  return normalizePhoneWith(metadata, input, readOptions(options, PHONE_OPTIONS, ['options']));
}

/** Normalizes a recipient list: unique E.164 numbers in first-seen order, and every invalid input with its index. */
export function normalizeRecipients(inputs: readonly string[], options?: NormalizePhoneOptions): NormalizedRecipients {
  return normalizeRecipientsWith(metadata, readList(inputs, ['inputs']), readOptions(options, PHONE_OPTIONS, ['options']));
}
