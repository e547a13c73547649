import type { VendorErrorFields, VendorProfile } from '@msgkit/core/internal';

export {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InsufficientCreditError,
  MissingCredentialsError,
  MsgkitError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@msgkit/core';
export type { MsgkitErrorCode, ValidationIssue } from '@msgkit/core';

/**
 * Reads The SMS Works' two error bodies: `ErrorModel {message}` (lookups) and the flattened
 * `ExtendedErrorModel {message, errorCode, status, permanent?}` (sends, schedules, cancel).
 * The vendor publishes no code list, so `errorCode` and `status` are passed through as they come;
 * the class follows the HTTP status (402 is the vendor's "payment required", i.e. no credits).
 */
export function parseSmsWorksError(_status: number, body: unknown): VendorErrorFields {
  // The vendor's schema is an allOf; tolerate a body that arrives as the unmerged parts.
  const parts = Array.isArray(body) ? body : [body];
  const fields: VendorErrorFields = {};
  for (const part of parts) {
    if (typeof part !== 'object' || part === null) continue;
    const { message, errorCode, status } = part as Record<string, unknown>;
    if (typeof message === 'string' && message !== '') fields.message ??= message;
    if ((typeof errorCode === 'number' || typeof errorCode === 'string') && errorCode !== '') fields.vendorCode ??= errorCode;
    if (typeof status === 'string' && status !== '') fields.vendorType ??= status;
  }
  return fields;
}

/** No request-id response header is documented by the vendor, so none is read. */
export const smsWorksVendor: VendorProfile = { parseError: parseSmsWorksError };
