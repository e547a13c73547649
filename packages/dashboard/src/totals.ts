/**
 * The totals of one campaign, kept up to date as its store changes: per state, per vendor, per
 * country, failures grouped by vendor code and reason, and cost per currency. A store describes
 * each of its batches as parts (recipients of one vendor in one state); `set` replaces a batch's
 * earlier parts, so a batch that moves from begun to settled, or is sent again on resume, costs
 * the size of its parts and never a pass over the campaign. What the page receives is this
 * summary, never the recipients themselves.
 */

/**
 * Where a recipient stands: `pending` (being sent now), `sent` (the vendor took it), `delivered`
 * and `failed` (a final delivery report; `failed` also for a batch the vendor refused), `unknown`
 * (the vendor may or may not have it).
 */
export const STATES = ['pending', 'sent', 'delivered', 'failed', 'unknown'] as const;
/** One of {@link STATES}. */
export type RecipientState = (typeof STATES)[number];
/** Recipients in each state. */
export type Counts = Record<RecipientState, number>;

/** Why recipients failed or are unknown. */
export interface Failure {
  /** msgkit's error code (`invalid_recipient`, `timeout`, …). */
  code: string;
  /** The vendor's own code, where it gave one. */
  vendorCode?: string | number;
  /** The vendor's reason or the error's message, masked of phone numbers. */
  reason?: string;
}

/** Recipients of one batch in one state at one vendor. */
export interface Part {
  /** The sender's name (the vendor of the batch, or of the attempt that decided these recipients). */
  vendor: string;
  state: RecipientState;
  count: number;
  /** Recipients per country (ISO 3166 alpha-2; `''` where a number's country is not known); absent where the store does not keep the recipients. */
  countries?: ReadonlyMap<string, number>;
  /** Why, for `failed` and `unknown`. */
  failure?: Failure;
  /**
   * What these recipients cost, where the store records it: the sum of what every vendor that
   * accepted them charged (a failover may have moved them on from one vendor to another, and each
   * billed its own message).
   */
  cost?: { amount: number; currency: string };
  /** What they cost in other currencies than `cost`'s (vendors billing in different currencies). */
  otherCosts?: ReadonlyArray<{ amount: number; currency: string }>;
  /**
   * A vendor that accepted them charged a price the store does not record (counted in
   * `costUnknown`, beside any `cost`): never taken as 0. Unset, a part without `cost` that was sent
   * (and not refused) counts as unknown as before.
   */
  unpriced?: true;
  /** Refused before the vendor acted: nothing was sent, so nothing is billed. */
  refused?: true;
}

/** Country key of recipients whose store keeps no numbers (a queue keeps those of sent batches only as a count). */
export const NOT_RECORDED = '-';

/** The recipients that failed (or are unknown) at one vendor for one reason, counted together. */
export interface FailureGroup extends Failure {
  vendor: string;
  state: 'failed' | 'unknown';
  /** Recipients in the group. */
  recipients: number;
  /** Parts (batches, or attempts) in the group. */
  batches: number;
}

/** One campaign's totals as the page receives them: counts only, never the recipients. */
export interface TotalsSummary {
  /** Recipients in every state. */
  recipients: number;
  totals: Counts;
  vendors: Array<{ vendor: string; counts: Counts }>;
  countries: Array<{ country: string; counts: Counts }>;
  failures: FailureGroup[];
  /** Failure groups left out of `failures` (the largest come first). */
  moreFailures: number;
  /**
   * Per currency, what the recipients cost by the prices the store records (each vendor that
   * accepted a recipient charged for its message: a recipient a failover moved on costs both), and
   * the recipients charged in it (one moved between vendors billing in two currencies counts in both).
   */
  cost: Array<{ currency: string; amount: number; recipients: number }>;
  /**
   * Recipients sent (sent, delivered, failed after sending) with a charge whose price the store does
   * not record: all of their cost for most, part of it for those in `costPartial`.
   */
  costUnknown: number;
  /** Recipients of `costUnknown` also counted in `cost` (a known charge of one vendor, an unknown one of another): the cost is more than `cost` says. */
  costPartial: number;
  /** The totals as they changed, `at` in milliseconds since the epoch (see {@link Timeline}). */
  timeline: Array<{ at: number; counts: Counts }>;
}

const zero = (): Counts => ({ pending: 0, sent: 0, delivered: 0, failed: 0, unknown: 0 });
// Cost is summed in millionths, so adding and taking away a batch leaves no floating-point residue.
const MICRO = 1_000_000;

/** One campaign's totals, kept up to date as its store's batches are set, replaced and deleted (see this file's top). */
export class CampaignTotals {
  readonly #parts = new Map<string, readonly Part[]>();
  readonly #totals = zero();
  readonly #vendors = new Map<string, Counts>();
  readonly #countries = new Map<string, Counts>();
  readonly #failures = new Map<string, FailureGroup>();
  readonly #cost = new Map<string, { micros: number; recipients: number }>();
  #costUnknown = 0;
  #costPartial = 0;
  #version = 0;
  readonly timeline = new Timeline();

  /** Grows by one with every change: a reader compares it to know whether anything changed. */
  get version(): number {
    return this.#version;
  }

