/**
 * Pacing lookups by a vendor's published limit. A vendor's "N requests per P seconds" may be counted
 * in fixed windows aligned to its clock, which msgkit cannot see: the only pace safe under every
 * alignment is one that never puts more than N requests in any window of P seconds. So this is a
 * token bucket of N tokens in which each token comes back exactly P seconds after it was spent
 * (rather than trickling back continuously, which lets up to 2N through one window).
 *
 * "Spent" is counted from the request's answer, not from when it was let through: a request may
 * reach the vendor at any moment until it is answered, so two requests paced by their departures
 * alone can arrive closer than the limit allows (seen at the sandbox: 704 ms apart at 1 per second).
 * A vendor's lookups go one at a time, so the next `take` finds the request before it answered and
 * moves its stamp to that moment; `answered()` says so explicitly after the last one.
 */
import { sleep, type RateLimit } from '@msgkit/core/internal';

/** Time, injectable so that tests never wait on the wall clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (rejects with the signal's reason when it aborts first). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` and a timer that the signal can cut short. */
export const systemClock: Clock = { now: () => Date.now(), sleep };

/**
 * Lets requests through at a {@link RateLimit}: never more than `requests` in any window of
 * `periodSeconds` (see this file's top). The constructor throws a `RangeError` for a limit that is
 * not a whole number of requests of at least 1 per a positive period.
 */
export class RateLimiter {
  readonly limit: RateLimit;
  /** Requests let through so far. */
  taken = 0;
  readonly #clock: Clock;
  readonly #periodMs: number;
  /** When each of the last `requests` tokens was spent, oldest first. */
  readonly #spent: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit, clock: Clock) {
    if (!Number.isSafeInteger(limit.requests) || limit.requests < 1 || !Number.isFinite(limit.periodSeconds) || limit.periodSeconds <= 0) {
      throw new RangeError(`a rate limit needs a whole number of requests ≥ 1 per a positive period (got ${limit.requests} per ${limit.periodSeconds} s)`);
    }
    this.limit = limit;
    this.#clock = clock;
    this.#periodMs = limit.periodSeconds * 1000;
  }

  /** Resolves when one more request may go out; takers are served in turn. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(signal));
    // A taker that gave up (aborted) must not block the ones behind it.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** The request let through last has been answered: its token comes back a period from now. */
  answered(): void {
    const last = this.#spent.length - 1;
    if (last >= 0) this.#spent[last] = Math.max(this.#spent[last]!, this.#clock.now());
  }

  async #wait(signal?: AbortSignal): Promise<void> {
    this.answered();
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      if (this.#spent.length < this.limit.requests) break;
      const free = this.#spent[0]! + this.#periodMs;
      if (now >= free) {
        this.#spent.shift();
        break;
      }
      await this.#clock.sleep(free - now, signal);
    }
    this.#spent.push(this.#clock.now());
    this.taken++;
  }
}
