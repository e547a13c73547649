/**
 * What became of a journal's recipients after the send, as the dashboard follows the file: the
 * `delivery` records a report receiver writes and the `reconcile` records of `msgkit reconcile`.
 * They are read by the rules `msgkit report` reads them with (the CLI's JournalStates), so the
 * page and the report agree: per recipient the greatest event of reports and lookups together
 * (compareDeliveryEvents), the latest lookup verdict, and then, in this order: a final report
 * (delivered, or failed with the vendor's code and reason), proven not sent (failed, nothing
 * billed), still unknown after a lookup, a report that is not final (sent), the batch's outcome.
 *
 * Memory stays proportional to what was reported: one small entry per recipient that has an event
 * or a verdict (its rank, a digest and the record's offset, never the event), none for the others.
 * Two events of equal rank but different content are told apart as compareDeliveryEvents does by
 * reading both back from the file, which only such rare ties cost.
 */
import { hash } from 'node:crypto';
import { deliveryProgress, isFinalDeliveryStatus, normalizePhone, type DeliveryEvent } from '@msgkit/core';
import { readJournalRecordAt, type StateLine } from '@msgkit/journal';
import { canonicalEvent, compareDeliveryEvents, type ReconcileRecord, type RecipientVerdict } from '@msgkit/webhooks';
import { failureOf } from './campaign';
import type { Failure, Part, RecipientState } from './totals';

/**
 * An event as an entry keeps it: its rank and digest, where to read it back, and what it says.
 * One class, so that the usual case (the greatest event also gives the price) is one object.
 */
class Slot {
  constructor(
    readonly rank: number,
    readonly digest: number,
    readonly offset: number,
    /** The verdict's index in a reconcile record; -1 for a delivery record. */
    readonly index: number,
    readonly state: 'delivered' | 'failed' | 'sent',
    readonly failure: Failure | undefined,
    /** The price in millionths, and its currency; NaN and '' where the event gives none. */
    readonly micros: number,
    readonly currency: string,
  ) {}
}

class Entry {
  /** Known to be one of its batch's recipients (read back from the batch's `begin`). */
  checked = false;
  /** The greatest event. */
  said: Slot | undefined = undefined;
  /** The greatest event that gives a price with its currency. */
  priced: Slot | undefined = undefined;
  verdict: RecipientVerdict['outcome'] | undefined = undefined;
  why: string | undefined = undefined;
  constructor(readonly country: string) {}
}

/** Where one recipient stands by its reports and lookups. */
export interface Standing {
  state: RecipientState;
  failure?: Failure;
  refused?: true;
  cost?: { micros: number; currency: string };
}

const MICRO = 1_000_000;
const NOT_SENT: Failure = { code: 'not_sent', reason: 'the vendor proves it never sent it (resendable)' };

/**
 * A number that orders events as compareDeliveryEvents does on everything but its last tie-break
 * (final first; among finals delivered, then the vendor's time, then progress; among the others
 * progress, then time): a greater rank is a greater event, an equal rank needs the real comparison.
 * Times outside 1970–2109 share one rank, which the real comparison then settles.
 */
export function rankOf(event: DeliveryEvent): number {
  const parsed = event.at === undefined ? Number.NaN : Date.parse(event.at);
  const time = Number.isNaN(parsed) || parsed < 0 || parsed >= 2 ** 42 - 1 ? 0 : parsed + 1;
  const progress = deliveryProgress(event.status);
  if (!event.final) return progress * 2 ** 42 + time;
  return 2 ** 48 + (event.status === 'delivered' ? 2 ** 47 : 0) + time * 16 + progress;
}

// Tells a repeated report from a different one of equal rank without keeping either; two different
// reports share a 48-bit digest once in 2^48, and would then be taken for one.
const digestOf = (event: DeliveryEvent) => hash('sha1', canonicalEvent(event), 'buffer').readUIntBE(0, 6);

interface Tie {
  batch: number;
  to: string;
  kind: 'said' | 'priced';
  candidate: Slot;
}