  /** Sets the parts of batch `key`, replacing the ones it had. */
  set(key: string, parts: readonly Part[]): void {
    const old = this.#parts.get(key);
    if (old) this.#apply(old, -1);
    this.#apply(parts, 1);
    this.#parts.set(key, parts);
    this.#version++;
  }

  /** Takes batch `key`'s parts out of the totals; a key not set is ignored. */
  delete(key: string): void {
    const old = this.#parts.get(key);
    if (!old) return;
    this.#apply(old, -1);
    this.#parts.delete(key);
    this.#version++;
  }

  /** Batch `key`'s parts, or undefined when it has none. */
  get(key: string): readonly Part[] | undefined {
    return this.#parts.get(key);
  }

  /** The keys of every batch set. */
  keys(): IterableIterator<string> {
    return this.#parts.keys();
  }

  /** Recipients in each state over every batch, as a copy. */
  counts(): Counts {
    return { ...this.#totals };
  }

  /** The summary the page shows; `maxFailures` bounds the failure groups sent (the largest first). */
  summary(maxFailures = 50): TotalsSummary {
    const byTotal = <T extends { counts: Counts }>(a: T, b: T) => sum(b.counts) - sum(a.counts);
    const failures = [...this.#failures.values()].sort((a, b) => b.recipients - a.recipients || a.code.localeCompare(b.code));
    return {
      recipients: sum(this.#totals),
      totals: { ...this.#totals },
      vendors: [...this.#vendors].map(([vendor, counts]) => ({ vendor, counts: { ...counts } })).sort(byTotal),
      countries: [...this.#countries].map(([country, counts]) => ({ country, counts: { ...counts } })).sort(byTotal),
      failures: failures.slice(0, maxFailures).map((f) => ({ ...f })),
      moreFailures: Math.max(0, failures.length - maxFailures),
      cost: [...this.#cost].map(([currency, c]) => ({ currency, amount: c.micros / MICRO, recipients: c.recipients })),
      costUnknown: this.#costUnknown,
      costPartial: this.#costPartial,
      timeline: this.timeline.points(),
    };
  }

  #apply(parts: readonly Part[], sign: 1 | -1): void {
    for (const part of parts) {
      const n = sign * part.count;
      this.#totals[part.state] += n;
      bump(this.#vendors, part.vendor, part.state, n);
      if (part.countries) for (const [country, k] of part.countries) bump(this.#countries, country, part.state, sign * k);
      else bump(this.#countries, NOT_RECORDED, part.state, n);
      if (part.failure && (part.state === 'failed' || part.state === 'unknown')) this.#failure(part, sign);
      for (const cost of part.cost ? [part.cost, ...(part.otherCosts ?? [])] : []) {
        const c = this.#cost.get(cost.currency) ?? { micros: 0, recipients: 0 };
        c.micros += sign * Math.round(cost.amount * MICRO);
        c.recipients += n;
        if (c.recipients === 0 && c.micros === 0) this.#cost.delete(cost.currency);
        else this.#cost.set(cost.currency, c);
      }
      if (part.unpriced || (!part.cost && !part.refused && (part.state === 'sent' || part.state === 'delivered' || part.state === 'failed'))) this.#costUnknown += n;
      if (part.unpriced && part.cost) this.#costPartial += n;
    }
  }

  #failure(part: Part, sign: 1 | -1): void {
    const f = part.failure!;
    const key = JSON.stringify([part.vendor, part.state, f.code, f.vendorCode ?? null, f.reason ?? null]);
    const group = this.#failures.get(key) ?? { vendor: part.vendor, state: part.state as 'failed' | 'unknown', code: f.code, ...(f.vendorCode !== undefined && { vendorCode: f.vendorCode }), ...(f.reason !== undefined && { reason: f.reason }), recipients: 0, batches: 0 };
    group.recipients += sign * part.count;
    group.batches += sign;
    if (group.batches <= 0) this.#failures.delete(key);
    else this.#failures.set(key, group);
  }
}

function bump(map: Map<string, Counts>, key: string, state: RecipientState, n: number): void {
  const counts = map.get(key) ?? zero();
  counts[state] += n;
  if (STATES.every((s) => counts[s] === 0)) map.delete(key);
  else map.set(key, counts);
}

export function sum(counts: Counts): number {
  return counts.pending + counts.sent + counts.delivered + counts.failed + counts.unknown;
}

/**
 * Totals over time, as the dashboard saw them change (a journal records no clock): at most
 * `MAX_POINTS` points; when full, every other point is dropped, so the whole run stays in view at
 * half the resolution.
 */
export class Timeline {
  static readonly MAX_POINTS = 240;
  #points: Array<{ at: number; counts: Counts }> = [];

  /** Adds a point when the counts differ from the last one. */
  sample(at: number, counts: Counts): void {
    const last = this.#points.at(-1);
    if (last && STATES.every((s) => last.counts[s] === counts[s])) return;
    this.#points.push({ at, counts: { ...counts } });
    if (this.#points.length > Timeline.MAX_POINTS) this.#points = this.#points.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
  }

  /** The points kept, oldest first, as copies; `at` in milliseconds since the epoch. */
  points(): Array<{ at: number; counts: Counts }> {
    return this.#points.map((p) => ({ at: p.at, counts: { ...p.counts } }));
  }
}
