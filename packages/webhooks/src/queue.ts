/** Work done after the vendor had its answer: bounded, retried, and never dropped without a trace. */
export interface QueueOptions {
  /** Batches handled at once (default 1). */
  concurrency?: number;
  /** Batches waiting at most; past that the receiver answers 503 and records nothing (default 10 000). */
  maxPending?: number;
  /** Further attempts after a failure (default 3), waiting `retryDelayMs` × 4^n (default 100 ms). */
  retries?: number;
  retryDelayMs?: number;
}

/** Work that failed every attempt: the item, the last error, and how many attempts were made. */
export interface FailedWork<T> {
  item: T;
  error: unknown;
  attempts: number;
}

export class WorkQueue<T> {
  readonly failed: FailedWork<T>[] = [];
  readonly #items: T[] = [];
  readonly #idle: Array<() => void> = [];
  readonly #concurrency: number;
  readonly #maxPending: number;
  readonly #retries: number;
  readonly #delay: number;
  #running = 0;
  #closed = false;

  constructor(
    private readonly work: (item: T) => unknown,
    private readonly onFailed: (failure: FailedWork<T>) => void,
    options: QueueOptions = {},
  ) {
    this.#concurrency = positive(options.concurrency ?? 1, 'concurrency');
    this.#maxPending = positive(options.maxPending ?? 10_000, 'maxPending');
    this.#retries = options.retries ?? 3;
    this.#delay = options.retryDelayMs ?? 100;
    if (!Number.isSafeInteger(this.#retries) || this.#retries < 0) throw new TypeError('retries must be a whole number ≥ 0');
  }

  /** Room for one more batch? Asked before anything is recorded. */
  get full(): boolean {
    return this.#items.length >= this.#maxPending;
  }

  get pending(): number {
    return this.#items.length + this.#running;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#pump();
  }

  /** Resolves once every batch pushed so far has been handled or given up. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    this.#closed = true;
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#items.length > 0) {
      const item = this.#items.shift()!;
      this.#running++;
      void this.#run(item).finally(() => {
        this.#running--;
        this.#pump();
        if (this.pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  async #run(item: T): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.work(item);
        return;
      } catch (error) {
        if (attempt > this.#retries || this.#closed) {
          const failure = { item, error, attempts: attempt };
          this.failed.push(failure);
          try {
            this.onFailed(failure);
          } catch {
            // The failure is kept in `failed`; a throwing error hook cannot lose it.
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.#delay * 4 ** (attempt - 1)));
      }
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive whole number`);
  return value;
}
