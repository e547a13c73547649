/**
 * The HTTP policy every provider client applies around its generated operations: a timeout per
 * attempt, the caller's AbortSignal, vendor errors turned into typed errors, and retries that
 * never repeat a paid send the vendor would not deduplicate.
 *
 * It wraps the generated `…Raw(request, initOverrides)` method rather than fetch itself, because
 * the retry decision depends on the operation (is it safe to repeat?) and the vendor (how does its
 * error body read?), which a fetch-level middleware cannot know.
 */
import { AbortError, ApiError, ConnectionError, MsgkitError, RateLimitError, TimeoutError, ValidationError, createApiError, type ApiErrorInit } from '../errors';
import { requestOptionsIssues } from './input';
import type { Redactor } from './redact';
import { FollowedRedirect, redirectError, redirectMayHaveActed } from './redirect';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, RETRY_AFTER_MAX_MS, backoffDelayMs, retryAfterMs, sleep } from './retry';

/** What the vendor's error body says, as read by the provider's parser. */
export type VendorErrorFields = Pick<ApiErrorInit, 'vendorCode' | 'vendorType' | 'kind'> & { message?: string };

/** Reads a vendor's error body (already JSON-parsed when it was JSON, else the raw text). */
export type VendorErrorParser = (status: number, body: unknown) => VendorErrorFields;

/** The retry and timeout policy of a client, as its options take it (each call may override it). */
export interface HttpPolicyOptions {
  /** Per attempt (reading the answer included), in whole milliseconds, 1 to 2^31-1. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, a whole number 0 to MAX_RETRIES_LIMIT (10). Default 2. */
  maxRetries?: number;
}

/** What a client hands `execute` besides the operation: its checked options and its secrets. */
export interface ClientPolicy extends HttpPolicyOptions {
  /** Cuts the client's credentials out of every error before it is thrown. */
  redactor?: Redactor;
}

/** Per-call options every client method accepts as its last argument. */
export interface RequestOptions extends HttpPolicyOptions {
  signal?: AbortSignal;
}

/** The generated runtime's ApiResponse, as far as the policy needs it. */
export interface RawResponse<T> {
  raw: Response;
  /** The answer's body, read as the generated model. */
  value(): Promise<T>;
}

/** One request as the HTTP policy runs it: whether it may be repeated, its dedupe key, and the call itself. */
export interface Operation<T> {
  /**
   * True when repeating the request cannot cause a second effect: reads, estimates, deletes, and
   * sends the vendor deduplicates by a key we send (SMS.CX idempotencyId, Octopush request_id).
   * A non-idempotent request is retried only when it provably never reached the vendor.
   */
  idempotent: boolean;
  /**
   * The deduplication key the request carries, when the vendor deduplicates by one. Such a request
   * is retried like an idempotent one, but a failure still says the outcome is unknown (an earlier
   * attempt may have been accepted), and the error carries the key so the caller can resend safely.
   */
  dedupeKey?: string;
  /**
   * True only where the vendor documents that a 429 to this operation is refused before any work
   * (name the source where it is set). A 429 is otherwise no proof that nothing was done: a
   * non-idempotent request is then not retried and a write's outcome is unknown.
   */
  rateLimitRefusesWork?: boolean;
  /** Calls the generated `…Raw` method once with the given fetch options. */
  attempt: (init: RequestInit) => Promise<RawResponse<T>>;
}

/** How the HTTP policy reads one vendor: its error body, and the header that carries its request id. */
export interface VendorProfile {
  parseError: VendorErrorParser;
  /** Response header that carries the vendor's request id, if it sends one. */
  requestIdHeader?: string;
}

/** A vendor's answer with the request id the vendor gave it in its headers, where it gives one. */
export type WithRequestId<T> = T & { readonly requestId?: string };

