import { DELIVERY_STATUSES, type DeliveryEvent, type DeliveryStatus } from '@msgkit/core';
import { MessageTracker, type MessageDelivery } from './reduce';

/** What one report did to its message, from `DeliveryLedger.apply`. */
export interface LedgerChange {
  /** The message's state after the report (built when first read). */
  readonly state: MessageDelivery;
  /** False for an exact duplicate of a report already applied. */
  readonly fresh: boolean;
}

/**
 * The delivery state of many messages, reduced from their reports in any order: applying the
 * same reports shuffled, repeated or split across calls gives the same states. Keyed by vendor
 * and message id (dedupe is by the whole report, never by message id alone, so a later status is
 * never dropped as a "duplicate").
 */
export class DeliveryLedger {
  // Found by vendor, then by message id: a key joining the two cost a new string to build, flatten
  // and hash on every report.
  readonly #byVendor = new Map<string, Map<string, MessageTracker>>();
  /** Every message, in the order its first report came. */
  readonly #messages = new Set<MessageTracker>();

  /**
   * Applies one report and returns the message's state after it (`fresh` is false for an exact
   * repeat).
   */
  apply(event: DeliveryEvent): LedgerChange {
    let ids = this.#byVendor.get(event.vendor);
    if (!ids) this.#byVendor.set(event.vendor, (ids = new Map()));
    let tracker = ids.get(event.messageId);
    if (!tracker) {
      ids.set(event.messageId, (tracker = new MessageTracker(event.vendor, event.messageId)));
      this.#messages.add(tracker);
    }
    return new Change(tracker.apply(event), tracker);
  }

  /** Applies reports in the order given; the states they lead to do not depend on that order. */
  applyAll(events: Iterable<DeliveryEvent>): LedgerChange[] {
    const out: LedgerChange[] = [];
    for (const event of events) out.push(this.apply(event));
    return out;
  }

  /** The state of one message, or undefined when no report named it. */
  get(vendor: string, messageId: string): MessageDelivery | undefined {
    return this.#byVendor.get(vendor)?.get(messageId)?.view;
  }

  get size(): number {
    return this.#messages.size;
  }

  /** Every message's state, in the order their first reports came. */
  *states(): IterableIterator<MessageDelivery> {
    for (const tracker of this.#messages) yield tracker.view;
  }

  /** How many messages stand at each status, and how many of them are final. */
  summary(): Record<DeliveryStatus, number> & { final: number; pending: number } {
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    let final = 0;
    for (const state of this.states()) {
      counts[state.status]++;
      if (state.final) final++;
    }
    return { ...counts, final, pending: this.#messages.size - final };
  }

  /** Forgets a message (once its state is stored elsewhere); true when it was there. */
  delete(vendor: string, messageId: string): boolean {
    const ids = this.#byVendor.get(vendor);
    const tracker = ids?.get(messageId);
    if (!tracker) return false;
    ids!.delete(messageId);
    this.#messages.delete(tracker);
    return true;
  }
}

/** A `LedgerChange` with its state read from the tracker when asked for (no closure per report). */
class Change implements LedgerChange {
  readonly fresh: boolean;
  readonly #tracker: MessageTracker;
  constructor(fresh: boolean, tracker: MessageTracker) {
    this.fresh = fresh;
    this.#tracker = tracker;
  }
  get state(): MessageDelivery {
    return this.#tracker.view;
  }
}

/** The states a set of reports reduces to, whatever their order. */
export function reduceDeliveries(events: Iterable<DeliveryEvent>): MessageDelivery[] {
  const ledger = new DeliveryLedger();
  ledger.applyAll(events);
  return [...ledger.states()];
}
