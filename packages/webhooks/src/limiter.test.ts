import { describe, expect, it } from 'vitest';
import { RateLimiter, type Clock } from './limiter';

/** A clock that never waits: sleeping moves its time on, and every take is stamped. */
function virtualClock(start = 0) {
  let now = start;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  return clock;
}

/** The most stamps in any window [t, t + periodMs). */
function busiestWindow(stamps: number[], periodMs: number): number {
  let most = 0;
  for (let i = 0; i < stamps.length; i++) {
    let n = 0;
    for (const t of stamps) if (t >= stamps[i]! && t < stamps[i]! + periodMs) n++;
    most = Math.max(most, n);
  }
  return most;
}

describe('RateLimiter', () => {
  it('lets no window of the period hold more than its requests, and no more wait than that takes', async () => {
    for (const limit of [{ requests: 120, periodSeconds: 60 }, { requests: 1, periodSeconds: 1 }, { requests: 20, periodSeconds: 600 }]) {
      const clock = virtualClock(1_000_000);
      const limiter = new RateLimiter({ ...limit, published: true }, clock);
      const stamps: number[] = [];
      const n = limit.requests * 3 + 1;
      for (let i = 0; i < n; i++) {
        await limiter.take();
        stamps.push(clock.now());
      }
      expect(busiestWindow(stamps, limit.periodSeconds * 1000)).toBe(limit.requests);
      // Three full periods of waiting, not more: the limiter is not slower than the limit.
      expect(stamps.at(-1)! - stamps[0]!).toBe(3 * limit.periodSeconds * 1000);
      expect(limiter.taken).toBe(n);
    }
  });

  it('counts a period from each answer, so requests that reach the vendor at any moment before their answer never crowd one window', async () => {
    // Requests one at a time, each taking up to 700 ms to be answered, and reaching the vendor either
    // as it leaves or just as it is answered: the two extremes a vendor's clock may see.
    for (const limit of [{ requests: 1, periodSeconds: 1 }, { requests: 3, periodSeconds: 2 }]) {
      const clock = virtualClock(5_000);
      const limiter = new RateLimiter({ ...limit, published: true }, clock);
      const arrivals: number[] = [];
      let seed = 7;
      const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      for (let i = 0; i < 40; i++) {
        await limiter.take();
        const left = clock.now();
        await clock.sleep(Math.floor(random() * 700));
        arrivals.push(i % 2 === 0 ? clock.now() : left);
      }
      expect(busiestWindow(arrivals, limit.periodSeconds * 1000)).toBeLessThanOrEqual(limit.requests);
    }
  });

  it('serves concurrent takers one by one, within the limit', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ requests: 2, periodSeconds: 1, published: true }, clock);
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => limiter.take().then(() => stamps.push(clock.now()))));
    expect(stamps).toHaveLength(7);
    expect(busiestWindow(stamps, 1000)).toBe(2);
  });

  it('refuses a limit it could not honour', () => {
    for (const bad of [{ requests: 0, periodSeconds: 1 }, { requests: 1.5, periodSeconds: 1 }, { requests: 1, periodSeconds: 0 }, { requests: 1, periodSeconds: Number.NaN }]) {
      expect(() => new RateLimiter({ ...bad, published: true }, virtualClock())).toThrow(/rate limit/);
    }
  });

  it('stops waiting when its signal is aborted', async () => {
    const clock: Clock = { now: () => 0, sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })) };
    const limiter = new RateLimiter({ requests: 1, periodSeconds: 60, published: true }, clock);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
