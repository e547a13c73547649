/**
 * Redirects are never followed. Following one would send the credential headers and a paid body
 * to whatever host the Location names, and that host's `200 {}` would read as a successful send.
 * Every attempt asks fetch for `redirect: 'manual'` (a 3xx then arrives as an answer), and a fetch
 * the caller supplied that follows redirects anyway is caught by `guardFetch`.
 */
import { RedirectError, type ApiErrorInit } from '../errors';
import { ATTEMPT, prepareAttempt, type AttemptState } from './hooks';

/** A fetch function as the clients call it (the global `fetch` is one). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Thrown by `guardFetch` when the answer came from another URL than the one requested. */
export class FollowedRedirect extends Error {
  override name = 'FollowedRedirect';
  constructor(
    readonly response: Response,
    readonly requested: string,
  ) {
    super('the fetch implementation followed a redirect');
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * Wraps the caller's fetch (or the global one, looked up per call): always `redirect: 'manual'`,
 * and an answer that says it was redirected, or came from another origin, is refused. It is also
 * where an attempt's extra headers and `onRequest` hook meet the request the generated code built.
 */
export function guardFetch(fetchImpl?: FetchLike): FetchLike {
  return async (input, init) => {
    const state = (init as { [ATTEMPT]?: AttemptState })[ATTEMPT];
    const request = state ? await prepareAttempt(state, input, init) : init;
    const response = await (fetchImpl ?? globalThis.fetch)(input, { ...request, redirect: 'manual' });
    // The string comparison spares the common case two URL parses.
    if (response.redirected || (response.url !== '' && response.url !== input && !sameOrigin(response.url, input))) throw new FollowedRedirect(response, input);
    return response;
  };
}

/** Where a Location points, without user info, query or fragment, which may carry tokens. */
export function safeLocation(location: string | null, base: string): string | undefined {
  if (location === null || location.trim() === '') return undefined;
  try {
    const url = new URL(location.trim(), base || undefined);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether the server may have acted before redirecting. 301, 307 and 308 say the resource is
 * elsewhere and the request is to be made there (RFC 9110 §15.4.2, .8, .9): nothing was done here.
 * A 303 is how a server answers a POST it has processed (POST-redirect-GET, RFC 9110 §15.4.4), and
 * 302 is used the same way by older servers, so after those a write's outcome is unknown.
 */
export function redirectMayHaveActed(status: number): boolean {
  return status !== 301 && status !== 307 && status !== 308;
}

export function redirectError(response: Response, headers: Record<string, string>, outcomeUnknown: boolean, followed?: string): RedirectError {
  const location = followed === undefined ? safeLocation(response.headers.get('location'), response.url) : safeLocation(response.url, followed);
  const init: ApiErrorInit & { location?: string } = {
    status: response.status,
    message: followed === undefined
      ? `redirect to ${location ?? 'an unreadable Location'}; check the client's baseUrl`
      : `the fetch implementation followed a redirect to ${location ?? 'another URL'}; its answer is not used (pass a fetch that honours redirect: 'manual')`,
    headers: { ...headers, ...(headers.location !== undefined && { location: location ?? '' }) },
    body: undefined,
    outcomeUnknown,
    ...(location !== undefined && { location }),
  };
  return new RedirectError(init);
}
