import { DlrSender } from './dlr';
import { behaviourOf, seeded, type Behaviour } from './reports';
import type { AnsweredRequest, FaultSpec, ReceivedRequest, Reply, SandboxMessage, SandboxOptions, Vendor } from './types';

/** A delivery report held back by the `late` switch: one report, posted as it would have been. */
export interface HeldReport {
  vendor: Vendor;
  url: string;
  body: unknown;
}

// setTimeout cannot wait longer than this; messages due later simply never fall due while the
// sandbox runs (they can still be cancelled).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Everything one sandbox remembers. Vendor handlers read and write it; `reset()` starts over. */
export class SandboxState {
  received: ReceivedRequest[] = [];
  answered: AnsweredRequest[] = [];
  readonly messages = new Map<Vendor, Map<string, SandboxMessage>>();
  /** Replays for idempotency keys, by `${vendor}:${key}`. */
  readonly replays = new Map<string, Reply>();
  faults: Array<FaultSpec & { count: number }> = [];
  /** Vendor-specific memory (Infobip scenarios, pulled reports, balances, ...). */
  readonly vendorData = new Map<Vendor, Record<string, unknown>>();
  dlr: DlrSender;
  /** The sandbox's own port, once it listens: delivery reports never go there. */
  port?: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Delivery reports waiting for their DLR delay (not scheduled messages, which may wait for days). */
  readonly #soon = new Map<NodeJS.Timeout, () => void>();

  /** Reports the `late` switch holds back until `release()`, oldest first. */
  held: HeldReport[] = [];

  /** The report switches in force, and the random source they draw from. */
  behaviour: Behaviour;
  random: () => number;

  constructor(readonly options: Required<Pick<SandboxOptions, 'dlrDelayMs' | 'dlrAttempts' | 'dlrTimeoutMs'>> & Pick<SandboxOptions, 'webhooks' | 'reports'>) {
    this.dlr = new DlrSender(options.dlrAttempts, () => this.port, options.dlrTimeoutMs);
    this.behaviour = behaviourOf(options.reports ?? {});
    this.random = seeded(this.behaviour.seed);
  }

  /** Replaces the report switches (all of them) and reseeds. */
  setBehaviour(input: unknown): void {
    this.behaviour = behaviourOf(input);
    this.random = seeded(this.behaviour.seed);
  }

  hold(report: HeldReport): void {
    this.held.push(report);
  }

  /** Posts the held reports (of one vendor, or all) now; returns how many. */
  release(vendor?: Vendor): number {
    const out = this.held.filter((r) => vendor === undefined || r.vendor === vendor);
    this.held = this.held.filter((r) => !(vendor === undefined || r.vendor === vendor));
    for (const r of out) this.dlr.post(r.vendor, r.url, r.body, { late: true });
    return out.length;
  }

  store(vendor: Vendor): Map<string, SandboxMessage> {
    let map = this.messages.get(vendor);
    if (!map) this.messages.set(vendor, (map = new Map()));
    return map;
  }

  data<T extends Record<string, unknown>>(vendor: Vendor, init: () => T): T {
    let value = this.vendorData.get(vendor) as T | undefined;
    if (!value) this.vendorData.set(vendor, (value = init()));
    return value;
  }

  /** Runs `fn` after `ms` without keeping the process alive; forgotten on reset/close. */
  later(ms: number, fn: () => void): void {
    if (ms > MAX_TIMER_MS) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    timer.unref();
    this.#timers.add(timer);
  }

  /** Like `later`, for a delivery report: `settled()` waits for it. */
  report(ms: number, fn: () => void): void {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => {
      this.#soon.delete(timer);
      try {
        fn();
      } finally {
        done();
      }
    }, Math.max(0, ms));
    timer.unref();
    this.#soon.set(timer, done);
    this.#waiting.add(finished);
    void finished.then(() => this.#waiting.delete(finished));
  }

  readonly #waiting = new Set<Promise<void>>();

  /** Resolves when no delivery report is waiting for its delay or its POST. */
  async settled(): Promise<void> {
    while (this.#waiting.size > 0) await Promise.all([...this.#waiting]);
    await this.dlr.settled();
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const [timer, done] of this.#soon) {
      clearTimeout(timer);
      done();
    }
    this.#soon.clear();
  }

  webhook(vendor: Vendor): string | undefined {
    return this.options.webhooks?.[vendor];
  }

  reset(): void {
    this.#clearTimers();
    this.received = [];
    this.answered = [];
    this.messages.clear();
    this.replays.clear();
    this.faults = [];
    this.vendorData.clear();
    this.held = [];
    this.dlr.close();
    this.dlr = new DlrSender(this.options.dlrAttempts, () => this.port, this.options.dlrTimeoutMs);
    this.setBehaviour(this.options.reports ?? {});
  }

  close(): void {
    this.#clearTimers();
    this.dlr.close();
  }
}
