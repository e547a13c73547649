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
import { deliveryProgress, isFinalDeliveryStatus, normalizePhone, type DeliveryEvent, type DeliveryStatus } from '@msgkit/core';
import { recipientStanding, type MessageReport } from '@msgkit/core/internal';
import { readJournalRecordAt, type StateLine } from '@msgkit/journal';
import { canonicalEvent, compareDeliveryEvents, type ReconcileRecord, type RecipientVerdict } from '@msgkit/webhooks';
import { failureOf } from './campaign';
import type { Failure, Part, RecipientState } from './totals';

/**
 * An event as an entry keeps it: its rank and digest, where to read it back, and what it says.
 * One class, so that the usual case (the greatest event also gives the price) is one object.
 */
class Slot implements MessageReport {
  constructor(
    /** The vendor that reported it. */
    readonly vendor: string,
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

  // What core's rule reads of a report, from what the slot keeps (on the prototype: no memory per slot).
  get messageId(): string {
    return '';
  }
  get status(): DeliveryStatus {
    return this.state === 'sent' ? 'sent' : this.state;
  }
  get final(): boolean {
    return this.state !== 'sent';
  }
  get raw(): MessageReport['raw'] {
    return { status: this.status };
  }
}

class Entry {
  /** Known to be one of its batch's recipients (read back from the batch's `begin`). */
  checked = false;
  /** The greatest event of the first vendor that reported it… */
  said: Slot | undefined = undefined;
  /** …and of each other (a failover moved it on after the send): rare, so none until then. */
  others: Slot[] | undefined = undefined;
  /** The greatest event that gives a price with its currency, of the first vendor that priced it… */
  priced: Slot | undefined = undefined;
  /** …and of each other: each vendor that accepted it charged for its own message. */
  otherPriced: Slot[] | undefined = undefined;
  verdict: RecipientVerdict['outcome'] | undefined = undefined;
  why: string | undefined = undefined;
  /** The vendor the latest lookup asked. */
  asked: string | undefined = undefined;
  constructor(readonly country: string) {}

  /** The greatest event `vendor` reported. */
  slotOf(vendor: string): Slot | undefined {
    return this.said?.vendor === vendor ? this.said : this.others?.find((s) => s.vendor === vendor);
  }

  /** The greatest priced event `vendor` reported. */
  pricedOf(vendor: string): Slot | undefined {
    return this.priced?.vendor === vendor ? this.priced : this.otherPriced?.find((s) => s.vendor === vendor);
  }

  /** Keeps `slot` as its vendor's greatest event. */
  keep(slot: Slot): void {
    if (!this.said || this.said.vendor === slot.vendor) this.said = slot;
    else this.others = replaced(this.others, slot);
  }

  /** Keeps `slot` as its vendor's greatest priced event. */
  keepPriced(slot: Slot): void {
    if (!this.priced || this.priced.vendor === slot.vendor) this.priced = slot;
    else this.otherPriced = replaced(this.otherPriced, slot);
  }

