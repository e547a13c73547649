/**
 * Hooks around each HTTP attempt, and per-call headers. Three plain callbacks rather than a
 * middleware chain (AWS SDK v3's stack, Azure's pipeline policies): they cover adding headers,
 * observing and timing, and cannot drop a request, swallow an error or skip the retry policy.
 *
 * Headers are only ever added: nothing may replace a header the client sets (credentials, content
 * type) or add credentials or an idempotency key of its own, which the redactor would not know and
 * the dedupe rules would not see.
 */
import { ValidationError, type MsgkitError, type ValidationIssue } from '../errors';

/**
 * What an `onRequest` hook is given before each attempt, retries included: the call it belongs to
 * and a `Headers` object it may add headers to (never replace one the client or the call set).
 */
export interface RequestInfo {
  /** The provider, as in a log line (`smscx`). */
  client: string;
  method: string;
  url: string;
  /** 1 for the first request of a call. */
  attempt: number;
  /**
   * Headers to add to this attempt (the call's `headers` are already in). The client's own, with
   * its credentials, are not shown and cannot be replaced.
   */
  headers: Headers;
}

/**
 * What an `onResponse` hook is given after each attempt that got an HTTP answer, a 4xx or 5xx
 * included; an attempt that got no answer (a timeout, a refused connection) reaches `onRetry` or
 * the call's error instead.
 */
export interface AttemptResponse {
  client: string;
  method: string;
  url: string;
  /** 1 for the first request of a call. */
  attempt: number;
  /** The HTTP status of the answer. */
  status: number;
  /** The answer's headers, with the client's credentials cut out like an error's. */
  headers: Record<string, string>;
  requestId: string | undefined;
  /** From sending the request to the answer read whole. */
  durationMs: number;
}

/** What an `onRetry` hook is given when an attempt failed and the client will try again after `delayMs`. */
export interface RetryInfo {
  client: string;
  /** The attempt that failed. */
  attempt: number;
  /** What it failed with (redacted): the error the call would throw if it stopped here. */
  error: MsgkitError;
  /** How long the client waits before the next attempt. */
  delayMs: number;
}

/** Called before each attempt; may add headers. Throwing (or resolving to a rejected promise) stops the call before that attempt is sent. */
export type RequestHook = (request: RequestInfo) => void | Promise<void>;
/** Called after each attempt that got an HTTP answer; awaited before the client goes on. Throwing stops the call. */
export type ResponseHook = (response: AttemptResponse) => void | Promise<void>;
/** Called before the client waits `delayMs` to try again; awaited. Throwing stops the call: nothing more is sent. */
export type RetryHook = (retry: RetryInfo) => void | Promise<void>;

/**
 * A hook that throws stops the call: nothing more is sent, and the call rejects with an AbortError
 * whose `cause` is what the hook threw and whose `outcomeUnknown` says whether the vendor may have
 * acted already.
 */
export interface AttemptHooks {
  /** Before each attempt: add headers, start a timer. */
  onRequest?: RequestHook | undefined;
  /** After each attempt that got an HTTP answer, successful or not. */
  onResponse?: ResponseHook | undefined;
  /** Before waiting to try again. */
  onRetry?: RetryHook | undefined;
}

/** Carried from `execute` to the client's fetch inside the generated code's RequestInit. */
export const ATTEMPT: unique symbol = Symbol.for('msgkit.attempt') as never;

/** One attempt as `execute` and the fetch wrapper share it. */
export interface AttemptState {
  client: string;
  attempt: number;
  headers: Readonly<Record<string, string>> | undefined;
  onRequest: RequestHook | undefined;
  /** Filled by the fetch wrapper: what the generated code asked for. */
  method: string;
  url: string;
}

/** Thrown by the fetch wrapper when a hook threw or broke the header rules: `execute` stops the call. */
export class HookFailure extends Error {
  constructor(readonly reason: unknown) {
    super('a hook stopped the call');
  }
}

/** Headers no call or hook may set: credentials, idempotency keys, and what fetch computes. */
const RESERVED = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'api-login', 'idempotency-key', 'x-idempotency-id', 'x-idempotency-key', 'content-length', 'host', 'transfer-encoding', 'connection']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The `headers` option of a call: names and values fetch can send, none of them reserved. */
export function headerIssues(headers: unknown, at: (string | number)[]): ValidationIssue[] {
  if (headers === undefined) return [];
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return [{ path: at, code: 'invalid_type', message: 'must be an object of header names and string values' }];
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const path = [...at, name];
    if (!TOKEN.test(name)) issues.push({ path, code: 'invalid', message: 'is not a header name' });
    else if (RESERVED.has(name.toLowerCase())) issues.push({ path, code: 'header_reserved', message: 'would replace the credentials, the idempotency key or what fetch computes: set by the client only' });
    else if (typeof value !== 'string') issues.push({ path, code: 'invalid_type', message: 'must be a string' });
    else if (/[\r\n\0]/.test(value)) issues.push({ path, code: 'invalid', message: 'must not contain line breaks or NUL' });
  }
  return issues;
}

function refused(names: string[]): ValidationError {
  return new ValidationError(names.map((name) => ({ path: ['headers', name], code: 'header_reserved', message: 'is set by the client and cannot be replaced' })));
}

/** The request's headers with the call's and then the hook's added; refuses any that would replace one. */
async function addHeaders(state: AttemptState, own: HeadersInit | undefined): Promise<Headers> {
  const headers = new Headers(own);
  const clashes: string[] = [];
  for (const [name, value] of Object.entries(state.headers ?? {})) {
    if (headers.has(name)) clashes.push(name);
    else headers.set(name, value);
  }
  // Deterministic: the first attempt finds it, before anything is sent.
  if (clashes.length > 0) throw refused(clashes);
  if (state.onRequest) {
    const added = new Headers();
    try {
      await state.onRequest({ client: state.client, method: state.method, url: state.url, attempt: state.attempt, headers: added });
    } catch (error) {
      throw new HookFailure(error);
    }
    added.forEach((value, name) => {
      if (RESERVED.has(name) || headers.has(name)) clashes.push(name);
      else headers.set(name, value);
    });
    if (clashes.length > 0) throw new HookFailure(refused(clashes));
  }
  return headers;
}

/** What the fetch wrapper does with an attempt's state before sending. */
export async function prepareAttempt(state: AttemptState, input: string, init: RequestInit): Promise<RequestInit> {
  state.method = init.method ?? 'GET';
  state.url = input;
  if (state.headers === undefined && state.onRequest === undefined) return init;
  return { ...init, headers: await addHeaders(state, init.headers) };
}