/** The delivery reports and reconcile answers of one journal, per batch and recipient. */
export class Deliveries {
  readonly #batches = new Map<number, Map<string, Entry>>();
  #ties: Tie[] = [];
  #changed = new Set<number>();
  /** Batches with entries not yet checked against their `begin`. */
  #unchecked = new Set<number>();
  /** One object per distinct failure, shared by the entries that have it. */
  readonly #failures = new Map<string, Failure>();

  /** Reads one `delivery` or `reconcile` record (in file order), whose line starts at byte `offset`. */
  read(record: StateLine, offset: number): void {
    if (record.t === 'delivery') {
      const event = record.e as unknown as DeliveryEvent;
      const to = event.reference?.recipient ?? event.to;
      if (to !== undefined) this.#event(record.i, to, event, offset, -1);
      return;
    }
    const r = record.r as unknown as ReconcileRecord;
    r.recipients.forEach((verdict, index) => {
      const entry = this.#entry(r.batch, verdict.to);
      entry.verdict = verdict.outcome;
      entry.why = verdict.outcome === 'unknown' ? verdict.reason : undefined;
      if (verdict.outcome === 'sent') this.#event(r.batch, verdict.to, verdict.event, offset, index);
    });
  }

  /**
   * Ends a pass over appended records: settles ties by reading their events back, drops entries
   * whose batch did not send to them (the batch's `begin`, at `beginAt(batch)`, says), and
   * returns the batches whose recipients changed.
   */
  async settle(path: string, beginAt: (batch: number) => number | undefined): Promise<Set<number>> {
    const ties = this.#ties;
    this.#ties = [];
    for (const tie of ties) {
      const entry = this.#batches.get(tie.batch)?.get(tie.to);
      const kept = entry?.[tie.kind];
      if (!entry || !kept || kept.rank !== tie.candidate.rank || kept.digest === tie.candidate.digest) continue;
      if (compareDeliveryEvents(await eventAt(path, tie.candidate), await eventAt(path, kept)) > 0) {
        entry[tie.kind] = tie.candidate;
      }
    }
    for (const batch of this.#unchecked) {
      const entries = this.#batches.get(batch);
      const at = beginAt(batch);
      if (at === undefined) continue;
      this.#unchecked.delete(batch);
      if (!entries) continue;
      const begin = await readJournalRecordAt(path, at);
      if (begin.t !== 'begin') throw new Error(`${path}: byte ${at} is no begin record`);
      const sent = new Set(begin.to);
      for (const [to, entry] of entries) {
        if (sent.has(to)) entry.checked = true;
        else entries.delete(to);
      }
      this.#changed.add(batch);
    }
    const changed = this.#changed;
    this.#changed = new Set();
    return changed;
  }

  /** Where recipient `to` of batch `batch` stands by its reports and lookups; undefined where they say nothing. */
  standing(batch: number, to: string): Standing | undefined {
    const entry = this.#batches.get(batch)?.get(to);
    return entry?.checked ? standingOf(entry) : undefined;
  }

  /**
   * Batch `batch`'s recipients as parts: `base` (the batch by its outcome) less the recipients
   * whose reports or lookups decide otherwise, which form parts of their own.
   */
  split(batch: number, base: Part): Part[] {
    const entries = this.#batches.get(batch);
    if (!entries || entries.size === 0) return [base];
    const rest = { count: base.count, countries: new Map(base.countries) };
    const parts = new Map<string, Part & { countries: Map<string, number>; micros: number }>();
    for (const entry of entries.values()) {
      if (!entry.checked) continue;
      const at = standingOf(entry);
      if (!at) continue;
      rest.count--;
      rest.countries.set(entry.country, (rest.countries.get(entry.country) ?? 0) - 1);
      if (rest.countries.get(entry.country) === 0) rest.countries.delete(entry.country);
      const key = `${at.state}\u0000${at.refused ? 'r' : ''}\u0000${at.cost?.currency ?? ''}\u0000${at.failure ? this.#keyOf(at.failure) : ''}`;
      let part = parts.get(key);
      if (!part) {
        part = { vendor: base.vendor, state: at.state, count: 0, countries: new Map(), micros: 0, ...(at.failure && { failure: at.failure }), ...(at.refused && { refused: true }) };
        parts.set(key, part);
      }
      part.count++;
      part.countries.set(entry.country, (part.countries.get(entry.country) ?? 0) + 1);
      if (at.cost) part.micros += at.cost.micros;
      if (at.cost) part.cost = { amount: 0, currency: at.cost.currency };
    }
    const out: Part[] = rest.count > 0 ? [{ ...base, count: rest.count, ...(base.countries && { countries: rest.countries }) }] : [];
    for (const { micros, ...part } of parts.values()) out.push(part.cost ? { ...part, cost: { amount: micros / MICRO, currency: part.cost.currency } } : part);
    return out;
  }