/** Connection failures that happen before a byte of the request was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** Builds the typed error for a non-2xx answer from the vendor's body and headers. */
export async function apiErrorFromResponse(response: Response, vendor: VendorProfile, outcomeUnknown = false): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: the raw text is kept as the body.
  }
  let fields: VendorErrorFields = {};
  try {
    fields = vendor.parseError(response.status, body);
  } catch {
    // An unexpected shape still becomes an ApiError with the raw body kept.
  }
  const message = fields.message || (typeof body === 'string' && body ? body.slice(0, 500) : response.statusText || 'error');
  const requestId = vendor.requestIdHeader ? response.headers.get(vendor.requestIdHeader) ?? undefined : undefined;
  return createApiError({
    status: response.status,
    message,
    headers: headersRecord(response.headers),
    body,
    outcomeUnknown,
    ...(fields.vendorCode !== undefined && { vendorCode: fields.vendorCode }),
    ...(fields.vendorType !== undefined && { vendorType: fields.vendorType }),
    ...(fields.kind !== undefined && { kind: fields.kind }),
    ...(requestId !== undefined && { requestId }),
    ...(response.status === 429 && { retryAfterMs: retryAfterMs(response.headers) }),
  });
}

function isResponseError(error: unknown): error is { response: Response } {
  return typeof error === 'object' && error !== null && (error as { response?: unknown }).response instanceof Response;
}

interface Failure {
  error: MsgkitError;
  /** Safe to try again as far as this attempt is concerned. */
  retryable: boolean;
  /** This attempt may have reached the vendor and been acted on. */
  reached: boolean;
  waitMs?: number;
}

interface AttemptContext {
  op: Operation<unknown>;
  vendor: VendorProfile;
  timedOut: boolean;
  timeoutMs: number;
  callerSignal: AbortSignal | undefined;
  /** An earlier attempt of the same call may have been acted on. */
  reachedBefore: boolean;
}

async function classify(error: unknown, ctx: AttemptContext): Promise<Failure> {
  const { op } = ctx;
  // Reads cannot have an unknown outcome; anything that writes can, once a request may have
  // reached the vendor on this attempt or an earlier one.
  const writes = !op.idempotent || op.dedupeKey !== undefined;
  const unknown = (reached: boolean) => writes && (reached || ctx.reachedBefore);
  if (error instanceof MsgkitError) return { error, retryable: false, reached: false };
  if (error instanceof FollowedRedirect) {
    // The request (credentials, body) went to another URL and something answered there.
    return { error: redirectError(error.response, headersRecord(error.response.headers), unknown(true), error.requested), retryable: false, reached: true };
  }
  if (isResponseError(error)) {
    const response = error.response;
    const status = response.status;
    if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') {
      const reached = redirectMayHaveActed(status);
      return { error: redirectError(response, headersRecord(response.headers), unknown(reached)), retryable: false, reached };
    }
    if (status === 429) {
      const refused = op.rateLimitRefusesWork === true;
      const apiError = await apiErrorFromResponse(response, ctx.vendor, unknown(!refused));
      const wait = apiError instanceof RateLimitError ? apiError.retryAfterMs : undefined;
      const retryable = (op.idempotent || refused) && !(wait !== undefined && wait > RETRY_AFTER_MAX_MS);
      return { error: apiError, retryable, reached: !refused, ...(wait !== undefined && { waitMs: wait }) };
    }
    // A 5xx may come after the vendor acted; a 4xx is a refusal of the request as sent.
    const reached = status >= 500;
    const apiError = await apiErrorFromResponse(response, ctx.vendor, unknown(reached));
    if (reached) {
      // Only a request that can safely repeat is retried after a 5xx.
      const wait = retryAfterMs(response.headers);
      return { error: apiError, retryable: op.idempotent, reached, ...(wait !== undefined && wait <= RETRY_AFTER_MAX_MS && { waitMs: wait }) };
    }
    return { error: apiError, retryable: false, reached };
  }
  if (ctx.callerSignal?.aborted) return { error: new AbortError({ cause: ctx.callerSignal.reason, outcomeUnknown: unknown(true) }), retryable: false, reached: true };
  if (ctx.timedOut) return { error: new TimeoutError(ctx.timeoutMs, { outcomeUnknown: unknown(true) }), retryable: op.idempotent, reached: true };
  const code = causeCode(error);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const detail = code ? `${code}` : error instanceof Error ? error.message : 'unknown failure';
  return {
    error: new ConnectionError(detail, { cause: error, outcomeUnknown: unknown(!notSent) }),
    retryable: op.idempotent || notSent,
    reached: !notSent,
  };
}

/**
 * A 2xx answer means the vendor acted; a body we cannot read (HTML, empty, half JSON, cut off, too
 * slow) must not make us send again. It becomes an error that is never retried and says the
 * outcome is unknown: the vendor accepted the request, and we cannot tell what it answered.
 */
