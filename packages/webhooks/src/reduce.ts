import type { DeliveryEvent, DeliveryReference, DeliveryStatus } from '@msgkit/core';
import { canonicalEvent, compareDeliveryEvents, timeOf } from './order';

/** Where one message stands, from every distinct report it received. */
export interface MessageDelivery {
  vendor: string;
  messageId: string;
  status: DeliveryStatus;
  /** No further report is expected (all parts final, where the vendor reports parts). */
  final: boolean;
  permanent?: boolean;
  /** The vendor's words for the report that decided `status`. */
  raw: DeliveryEvent['raw'];
  at?: string;
  to?: string;
  groupId?: string;
  channel?: string;
  price?: { amount: number; currency?: string };
  parts?: number;
  echo?: string;
  reference?: DeliveryReference;
  /** Part-by-part reports only: how many parts there are and how many were delivered. */
  partCount?: number;
  partsDelivered?: number;
  /** Every report applied, duplicates included. */
  reports: number;
  /** Reports identical to one applied before. */
  duplicates: number;
  /** The distinct reports, oldest first (the latest 20). */
  history: Array<Pick<DeliveryEvent, 'status' | 'final' | 'raw' | 'at'> & { part?: number }>;
  /** Some report carried a vendor status msgkit's table does not know. */
  unmapped?: true;
}

const HISTORY = 20;
const SEEN = 64;
const FEW = 8;
const INFO = ['to', 'groupId', 'channel', 'price', 'echo', 'reference'] as const;
type InfoField = (typeof INFO)[number];

/** One message's reports, kept as the greatest report per part plus what the view needs. */
export class MessageTracker {
  readonly vendor: string;
  readonly messageId: string;
  /** The greatest report about the whole message, and per part where the vendor reports parts. */
  #whole: DeliveryEvent | undefined;
  #byPart: Map<number, DeliveryEvent> | undefined;
  /** For each descriptive field, the greatest report that carries it. */
  readonly #info: Partial<Record<InfoField, DeliveryEvent>> = {};
  readonly #history: DeliveryEvent[] = [];
  /**
   * Dedupe keys seen: one string, then a list (a message gets a few reports: a set per message
   * cost more to build and to collect), then a set past FEW, then null past SEEN (history still
   * dedupes).
   */
  #seen: string | string[] | Set<string> | null | undefined;
  #partCount = 0;
  #parts: number | undefined;
  #reports = 0;
  #duplicates = 0;
  #unmapped = false;
  #view: MessageDelivery | undefined;

  constructor(vendor: string, messageId: string) {
    this.vendor = vendor;
    this.messageId = messageId;
  }

  /** Adds one report; returns false for an exact duplicate (which changes nothing but the counts). */
  apply(event: DeliveryEvent): boolean {
    if (event.vendor !== this.vendor || event.messageId !== this.messageId) throw new TypeError(`report for ${event.vendor}:${event.messageId} applied to ${this.vendor}:${this.messageId}`);
    this.#reports++;
    this.#view = undefined;
    const text = canonicalEvent(event);
    const seen = this.#seen;
    if (seen === text || (Array.isArray(seen) ? seen.includes(text) : seen instanceof Set && seen.has(text))) {
      this.#duplicates++;
      return false;
    }
    if (seen === undefined) this.#seen = text;
    else if (typeof seen === 'string') this.#seen = [seen, text];
    else if (Array.isArray(seen)) {
      if (seen.length < FEW) seen.push(text);
      else this.#seen = new Set([...seen, text]);
    } else if (seen) {
      seen.add(text);
      if (seen.size > SEEN) this.#seen = null;
    }
    if (event.part) {
      const parts = (this.#byPart ??= new Map());
      const best = parts.get(event.part.index);
      if (!best || compareDeliveryEvents(event, best) > 0) parts.set(event.part.index, event);
    } else if (!this.#whole || compareDeliveryEvents(event, this.#whole) > 0) this.#whole = event;
    if (event.part && event.part.count > this.#partCount) this.#partCount = event.part.count;
    if (event.parts !== undefined && (this.#parts === undefined || event.parts > this.#parts)) this.#parts = event.parts;
    for (const field of INFO) {
      if (event[field] === undefined) continue;
      const from = this.#info[field];
      if (!from || (from !== event && compareDeliveryEvents(event, from) > 0)) this.#info[field] = event;
    }
    if (event.unmapped) this.#unmapped = true;
    this.#remember(event, text);
    return true;
  }

  get view(): MessageDelivery {
    return (this.#view ??= this.#build());
  }

  #remember(event: DeliveryEvent, text: string): void {
    const h = this.#history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = historyOrder(h[mid]!, event);
      if (c === 0 && canonicalEvent(h[mid]!) === text) return;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    h.splice(lo, 0, event);
    if (h.length > HISTORY) h.shift();
  }

  #decide(): { event: DeliveryEvent; final: boolean; delivered?: number } {
    const whole = this.#whole;
    const parts = this.#byPart ? [...this.#byPart.values()] : [];
    if (parts.length === 0 || (whole && whole.final)) return { event: whole!, final: whole!.final };
    const delivered = parts.filter((e) => e.final && e.status === 'delivered').length;
    const allFinal = parts.length >= this.#partCount && parts.every((e) => e.final);
    if (allFinal) {
      const negative = parts.filter((e) => e.status !== 'delivered');
      const pool = negative.length > 0 ? negative : parts;
      return { event: pool.reduce((a, b) => (compareDeliveryEvents(a, b) >= 0 ? a : b)), final: true, delivered };
    }
    // Not every part is final: the message is only as far along as its slowest part.
    const slowest = parts.reduce((a, b) => (compareDeliveryEvents(a, b) <= 0 ? a : b));
    const candidate = whole && compareDeliveryEvents(whole, slowest) > 0 ? whole : slowest;
    return { event: candidate, final: false, delivered };
  }

  #build(): MessageDelivery {
    const { event, final, delivered } = this.#decide();
    const view: MessageDelivery = {
      vendor: this.vendor,
      messageId: this.messageId,
      status: event.status,
      final,
      raw: { ...event.raw },
      reports: this.#reports,
      duplicates: this.#duplicates,
      history: this.#history.map((e) => ({ status: e.status, final: e.final, raw: e.raw, ...(e.at !== undefined ? { at: e.at } : {}), ...(e.part ? { part: e.part.index } : {}) })),
    };
    if (event.permanent !== undefined) view.permanent = event.permanent;
    if (event.at !== undefined) view.at = event.at;
    for (const field of INFO) {
      const from = this.#info[field];
      if (from) (view as unknown as Record<string, unknown>)[field] = from[field];
    }
    if (this.#parts !== undefined) view.parts = this.#parts;
    if (this.#partCount > 0) {
      view.partCount = this.#partCount;
      view.partsDelivered = delivered ?? 0;
    }
    if (this.#unmapped) view.unmapped = true;
    return view;
  }
}

function historyOrder(a: DeliveryEvent, b: DeliveryEvent): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return ta - tb;
  return compareDeliveryEvents(a, b);
}
