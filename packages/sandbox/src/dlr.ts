import type { DeliveryAttempt, Vendor } from './types';

const BACKOFF_MS = [50, 100, 200, 400];
const TIMEOUT_MS = 2000;
// A 25 000-message send to a local receiver must not open 25 000 sockets at once.
const CONCURRENCY = 16;

/**
 * Posts delivery reports in the background: never awaited by a request, a bounded number of
 * attempts per report, and every outcome kept for assertions.
 */
export class DlrSender {
  readonly done: DeliveryAttempt[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #controller = new AbortController();
  readonly #queue: Array<() => void> = [];
  #running = 0;

  constructor(private readonly attempts: number) {}

  post(vendor: Vendor, url: string, body: unknown): void {
    const job = this.#deliver(vendor, url, body).finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  close(): void {
    this.#controller.abort();
  }

  async #deliver(vendor: Vendor, url: string, body: unknown): Promise<void> {
    if (this.#running >= CONCURRENCY) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#running++;
    try {
      await this.#attempt(vendor, url, body);
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }

  async #attempt(vendor: Vendor, url: string, body: unknown): Promise<void> {
    const outcome: DeliveryAttempt = { vendor, url, body, attempts: 0, ok: false };
    const payload = JSON.stringify(body);
    for (let attempt = 0; attempt < this.attempts && !this.#controller.signal.aborted; attempt++) {
      if (attempt > 0) await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!, this.#controller.signal);
      outcome.attempts = attempt + 1;
      try {
        const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(TIMEOUT_MS)]);
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, signal });
        await res.arrayBuffer().catch(() => undefined);
        outcome.status = res.status;
        if (res.ok) {
          outcome.ok = true;
          break;
        }
      } catch {
        outcome.status = undefined;
      }
    }
    this.done.push(outcome);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
