/**
 * How Infobip says what went wrong. Every 4xx/5xx body is
 * `{"requestError":{"serviceException":{"messageId","text","validationErrors"?}}}` (S1 ApiException,
 * shared/vendors/infobip.md §3.8). `messageId` there is an error code word (BAD_REQUEST,
 * UNAUTHORIZED, …), not a message id, so it becomes `vendorCode`; `text` varies between accounts
 * and versions and is only ever shown, never matched.
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
export type { ApiErrorKind, MsgkitErrorCode, ValidationIssue } from '@msgkit/core';

interface ServiceException {
  messageId?: unknown;
  text?: unknown;
  validationErrors?: unknown;
}

function serviceException(body: unknown): ServiceException | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const requestError = (body as { requestError?: unknown }).requestError;
  if (typeof requestError !== 'object' || requestError === null) return undefined;
  const exception = (requestError as { serviceException?: unknown }).serviceException;
  return typeof exception === 'object' && exception !== null ? (exception as ServiceException) : undefined;
}

/** `{"destinations[0].to": ["must not be null"]}` → `destinations[0].to: must not be null`. */
function describeFieldErrors(errors: unknown): string | undefined {
  if (typeof errors !== 'object' || errors === null) return undefined;
  const parts: string[] = [];
  for (const [field, messages] of Object.entries(errors)) {
    const list = Array.isArray(messages) ? messages.map(String) : [String(messages)];
    parts.push(`${field}: ${list.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * 409 is Infobip's "invalid scenario" / "creating scenario is forbidden" (S1): a refusal of this
 * request's content, so the caller must change the request, as with a 400.
 */
function kindOf(status: number): ApiErrorKind | undefined {
  return status === 409 ? 'bad_request' : undefined;
}

/**
 * Reads an Infobip error body (`requestError.serviceException`: `messageId` and `text`) into the
 * fields of an `ApiError`.
 */
export function parseInfobipError(status: number, body: unknown): VendorErrorFields {
  const exception = serviceException(body);
  const kind = kindOf(status);
  if (!exception) return kind ? { kind } : {};
  const code = typeof exception.messageId === 'string' && exception.messageId !== '' ? exception.messageId : undefined;
  const text = typeof exception.text === 'string' && exception.text !== '' ? exception.text : undefined;
  const fields = describeFieldErrors(exception.validationErrors);
  const message = [text, fields].filter(Boolean).join(': ') || undefined;
  return {
    ...(code !== undefined && { vendorCode: code }),
    ...(message !== undefined && { message }),
    ...(kind !== undefined && { kind }),
  };
}

/**
 * How core's HTTP policy reads Infobip: its error body, and a gateway's request-id header where one
 * is present.
 */
export const infobipVendor: VendorProfile = {
  parseError: parseInfobipError,
  // Infobip documents no request-id header (shared/vendors/infobip.md); the ids to quote to its
  // support are bulkId/messageId from the body. A gateway's X-Request-Id is kept when present.
  requestIdHeader: 'x-request-id',
};
