/**
 * The one error hierarchy of msgkit. Every error is data first: a stable `code` callers can switch
 * on, then fields, then prose. Prose for the codes lives in one map (`errorMessages`).
 *
 * Nothing here ever holds a request: no request headers, no request body, no credentials. Response
 * headers and bodies are kept because they are the vendor's answer, which carries no secret of ours.
 */

export type MsgkitErrorCode =
  | 'validation_error'
  | 'api_error'
  | 'bad_request'
  | 'authentication_error'
  | 'insufficient_credit'
  | 'permission_denied'
  | 'not_found'
  | 'redirect'
  | 'rate_limited'
  | 'server_error'
  | 'connection_error'
  | 'timeout'
  | 'aborted'
  | 'journal_mismatch'
  | 'journal_write_failed'
  | 'redis_unavailable'
  | 'redis_not_durable'
  | 'invalid_report';

/** msgkit's one line for each error code: the start of every error's message. */
export const errorMessages: Record<MsgkitErrorCode, string> = {
  validation_error: 'The request was refused before sending',
  api_error: 'The vendor answered with an error',
  bad_request: 'The vendor refused the request as invalid',
  authentication_error: 'The vendor did not accept the credentials',
  insufficient_credit: 'The account has not enough credit for this request',
  permission_denied: 'The credentials are not allowed to do this',
  not_found: 'The vendor does not know this resource',
  redirect: 'The vendor answered with a redirect, which is not followed',
  rate_limited: 'The vendor is limiting the request rate',
  server_error: 'The vendor failed to handle the request',
  connection_error: 'No answer could be read from the vendor',
  timeout: 'The vendor did not answer in time',
  aborted: 'The request was aborted by the caller',
  journal_mismatch: 'The campaign journal belongs to another campaign',
  journal_write_failed: 'The campaign journal could not be written, so the campaign stopped',
  redis_unavailable: 'Redis could not be reached',
  redis_not_durable: 'Redis may lose what the queue records, so a batch could be sent twice',
  invalid_report: 'The delivery report is not in the vendor\'s documented format',
};

/**
 * Said of errors after which the vendor may or may not have acted on the request: the request left
 * this process, and no answer proves what happened to it.
 */
const OUTCOME_UNKNOWN =
  'The outcome is unknown: the vendor may have accepted the request. Check its status before sending it again.';

/** What a `MsgkitError` carries besides its code and message. */
export interface MsgkitErrorOptions {
  cause?: unknown;
  /** True when the request may have reached the vendor and been acted on. */
  outcomeUnknown?: boolean;
  /** Which attempt this error came from (1 = the first request); set by the retry policy. */
  attempts?: number;
}

/**
 * The base of every error msgkit throws: `code` says what went wrong as data (`validation_error`,
 * `rate_limited`, `timeout`, …), the message says it in words, and no credential is ever part of
 * either. `outcomeUnknown` says whether the vendor may have acted on the request.
 */
export class MsgkitError extends Error {
  readonly code: MsgkitErrorCode;
  /** True when the request may have reached the vendor and been acted on (a paid send included). */
  readonly outcomeUnknown: boolean;
  /** How many HTTP attempts were made before this error was thrown (0 when none was). */
  attempts: number;
  /**
   * The deduplication key the failed request carried (SMS.CX idempotencyId, Octopush request_id).
   * Resending the same request with this key cannot bill twice, even when `outcomeUnknown`.
   */
  dedupeKey: string | undefined;

  constructor(code: MsgkitErrorCode, detail?: string, options: MsgkitErrorOptions = {}) {
    const outcomeUnknown = options.outcomeUnknown ?? false;
    const parts = [detail ? `${errorMessages[code]}: ${detail}` : errorMessages[code]];
    if (outcomeUnknown) parts.push(OUTCOME_UNKNOWN);
    super(parts.join('. '), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.outcomeUnknown = outcomeUnknown;
    this.attempts = options.attempts ?? 0;
    this.dedupeKey = undefined;
  }

  /** What `JSON.stringify(error)` shows: the data, never a request. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, outcomeUnknown: this.outcomeUnknown, attempts: this.attempts, dedupeKey: this.dedupeKey };
  }
}

/** One problem of a request found before the wire, as listed in `ValidationError.issues`. */
export interface ValidationIssue {
  /** Where in the request object the problem is, e.g. ['destinations', 3]. */
  path: (string | number)[];
  /** A stable code from the rules' message map, e.g. 'sender_too_long'. */
  code: string;
  message: string;
  /** The code the vendor documents for the same mistake, when it documents one. */
  vendorCode?: number | string;
}

/** Thrown before any HTTP request: every issue of the request at once. */
export class ValidationError extends MsgkitError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], message?: string) {
    const summary =
      message ??
      issues
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(request)'}: ${i.message}${i.vendorCode === undefined ? '' : ` [vendor code ${i.vendorCode}]`}`)
        .join('; ');
    super('validation_error', summary);
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** What an `ApiError` is made from: the vendor's answer (status, codes, message, headers, body) as the HTTP policy read it. */
export interface ApiErrorInit {
  status: number;
  vendorCode?: number | string;
  vendorType?: string;
  /** The vendor's own message, or the raw body text when it could not be parsed. */
  message: string;
  requestId?: string;
  headers: Record<string, string>;
  body: unknown;
  retryAfterMs?: number;
  /** Overrides the status-based class where the vendor says more, e.g. credit errors on 400/403. */
  kind?: ApiErrorKind;
  outcomeUnknown?: boolean;
}

/** The codes of errors that carry a vendor's answer. */
export type ApiErrorKind = Exclude<MsgkitErrorCode, 'validation_error' | 'connection_error' | 'timeout' | 'aborted' | 'journal_mismatch' | 'journal_write_failed' | 'redis_unavailable' | 'redis_not_durable' | 'invalid_report'>;

/** The vendor answered, with an error. */
export class ApiError extends MsgkitError {
  readonly status: number;
  readonly vendorCode: number | string | undefined;
  readonly vendorType: string | undefined;
  readonly vendorMessage: string;
  readonly requestId: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;

