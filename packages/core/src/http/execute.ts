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
import { ATTEMPT, HookFailure, type AttemptHooks, type AttemptState } from './hooks';
import { requestOptionsIssues } from './input';
import { logs, writeAttempt, type AttemptLog, type LogRecord } from './log';
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
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, a whole number 0 to MAX_RETRIES_LIMIT (10). Default 2. */
  maxRetries?: number | undefined;
}

/** What a client hands `execute` besides the operation: its checked options and its secrets. */
export interface ClientPolicy extends HttpPolicyOptions {
  /** Cuts the client's credentials out of every error, log line and hook argument. */
  redactor?: Redactor;
  /** The provider's name in log lines and hook arguments (`smscx`). */
  client?: string;
  log?: AttemptLog | undefined;
  hooks?: AttemptHooks | undefined;
}

/** Per-call options every client method accepts as its last argument. */
export interface RequestOptions extends HttpPolicyOptions {
  signal?: AbortSignal | undefined;
  /**
   * Headers added to every attempt of this call. None may replace what the client sets
   * (credentials, content type) or carry credentials or an idempotency key: a ValidationError.
   */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** The answer a successful call read, as `result.response` (not enumerable: the result's shape is the model's). */
export interface ResponseInfo {
  status: number;
  /** The answer's headers, with the client's credentials cut out like an error's. */
  readonly headers: Record<string, string>;
  requestId: string | undefined;
  /** How many HTTP attempts the call made (1 when the first one succeeded). */
  attempts: number;
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

/** A result with the answer it came from; `requestId` and `response` are not enumerable. */
export type WithResponse<T> = T & { readonly requestId?: string; readonly response: ResponseInfo };
/** The name results had before they carried `response`; the same type. */
export type WithRequestId<T> = WithResponse<T>;

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
  // A hook stopped the call; what earlier attempts left behind still holds.
  if (error instanceof HookFailure) return { error: new AbortError({ cause: error.reason, outcomeUnknown: unknown(false) }), retryable: false, reached: false };
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

function attach<T>(value: T, requestId: string | undefined, response: ResponseInfo): WithResponse<T> {
  if (typeof value === 'object' && value !== null) {
    if (requestId !== undefined) Object.defineProperty(value, 'requestId', { value: requestId, enumerable: false, configurable: true });
    Object.defineProperty(value, 'response', { value: response, enumerable: false, configurable: true });
  }
  return value as WithResponse<T>;
}

/** Response headers as a record, redacted, built only when read: most calls never look. */
function lazyHeaders(headers: Headers, redactor: Redactor | undefined): () => Record<string, string> {
  let record: Record<string, string> | undefined;
  return () => (record ??= redactor ? redactor.value(headersRecord(headers)) : headersRecord(headers));
}

type Outcome<T> = { ok: true; value: T; raw: Response; requestId: string | undefined } | { ok: false; failure: Failure; raw: Response | undefined };

/** One attempt: the answer read whole, or how it failed. The timeout covers reading the body too. */
async function attemptOnce<T>(op: Operation<T>, vendor: VendorProfile, timeoutMs: number, callerSignal: AbortSignal | undefined, reachedBefore: boolean, state: AttemptState | undefined): Promise<Outcome<T>> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
  const context = (): AttemptContext => ({ op: op as Operation<unknown>, vendor, timedOut: timeout.signal.aborted, timeoutMs, callerSignal, reachedBefore });
  const init: RequestInit & { [ATTEMPT]?: AttemptState } = { signal, redirect: 'manual' };
  if (state) init[ATTEMPT] = state;
  try {
    let response: RawResponse<T>;
    try {
      response = await op.attempt(init);
    } catch (error) {
      return { ok: false, failure: await classify(error, context()), raw: isResponseError(error) ? error.response : undefined };
    }
    // A fetch that followed a redirect despite `redirect: 'manual'`: the answer is another host's.
    if (response.raw.redirected) return { ok: false, failure: await classify(new FollowedRedirect(response.raw, ''), context()), raw: response.raw };
    const requestId = vendor.requestIdHeader ? response.raw.headers.get(vendor.requestIdHeader) ?? undefined : undefined;
    try {
      return { ok: true, value: await response.value(), raw: response.raw, requestId };
    } catch (error) {
      return { ok: false, failure: { error: unreadableSuccess(response.raw, error, requestId, context()), retryable: false, reached: true }, raw: response.raw };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a hook outside the attempt; one that throws stops the call like an abort. */
async function runHook(hook: () => void | Promise<void>, outcomeUnknown: boolean): Promise<MsgkitError | undefined> {
  try {
    await hook();
    return undefined;
  } catch (error) {
    return new AbortError({ cause: error, outcomeUnknown });
  }
}

/**
 * Runs one logical operation under the policy. The operation's request object must be built once,
 * before this call, so every attempt sends the same bytes (and the same deduplication key).
 */
export async function execute<T>(op: Operation<T>, vendor: VendorProfile, defaults: ClientPolicy = {}, call?: RequestOptions): Promise<WithResponse<T>> {
  const issues = requestOptionsIssues(call);
  if (issues.length > 0) throw new ValidationError(issues);
  const timeoutMs = call?.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = call?.maxRetries ?? defaults.maxRetries ?? DEFAULT_MAX_RETRIES;
  const callerSignal = call?.signal;
  const { redactor, log, hooks } = defaults;
  const client = defaults.client ?? 'msgkit';
  const writes = !op.idempotent || op.dedupeKey !== undefined;
  /** Every error leaves with the attempts made and the key to resend with, its secrets cut out. */
  const done = (error: MsgkitError, attempts: number): MsgkitError => {
    error.attempts = attempts;
    error.dedupeKey = op.dedupeKey;
    return redactor ? redactor.error(error) : error;
  };
  if (callerSignal?.aborted) throw done(new AbortError({ cause: callerSignal.reason }), 0);
  // The plain path (no hooks, no headers, no log) allocates nothing of this per attempt.
  const observed = call?.headers !== undefined || hooks?.onRequest !== undefined;
  const timed = log !== undefined || hooks?.onResponse !== undefined;

  let reachedBefore = false;
  for (let attempt = 0; ; attempt++) {
    const state: AttemptState | undefined = observed || timed ? { client, attempt: attempt + 1, headers: call?.headers, onRequest: hooks?.onRequest, method: '', url: '' } : undefined;
    const started = timed ? performance.now() : 0;
    const outcome: Outcome<T> = await attemptOnce(op, vendor, timeoutMs, callerSignal, reachedBefore, state);
    const durationMs = timed ? performance.now() - started : 0;
    const requestId = outcome.ok ? outcome.requestId : outcome.raw && vendor.requestIdHeader ? outcome.raw.headers.get(vendor.requestIdHeader) ?? undefined : undefined;
    const headers = outcome.raw ? lazyHeaders(outcome.raw.headers, redactor) : undefined;
    const failure: Failure | undefined = outcome.ok ? undefined : outcome.failure;
    if (failure) reachedBefore ||= failure.reached;
    const retrying = failure !== undefined && failure.retryable && attempt < maxRetries;
    const waitMs = retrying ? failure.waitMs ?? backoffDelayMs(attempt) : undefined;
    if (state && outcome.raw && hooks?.onResponse) {
      const raw = outcome.raw;
      const stopped = await runHook(
        () => hooks.onResponse!({ client, method: state.method, url: state.url, attempt: attempt + 1, status: raw.status, headers: headers!(), requestId: requestId && redactor ? redactor.text(requestId) : requestId, durationMs }),
        writes && (reachedBefore || outcome.ok),
      );
      if (stopped) throw done(stopped, attempt + 1);
    }
    if (state && log) logAttempt(log, state, { status: outcome.raw?.status, durationMs, requestId, failure, waitMs, headers, redactor });
    if (outcome.ok) return attach(outcome.value, requestId, { status: outcome.raw.status, get headers() { return headers!(); }, requestId, attempts: attempt + 1 });
    if (!retrying) throw done(failure!.error, attempt + 1);
    if (hooks?.onRetry) {
      const error = redactor ? redactor.error(failure!.error) : failure!.error;
      const stopped = await runHook(() => hooks.onRetry!({ client, attempt: attempt + 1, error, delayMs: waitMs! }), failure!.error.outcomeUnknown);
      if (stopped) throw done(stopped, attempt + 1);
    }
    try {
      await sleep(waitMs!, callerSignal);
    } catch (reason) {
      // Aborted while waiting to retry: what the attempts made so far left behind still holds.
      throw done(new AbortError({ cause: reason, outcomeUnknown: failure!.error.outcomeUnknown }), attempt + 1);
    }
  }
}

interface AttemptFacts {
  status: number | undefined;
  durationMs: number;
  requestId: string | undefined;
  failure: Failure | undefined;
  waitMs: number | undefined;
  headers: (() => Record<string, string>) | undefined;
  redactor: Redactor | undefined;
}

/** Success at info, a failure tried again at warn, the last failure at error; debug adds headers and the error's text. */
function logAttempt(log: AttemptLog, state: AttemptState, facts: AttemptFacts): void {
  const { failure } = facts;
  const level = failure === undefined ? 'info' : facts.waitMs !== undefined ? 'warn' : 'error';
  if (!logs(log, level)) return;
  let path = state.url;
  try {
    path = new URL(state.url).pathname;
  } catch {
    // Not absolute: logged as the generated code gave it.
  }
  const record: LogRecord = { client: state.client, method: state.method, path, status: facts.status, attempt: state.attempt, durationMs: facts.durationMs, requestId: facts.requestId };
  if (failure) {
    record.error = failure.error.code;
    if (facts.waitMs !== undefined) record.retryInMs = facts.waitMs;
    else if (failure.error.outcomeUnknown) record.outcomeUnknown = true;
  }
  if (logs(log, 'debug')) {
    if (facts.headers) record.headers = facts.headers();
    if (failure) record.message = failure.error.message;
  }
  writeAttempt(log, level, record, facts.redactor);
}
