/**
 * Retry constants and the arithmetic of waiting, in one place (as AWS's middleware-retry keeps
 * them). Every number here is a policy choice; the reason is beside it.
 */

/** Two retries turn a short vendor hiccup into a success without tripling a failing call's cost. */
export const DEFAULT_MAX_RETRIES = 2;
/** Vendors answer sends in well under a second; 30 s only trips on a real stall. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** First backoff step; doubled per retry. */
export const RETRY_BASE_DELAY_MS = 500;
/** No computed backoff waits longer than this. */
export const RETRY_MAX_DELAY_MS = 8_000;
/**
 * A vendor may ask us to wait (Retry-After, SMS.CX X-Rate-Limit-Reset). We honour it up to this
 * long; a longer wait is handed to the caller as a RateLimitError with `retryAfterMs` instead of
 * holding the call open for minutes.
 */
export const RETRY_AFTER_MAX_MS = 60_000;

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so clients
 * that failed together spread out but none retries immediately.
 */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * How long the vendor asked us to wait, if it did: `Retry-After` in seconds or as an HTTP date,
 * else SMS.CX's `X-Rate-Limit-Reset`, a Unix timestamp in seconds.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('x-rate-limit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const value = Number(reset);
    // A small number is a delay in seconds (some gateways send that); a large one is a timestamp.
    return value > 1_000_000_000 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  return undefined;
}

/** Waits `ms`, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
