/**
 * The API of `@msgkit/core` with libphonenumber-js "max" metadata: every number gets its type (`MOBILE`, `FIXED_LINE`, …) and is validated against full patterns, at about four times the metadata size.
 *
 * @module @msgkit/core/max
 */
// `@msgkit/core/max`: the same API as `@msgkit/core`, bound to libphonenumber-js "max" metadata
// (full number-type patterns: stricter validation, about 4x the metadata size).
import metadata from 'libphonenumber-js/max/metadata';
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
