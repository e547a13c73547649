/**
 * How SMS.CX reports errors: `{"error": {"type", "code", "message", "uri"}}` on every 4xx/5xx
 * (specs/smscx.yaml, ErrorResponse), sometimes with an `invalid` list of phone numbers either at
 * the top level (the SDK models) or inside `error` (the vendor README), so both places are read.
 */
import type { ApiError } from '@msgkit/core';
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
export type { ApiErrorKind, MsgkitErrorCode, RequestOptions, ValidationIssue } from '@msgkit/core';

/** The vendor's error types (ErrorDetail.type in the spec). */
export type SmscxErrorType =
  | 'invalid_param'
  | 'insufficient_credit'
  | 'invalid_api_key'
  | 'insufficient_scope'
  | 'no_coverage'
  | 'access_denied'
  | 'not_found'
  | 'invalid_method'
  | 'rate_limit'
  | 'server_error'
  | (string & {});

interface SmscxErrorBody {
  error?: { type?: unknown; code?: unknown; message?: unknown; invalid?: unknown };
  invalid?: unknown;
}

/** The numbers the vendor listed as invalid in an error body (1207 / 1210), wherever it put them. */
export function invalidNumbers(error: ApiError | { body: unknown }): string[] {
  const body = error.body as SmscxErrorBody | undefined;
  if (typeof body !== 'object' || body === null) return [];
  const list = Array.isArray(body.invalid) ? body.invalid : Array.isArray(body.error?.invalid) ? body.error.invalid : [];
  return list.filter((item): item is string => typeof item === 'string');
}

/** Shown in the message so a log line says which numbers failed; long lists are cut. */
const INVALID_SHOWN = 10;

/**
 * Reads an SMS.CX error body (`error.type`, `error.code`, `error.message`, the invalid numbers)
 * into the fields of an `ApiError`.
 */
export function parseSmscxError(_status: number, body: unknown): VendorErrorFields {
  if (typeof body !== 'object' || body === null) return {};
  const detail = (body as SmscxErrorBody).error;
  if (typeof detail !== 'object' || detail === null) return {};
  const type = typeof detail.type === 'string' ? detail.type : undefined;
  const code = typeof detail.code === 'number' || typeof detail.code === 'string' ? detail.code : undefined;
  let message = typeof detail.message === 'string' ? detail.message : undefined;
  const invalid = invalidNumbers({ body });
  if (message && invalid.length > 0) {
    const shown = invalid.slice(0, INVALID_SHOWN).join(', ');
    message += ` (invalid: ${shown}${invalid.length > INVALID_SHOWN ? `, … ${invalid.length - INVALID_SHOWN} more` : ''})`;
  }
  return {
    ...(type !== undefined && { vendorType: type }),
    ...(code !== undefined && { vendorCode: code }),
    ...(message !== undefined && { message }),
    // 1113 / 1114 / 1130 arrive as 400 `insufficient_credit`; by status alone they would read as a bad request.
    ...(type === 'insufficient_credit' && { kind: 'insufficient_credit' as const }),
  };
}

/**
 * How core's HTTP policy reads SMS.CX: its error body and its request-id header (`x-request-id`).
 */
export const smscxVendor: VendorProfile = {
  parseError: parseSmscxError,
  requestIdHeader: 'x-request-id',
};
