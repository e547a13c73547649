/**
 * How Octopush says "no": `{ code, message, errors? }` where `code` is HTTP-like (400 payload
 * validation, with `errors` keyed by field) or a business code (121 STOP mention, 2005 invalid
 * e-mail, legacy 104/105 out of credit, 120 duplicate request_id). Source: specs/octopush.yaml
 * `ErrorResponse`, /work/shared/vendors/octopush.md §4.7.
 */
import type { ApiErrorKind, VendorErrorFields, VendorProfile } from '@msgkit/core/internal';

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

/** Legacy return codes the v1 API still answers with for an empty wallet. */
const OUT_OF_CREDIT = new Set([104, 105]);

/** A repeated `request_id` within 24 h: Octopush refused to send the same campaign twice. */
export const DUPLICATE_REQUEST_ID = 120;

interface FieldError {
  code?: unknown;
  message?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Business codes are kept as they are; on a payload validation error (code 400) with exactly one
 * field, that field's code (e.g. 442) is the more precise answer, and the field name is the type.
 */
export function parseOctopushError(status: number, body: unknown): VendorErrorFields {
  if (!isRecord(body)) return {};
  const code = typeof body.code === 'number' ? body.code : undefined;
  const message = typeof body.message === 'string' ? body.message : undefined;
  const fields = isRecord(body.errors) ? Object.entries(body.errors as Record<string, FieldError>) : [];
  const details = fields.map(([name, error]) => `${name}: ${isRecord(error) && typeof error.message === 'string' ? error.message : 'invalid'}`);
  const fields0 = fields.length === 1 ? fields[0] : undefined;
  const fieldCode = fields0 && isRecord(fields0[1]) && typeof fields0[1].code === 'number' ? fields0[1].code : undefined;

  const out: VendorErrorFields = {};
  const vendorCode = fieldCode ?? code;
  if (vendorCode !== undefined) out.vendorCode = vendorCode;
  if (fields.length > 0) out.vendorType = fields.map(([name]) => name).join(',');
  const text = [message, ...details].filter(Boolean).join(' ');
  if (text) out.message = text;
  const kind = kindOf(status, code);
  if (kind) out.kind = kind;
  return out;
}

function kindOf(status: number, code: number | undefined): ApiErrorKind | undefined {
  if (code !== undefined && OUT_OF_CREDIT.has(code)) return 'insufficient_credit';
  // A 2xx that carries an error code (Octopush answers some failures with 200 and `code` != 0).
  if (status < 300) {
    if (code === 401) return 'authentication_error';
    if (code === 403) return 'permission_denied';
    return 'bad_request';
  }
  return undefined;
}

/** Octopush documents no request-id response header; the ticket identifies a send instead. */
export const octopushVendor: VendorProfile = { parseError: parseOctopushError };