  /** Forgets everything (the file was replaced). */
  clear(): void {
    this.#batches.clear();
    this.#ties = [];
    this.#changed.clear();
    this.#unchecked.clear();
    this.#failures.clear();
  }

  #entry(batch: number, to: string): Entry {
    let entries = this.#batches.get(batch);
    if (!entries) this.#batches.set(batch, (entries = new Map()));
    let entry = entries.get(to);
    if (!entry) {
      const phone = normalizePhone(to);
      entries.set(to, (entry = new Entry(phone.ok ? (phone.country ?? '') : '')));
      this.#unchecked.add(batch);
    }
    this.#changed.add(batch);
    return entry;
  }

  #event(batch: number, to: string, event: DeliveryEvent, offset: number, index: number): void {
    const entry = this.#entry(batch, to);
    const { state, failure } = this.#said(event);
    const { price } = event;
    const priced = price?.currency !== undefined && Number.isFinite(price.amount);
    const slot = new Slot(rankOf(event), digestOf(event), offset, index, state, failure, priced ? Math.round(price.amount * MICRO) : Number.NaN, priced ? price.currency! : '');
    entry.said = this.#greater(batch, to, 'said', entry.said, slot);
    if (priced) entry.priced = this.#greater(batch, to, 'priced', entry.priced, slot);
  }

  /** The greater of `kept` and `candidate` where their ranks tell; at equal ranks `kept`, and a tie to settle. */
  #greater(batch: number, to: string, kind: Tie['kind'], kept: Slot | undefined, candidate: Slot): Slot {
    if (!kept || candidate.rank > kept.rank) return candidate;
    if (candidate.rank === kept.rank && candidate.digest !== kept.digest) this.#ties.push({ batch, to, kind, candidate });
    return kept;
  }

  #said(event: DeliveryEvent): Pick<Slot, 'state' | 'failure'> {
    if (!event.final || !isFinalDeliveryStatus(event.status)) return { state: 'sent', failure: undefined };
    if (event.status === 'delivered') return { state: 'delivered', failure: undefined };
    const { raw } = event;
    return { state: 'failed', failure: this.#shared(failureOf({ code: event.status, ...(raw.code !== undefined && { vendorCode: raw.code }), reason: raw.error || raw.status })) };
  }

  #keyOf(failure: Failure): string {
    return JSON.stringify([failure.code, failure.vendorCode ?? null, failure.reason ?? null]);
  }

  #shared(failure: Failure): Failure {
    const key = this.#keyOf(failure);
    const known = this.#failures.get(key);
    if (known) return known;
    this.#failures.set(key, failure);
    return failure;
  }
}

function standingOf(entry: Entry): Standing | undefined {
  const cost = entry.priced && { micros: entry.priced.micros, currency: entry.priced.currency };
  const { said } = entry;
  if (said && said.state !== 'sent') return { state: said.state, ...(said.failure && { failure: said.failure }), ...(cost && { cost }) };
  if (entry.verdict === 'not_sent') return { state: 'failed', failure: NOT_SENT, refused: true };
  if (entry.verdict === 'unknown') return { state: 'unknown', failure: { code: entry.why ?? 'unknown' }, ...(cost && { cost }) };
  if (said) return { state: 'sent', ...(cost && { cost }) };
  return undefined;
}

async function eventAt(path: string, slot: Slot): Promise<DeliveryEvent> {
  const record = await readJournalRecordAt(path, slot.offset);
  if (record.t === 'delivery') return record.e as unknown as DeliveryEvent;
  if (record.t === 'reconcile') {
    const verdict = (record.r as unknown as ReconcileRecord).recipients[slot.index];
    if (verdict?.outcome === 'sent') return verdict.event;
  }
  throw new Error(`${path}: byte ${slot.offset} holds no delivery event`);
}
