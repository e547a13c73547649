/**
 * Retry constants and the arithmetic of waiting, in one place (as AWS's middleware-retry keeps
 * them). Every number here is a policy choice; the reason is beside it.
 */

/** Two retries turn a short vendor hiccup into a success without tripling a failing call's cost. */
export const DEFAULT_MAX_RETRIES = 2;
/**
 * The most retries a caller may ask for. With backoff capped at RETRY_MAX_DELAY_MS, ten retries
 * already hold a call for over a minute; a longer persistence belongs in the caller's own loop.
 */
export const MAX_RETRIES_LIMIT = 10;
/** setTimeout's largest delay (2^31 - 1 ms); a larger one fires after 1 ms instead. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
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

/** The three date forms RFC 9110 §5.6.7 lets Retry-After carry: IMF-fixdate, RFC 850, asctime. */
const HTTP_DATE = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * A wait the vendor asked for stays a finite, whole number of milliseconds however large the
 * header was; anything above RETRY_AFTER_MAX_MS is handed to the caller rather than slept.
 */
const finiteWait = (ms: number) => Math.min(Math.max(0, Math.ceil(ms)), Number.MAX_SAFE_INTEGER);

/**
 * How long the vendor asked us to wait, if it did: `Retry-After` as non-negative seconds or as an
 * HTTP date, else SMS.CX's `X-Rate-Limit-Reset`, a Unix timestamp in seconds. Anything else
 * ("-5", "1e9", "soon") is ignored, not guessed at: `Date.parse("-5")` would read a year.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return finiteWait(Number(retryAfter) * 1000);
    if (HTTP_DATE.some((form) => form.test(retryAfter))) {
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) return finiteWait(date - now);
    }
  }
  const reset = headers.get('x-rate-limit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const value = Number(reset);
    // A small number is a delay in seconds (some gateways send that); a large one is a timestamp.
    return finiteWait(value > 1_000_000_000 ? value * 1000 - now : value * 1000);
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