function unreadableSuccess(raw: Response, error: unknown, requestId: string | undefined, ctx: { timedOut: boolean; timeoutMs: number; callerSignal: AbortSignal | undefined }): MsgkitError {
  if (ctx.callerSignal?.aborted) return new AbortError({ cause: ctx.callerSignal.reason, outcomeUnknown: true });
  const detail = ctx.timedOut ? `no complete answer within ${ctx.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
  return createApiError({
    status: raw.status,
    kind: 'api_error',
    message: `the vendor accepted the request, but its answer could not be read (${detail.slice(0, 200)})`,
    headers: headersRecord(raw.headers),
    body: undefined,
    outcomeUnknown: true,
    ...(requestId !== undefined && { requestId }),
  });
}

function attachRequestId<T>(value: T, requestId: string | undefined): WithRequestId<T> {
  if (requestId !== undefined && typeof value === 'object' && value !== null) {
    Object.defineProperty(value, 'requestId', { value: requestId, enumerable: false, configurable: true });
  }
  return value as WithRequestId<T>;
}

type Outcome<T> = { ok: true; value: WithRequestId<T> } | { ok: false; failure: Failure };

/** One attempt: the answer read whole, or how it failed. The timeout covers reading the body too. */
async function attemptOnce<T>(op: Operation<T>, vendor: VendorProfile, timeoutMs: number, callerSignal: AbortSignal | undefined, reachedBefore: boolean): Promise<Outcome<T>> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
  const context = (): AttemptContext => ({ op: op as Operation<unknown>, vendor, timedOut: timeout.signal.aborted, timeoutMs, callerSignal, reachedBefore });
  try {
    let response: RawResponse<T>;
    try {
      response = await op.attempt({ signal, redirect: 'manual' });
    } catch (error) {
      return { ok: false, failure: await classify(error, context()) };
    }
    // A fetch that followed a redirect despite `redirect: 'manual'`: the answer is another host's.
    if (response.raw.redirected) return { ok: false, failure: await classify(new FollowedRedirect(response.raw, ''), context()) };
    const requestId = vendor.requestIdHeader ? response.raw.headers.get(vendor.requestIdHeader) ?? undefined : undefined;
    try {
      return { ok: true, value: attachRequestId(await response.value(), requestId) };
    } catch (error) {
      return { ok: false, failure: { error: unreadableSuccess(response.raw, error, requestId, context()), retryable: false, reached: true } };
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one logical operation under the policy. The operation's request object must be built once,
 * before this call, so every attempt sends the same bytes (and the same deduplication key).
 */
export async function execute<T>(op: Operation<T>, vendor: VendorProfile, defaults: ClientPolicy = {}, call: RequestOptions = {}): Promise<WithRequestId<T>> {
  const issues = requestOptionsIssues(call);
  if (issues.length > 0) throw new ValidationError(issues);
  const timeoutMs = call?.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = call?.maxRetries ?? defaults.maxRetries ?? DEFAULT_MAX_RETRIES;
  const callerSignal = call?.signal;
  /** Every error leaves with the attempts made and the key to resend with, its secrets cut out. */
  const done = (error: MsgkitError, attempts: number): MsgkitError => {
    error.attempts = attempts;
    error.dedupeKey = op.dedupeKey;
    return defaults.redactor ? defaults.redactor.error(error) : error;
  };
  if (callerSignal?.aborted) throw done(new AbortError({ cause: callerSignal.reason }), 0);

  let reachedBefore = false;
  for (let attempt = 0; ; attempt++) {
    const outcome: Outcome<T> = await attemptOnce(op, vendor, timeoutMs, callerSignal, reachedBefore);
    if (outcome.ok) return outcome.value;
    const failure: Failure = outcome.failure;
    reachedBefore ||= failure.reached;
    if (!failure.retryable || attempt >= maxRetries) throw done(failure.error, attempt + 1);
    try {
      await sleep(failure.waitMs ?? backoffDelayMs(attempt), callerSignal);
    } catch (reason) {
      // Aborted while waiting to retry: what the attempts made so far left behind still holds.
      throw done(new AbortError({ cause: reason, outcomeUnknown: failure.error.outcomeUnknown }), attempt + 1);
    }
  }
}
