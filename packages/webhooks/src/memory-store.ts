/**
 * A ReconcileStore in memory: for tests, and the reference for the stores that persist (the file
 * journal, Redis). Not durable: `record` resolves at once, and a restart forgets everything.
 */
import type { DeliveryEvent } from '@msgkit/core';
import { DeliveryLedger } from './ledger';
import type { BatchRef, PendingMessage, ReconcileRecord, ReconcileStore, UnknownBatch } from './reconcile-store';

const keyOf = (ref: BatchRef): string => `${ref.campaign}\u0000${ref.batch}\u0000${ref.attempt ?? ''}`;

/** A {@link ReconcileStore} kept in memory: see this file's top. */
export class MemoryReconcileStore implements ReconcileStore {
  /** Every record, in the order written. */
  readonly records: ReconcileRecord[] = [];
  /** Delivery states, reduced from the lookups' events (and any reports applied to it). */
  readonly ledger = new DeliveryLedger();
  readonly #unknown = new Map<string, UnknownBatch>();
  /** By sender and recipient within a batch: the messages the vendor took. */
  readonly #sent = new Map<string, PendingMessage>();

  /** A batch whose outcome is unknown. */
  addUnknownBatch(batch: UnknownBatch): void {
    this.#unknown.set(keyOf(batch), batch);
  }

  /** A message the vendor took (an answer returned its id), not final until the ledger says so. */
  addSentMessage(message: PendingMessage): void {
    this.#sent.set(`${keyOf(message)}\u0000${message.to}`, message);
  }

  /** Applies a delivery report (e.g. from a webhook handler) to the ledger. */
  applyReport(event: DeliveryEvent): void {
    this.ledger.apply(event);
  }

  unknownBatches(sender: string, before: Date): UnknownBatch[] {
    return [...this.#unknown.values()].filter((b) => b.sender === sender && b.sentAt.getTime() <= before.getTime());
  }

  pendingMessages(sender: string, before: Date): PendingMessage[] {
    return [...this.#sent.values()].filter((m) => {
      if (m.sender !== sender || m.sentAt.getTime() > before.getTime()) return false;
      const state = m.id === undefined ? undefined : this.ledger.get(sender, m.id);
      return !state?.final;
    });
  }

  /** Unknown batches, sent messages not final, and the recipients still unknown, by sender. */
  unresolved(sender: string): { batches: number; pending: number } {
    const far = new Date(8.64e15);
    return { batches: this.unknownBatches(sender, far).length, pending: this.pendingMessages(sender, far).length };
  }

  /**
   * Keeps the record, applies its events to the ledger, and settles an unknown batch once each of
   * its recipients is known sent or not sent (the ones still unknown are asked about again).
   */
  async record(entry: ReconcileRecord): Promise<void> {
    this.records.push(entry);
    const key = keyOf(entry);
    const batch = this.#unknown.get(key);
    for (const r of entry.recipients) {
      if (r.outcome !== 'sent') continue;
      this.ledger.apply(r.event);
      const known = this.#sent.get(`${key}\u0000${r.to}`);
      // A message known only by its batch (The SMS Works answers a batch id alone) gets its id.
      if (known && known.id === undefined) this.#sent.set(`${key}\u0000${r.to}`, { ...known, id: r.event.messageId });
      if (entry.kind === 'batch' && batch && !known) {
        this.addSentMessage({ ...refOf(entry), sender: entry.sender, to: r.to, id: r.event.messageId, ...(batch.dedupeKey !== undefined && { dedupeKey: batch.dedupeKey }), ...(r.event.groupId !== undefined && { groupIds: [r.event.groupId] }), sentAt: batch.sentAt });
      }
    }
    if (entry.kind === 'batch' && batch) {
      // Settled once every recipient is known to be sent or not; otherwise asked again next time,
      // for the recipients still unknown.
      const left = new Set(entry.recipients.filter((r) => r.outcome === 'unknown').map((r) => r.to));
      if (left.size === 0) this.#unknown.delete(key);
      else this.#unknown.set(key, { ...batch, recipients: batch.recipients.filter((to) => left.has(to)) });
    }
  }
}

const refOf = (ref: BatchRef): BatchRef => ({ campaign: ref.campaign, batch: ref.batch, ...(ref.attempt !== undefined && { attempt: ref.attempt }) });
