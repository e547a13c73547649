/**
 * Remembers which authenticated callbacks were already taken, until their credential expires. A
 * store shared by several receivers (Redis, a database) implements the same two calls.
 */
export interface ReplayStore {
  /** True when `key` was not held: it is now, until `expiresAtMs`. False when it already was. */
  claim(key: string, expiresAtMs: number): boolean | Promise<boolean>;
  /** Gives up a claim whose callback was not recorded after all, so the vendor's retry is taken. */
  release(key: string): void | Promise<void>;
}

/**
 * An in-memory replay store holding at most `maxEntries` keys. When full it forgets the oldest
 * first: a replay of a forgotten callback then reaches the ledger, where it is an exact duplicate
 * and changes nothing.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #keys = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#max = options.maxEntries ?? 200_000;
    if (!Number.isSafeInteger(this.#max) || this.#max < 1) throw new TypeError('maxEntries must be a positive whole number');
    this.#now = options.now ?? Date.now;
  }

  claim(key: string, expiresAtMs: number): boolean {
    const now = this.#now();
    const held = this.#keys.get(key);
    if (held !== undefined && held >= now) return false;
    if (held !== undefined) this.#keys.delete(key);
    this.#keys.set(key, expiresAtMs);
    this.#prune(now);
    return true;
  }

  release(key: string): void {
    this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }

  #prune(now: number): void {
    for (const [key, expiresAt] of this.#keys) {
      if (this.#keys.size <= this.#max && expiresAt >= now) break;
      this.#keys.delete(key);
    }
  }
}