  constructor(init: ApiErrorInit, code: MsgkitErrorCode = 'api_error') {
    const tags = [`HTTP ${init.status}`];
    if (init.vendorCode !== undefined) tags.push(`vendor code ${init.vendorCode}`);
    if (init.vendorType) tags.push(init.vendorType);
    if (init.requestId) tags.push(`request id ${init.requestId}`);
    super(code, `${init.message} (${tags.join(', ')})`, { outcomeUnknown: init.outcomeUnknown ?? false });
    this.status = init.status;
    this.vendorCode = init.vendorCode;
    this.vendorType = init.vendorType;
    this.vendorMessage = init.message;
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.body = init.body;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      vendorCode: this.vendorCode,
      vendorType: this.vendorType,
      requestId: this.requestId,
      body: this.body,
    };
  }
}

export class BadRequestError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'bad_request');
  }
}
export class AuthenticationError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'authentication_error');
  }
}
export class InsufficientCreditError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'insufficient_credit');
  }
}
export class PermissionDeniedError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'permission_denied');
  }
}
export class NotFoundError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'not_found');
  }
}
/**
 * A 3xx answer. It is never followed: the credentials and a paid body go only to the configured
 * baseUrl. `location` is where it pointed, without user info, query or fragment (they may hold
 * tokens); a Location that cannot be read is undefined.
 */
export class RedirectError extends ApiError {
  readonly location: string | undefined;
  constructor(init: ApiErrorInit & { location?: string }) {
    super(init, 'redirect');
    this.location = init.location;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

export class RateLimitError extends ApiError {
  /** How long the vendor asked us to wait, from Retry-After or a reset header. */
  readonly retryAfterMs: number | undefined;
  constructor(init: ApiErrorInit) {
    super(init, 'rate_limited');
    this.retryAfterMs = init.retryAfterMs;
  }
}
export class ServerError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init, 'server_error');
  }
}

const byKind: Record<ApiErrorKind, new (init: ApiErrorInit) => ApiError> = {
  bad_request: BadRequestError,
  authentication_error: AuthenticationError,
  insufficient_credit: InsufficientCreditError,
  permission_denied: PermissionDeniedError,
  not_found: NotFoundError,
  redirect: RedirectError,
  rate_limited: RateLimitError,
  server_error: ServerError,
  api_error: ApiError,
};

/** The error kind of an HTTP status: 400/422 bad request, 401 authentication, 402 credit, 403 permission, 404 not found, 429 rate limited, 5xx server, any other `api_error`. */
export function apiErrorKind(status: number): ApiErrorKind {
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_credit';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'api_error';
}

/** The one factory: picks the class from the vendor's hint, else from the HTTP status. */
export function createApiError(init: ApiErrorInit): ApiError {
  const Class = byKind[init.kind ?? apiErrorKind(init.status)];
  return new Class(init);
}

/** No usable answer: the connection failed or broke. */
export class ConnectionError extends MsgkitError {
  constructor(detail: string, options: MsgkitErrorOptions = {}) {
    super('connection_error', detail, options);
  }
}

/** No answer within the time allowed. The request may have been acted on. */
export class TimeoutError extends MsgkitError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options: MsgkitErrorOptions = {}) {
    super('timeout', `no answer within ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. The request may have been acted on if it had left already. */
export class AbortError extends MsgkitError {
  constructor(options: MsgkitErrorOptions = {}) {
    super('aborted', undefined, options);
  }
}

/**
 * A campaign journal reopened for a campaign that is not the one it recorded (another text, list,
 * provider, sender or options), or a batch that no longer holds the recipients it was recorded
 * with. Resuming would send a different campaign under the old one's record: nothing is sent.
 */
export class JournalMismatchError extends MsgkitError {
  /** What differs, e.g. ['text', 'recipients']. */
  readonly changed: string[];

  constructor(changed: string[], detail: string) {
    super('journal_mismatch', detail);
    this.changed = changed;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), changed: this.changed };
  }
}

/**
 * A journal record could not be made durable (disk full, file too large, an I/O error, a short
 * write): the campaign stops. As the error of a batch it means the batch was never sent (its
 * `begin` was not recorded, so its request never left); as a batch's `unrecorded` it means the
 * batch's outcome is missing from the journal, which then holds it as unknown.
 */
export class JournalWriteError extends MsgkitError {
  /** The journal file, when the store is a file. */
  readonly path: string | undefined;
  /** The system's error code (`ENOSPC`, `EFBIG`, `EIO`…), when there is one. */
  readonly systemCode: string | undefined;

  constructor(detail: string, options: { cause?: unknown; path?: string; systemCode?: string } = {}) {
    super('journal_write_failed', detail, options.cause === undefined ? {} : { cause: options.cause });
    this.path = options.path;
    this.systemCode = options.systemCode;
  }

  /** `error` as a JournalWriteError: itself when it is one, else wrapped with its system code. */
  static from(error: unknown, path?: string): JournalWriteError {
    if (error instanceof JournalWriteError) return error;
    const systemCode = (error as { code?: unknown } | null)?.code;
    const code = typeof systemCode === 'string' ? systemCode : undefined;
    const detail = `${path ?? 'the journal'}: ${code ?? (error instanceof Error ? error.message : String(error))}`;
    return new JournalWriteError(detail, { cause: error, ...(path !== undefined && { path }), ...(code !== undefined && { systemCode: code }) });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, systemCode: this.systemCode };
  }
}