  /** Each vendor's greatest event, as core's rule reads reports. */
  reports(): readonly Slot[] {
    return this.others ? [this.said!, ...this.others] : this.said ? [this.said] : [];
  }
}

/** `slots` with `slot` in place of its vendor's. */
function replaced(slots: Slot[] | undefined, slot: Slot): Slot[] {
  const out = slots ?? [];
  const at = out.findIndex((s) => s.vendor === slot.vendor);
  out[at < 0 ? out.length : at] = slot;
  return out;
}

/** Where one recipient stands by its reports and lookups. */
export interface Standing {
  state: RecipientState;
  failure?: Failure;
  refused?: true;
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
      entry.asked = r.sender;
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
      const kept = tie.kind === 'priced' ? entry?.pricedOf(tie.candidate.vendor) : entry?.slotOf(tie.candidate.vendor);
      if (!entry || !kept || kept.rank !== tie.candidate.rank || kept.digest === tie.candidate.digest) continue;
      if (compareDeliveryEvents(await eventAt(path, tie.candidate), await eventAt(path, kept)) > 0) {
        if (tie.kind === 'priced') entry.keepPriced(tie.candidate);
        else entry.keep(tie.candidate);
      }
    }
    for (const batch of this.#unchecked) {
      const entries = this.#batches.get(batch);
      const at = beginAt(batch);
      if (at === undefined) continue;
      this.#unchecked.delete(batch);
      if (!entries) continue;
      const begin = await readJournalRecordAt(path, at);
      // A chain's batch begins with its first attempt, sent to the whole batch.
      if (begin.t !== 'begin' && begin.t !== 'attempt') throw new Error(`${path}: byte ${at} is no begin record`);
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

  /**
   * Where recipient `to` of batch `batch` stands by its reports and lookups, `holder` the vendor
   * that holds it (sent it, or may have); undefined where they say nothing.
   */
  standing(batch: number, to: string, holder: string): Standing | undefined {
    const entry = this.#batches.get(batch)?.get(to);
    return entry?.checked ? standingOf(entry, holder) : undefined;
  }

  /**
   * Batch `batch`'s recipients as parts: `base` (the batch by its outcome) less the recipients
   * whose reports, lookups or charges decide otherwise, which form parts of their own. `only`:
   * the recipients `base` stands for, where it is one part of its batch (a chain's, per
   * provider); `acceptedBy`: for a chain, the providers that accepted each of them (its attempts
   * that sent it), so that a recipient moved on costs what each of them charged.
   */
  split(batch: number, base: Part, only?: ReadonlySet<string>, acceptedBy?: (to: string) => readonly string[] | undefined): Part[] {
    const entries = this.#batches.get(batch);
    // Moved on from a provider that took it, with nothing reported: its charges are more than the base's.
    const moved = only && acceptedBy ? [...only].filter((to) => !entries?.get(to)?.checked && acceptedBy(to)?.some((v) => v !== base.vendor)) : [];
    if ((!entries || entries.size === 0) && moved.length === 0) return [base];
    const rest = { count: base.count, countries: new Map(base.countries) };
    const parts = new Map<string, Part & { countries: Map<string, number>; micros: Map<string, number> }>();
    const baseCharged = charged(base.state, base.refused);
    const place = (to: string, entry: Entry | undefined, country: string) => {
      const at = entry && standingOf(entry, base.vendor);
      const { state, failure, refused } = at ?? base;
      const holderCharged = charged(state, refused) || (!refused && entry?.pricedOf(base.vendor) !== undefined);
      const charges = chargesOf(entry, base.vendor, holderCharged, acceptedBy?.(to));
      // Said nothing the base does not say: it stays in the base (no price, and an unknown one only where the base has it).
      if (!at && charges.micros.size === 0 && charges.unpriced === baseCharged) return;
      rest.count--;
      rest.countries.set(country, (rest.countries.get(country) ?? 0) - 1);
      if (rest.countries.get(country) === 0) rest.countries.delete(country);
      const currencies = [...charges.micros.keys()].sort();
      const key = `${state}\u0000${refused ? 'r' : ''}\u0000${currencies.join(',')}\u0000${charges.unpriced ? 'u' : ''}\u0000${failure ? this.#keyOf(failure) : ''}`;
      let part = parts.get(key);
      if (!part) {
        part = { vendor: base.vendor, state, count: 0, countries: new Map(), micros: new Map(), ...(failure && { failure }), ...(refused && { refused: true }), ...(charges.unpriced && { unpriced: true }) };
        parts.set(key, part);
      }
      part.count++;
      part.countries.set(country, (part.countries.get(country) ?? 0) + 1);
      for (const [currency, micros] of charges.micros) part.micros.set(currency, (part.micros.get(currency) ?? 0) + micros);
    };
    for (const [to, entry] of entries ?? []) if (entry.checked && (!only || only.has(to))) place(to, entry, entry.country);
    for (const to of moved) place(to, undefined, countryOf(to));
    const out: Part[] = rest.count > 0 ? [{ ...base, count: rest.count, ...(base.countries && { countries: rest.countries }) }] : [];
    for (const { micros, ...part } of parts.values()) {
      const [cost, ...others] = [...micros].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, m]) => ({ amount: m / MICRO, currency }));
      out.push({ ...part, ...(cost && { cost }), ...(others.length > 0 && { otherCosts: others }) });
    }
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
      entries.set(to, (entry = new Entry(countryOf(to))));
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
    const slot = new Slot(event.vendor, rankOf(event), digestOf(event), offset, index, state, failure, priced ? Math.round(price.amount * MICRO) : Number.NaN, priced ? price.currency! : '');
    entry.keep(this.#greater(batch, to, 'said', entry.slotOf(event.vendor), slot));
    if (priced) entry.keepPriced(this.#greater(batch, to, 'priced', entry.pricedOf(event.vendor), slot));
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

/** Core's one rule (`recipientStanding`, the CLI's and the queue's too), in the page's words: a report that is not final is `sent`. */
function standingOf(entry: Entry, holder: string): Standing | undefined {
  const s = recipientStanding({ reports: entry.reports(), holder, ...(entry.verdict && { lookup: { outcome: entry.verdict, ...(entry.why !== undefined && { reason: entry.why }), ...(entry.asked !== undefined && { sender: entry.asked }) } }) });
  if (!s) return undefined;
  const failure = s.report?.failure;
  if (s.state === 'failed' && s.byLookup) return { state: 'failed', failure: NOT_SENT, refused: true };
  if (s.state === 'unknown') return { state: 'unknown', failure: { code: s.reason } };
  return { state: s.state === 'pending' ? 'sent' : s.state, ...(s.state === 'failed' && failure && { failure }) };
}

/** What a recipient cost: millionths per currency of the charges whose price a report gave, and whether a charge has none. */
interface Charges {
  micros: Map<string, number>;
  unpriced: boolean;
}

/**
 * Whether a recipient in `state` was accepted by the vendor that holds it, so that it charged for
 * it (its billing facts: an undelivered or failed message is billed; one refused before the vendor
 * accepted it, or proven never sent, is not). An unknown send may or may not have been taken:
 * that is the unknown outcome's to say, not the cost's.
 */
const charged = (state: RecipientState, refused: true | undefined) => !refused && (state === 'sent' || state === 'delivered' || state === 'failed');

/**
 * What each vendor that accepted the recipient charged, summed: the holder where it took it (or
 * priced it), every vendor a failover moved it on from (`movedFrom`: the chain's attempts that
 * sent it) and every other vendor that reported on it. A vendor's price is its greatest priced
 * report; a vendor whose reports give none is a charge of unknown price, never 0.
 */
function chargesOf(entry: Entry | undefined, holder: string, holderCharged: boolean, movedFrom: readonly string[] | undefined): Charges {
  const vendors = new Set<string>();
  if (holderCharged) vendors.add(holder);
  for (const v of movedFrom ?? []) if (v !== holder) vendors.add(v);
  for (const s of entry?.reports() ?? []) if (s.vendor !== holder) vendors.add(s.vendor);
  const micros = new Map<string, number>();
  let unpriced = false;
  for (const vendor of vendors) {
    const price = entry?.pricedOf(vendor);
    if (price) micros.set(price.currency, (micros.get(price.currency) ?? 0) + price.micros);
    else unpriced = true;
  }
  return { micros, unpriced };
}

function countryOf(to: string): string {
  const phone = normalizePhone(to);
  return phone.ok ? (phone.country ?? '') : '';
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
