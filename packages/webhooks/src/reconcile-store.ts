/**
 * What `reconcile` needs from wherever a campaign's state lives (the file journal, Redis, a
 * database): the sends whose outcome is unknown, the messages still without a final delivery
 * state, and a durable place for each answer. Every method is per sender (vendor) name, so each
 * vendor is asked at its own pace.
 */
import type { CampaignMessage, DeliveryEvent, DeliveryStatus, LookupProof, LookupReason, RecipientMessage } from '@msgkit/core';

/** Which request a record is about: a campaign's batch, and the attempt of a failover chain. */
export interface BatchRef {
  campaign: string;
  batch: number;
  /** The attempt of a failover chain (`FailoverAttempt.attempt`); absent for a single-vendor campaign. */
  attempt?: number;
}

/** A batch the vendor may or may not have acted on (`unknown`, or begun and never settled). */
export interface UnknownBatch extends BatchRef {
  /** The sender (vendor) it went to, as the list of senders names it. */
  sender: string;
  /** Its recipients, as sent (E.164). */
  recipients: readonly string[];
  /** The key it was sent with; client-chosen ids derive from it (Infobip bulkId, messageIds). */
  dedupeKey?: string;
  /** Vendor ids, where an answer returned any. */
  ids?: readonly string[];
  messages?: readonly RecipientMessage[];
  /** What was sent (sender and text), to recognize it where the vendor can only be searched. */
  message?: Pick<CampaignMessage, 'from' | 'text'>;
  /** The reference the send carried. */
  reference?: string;
  /** When its request began (the time of its begin record). */
  sentAt: Date;
}

/** A message the vendor took whose delivery state is not final yet. */
export interface PendingMessage extends BatchRef {
  sender: string;
  /** The recipient, as sent. */
  to: string;
  /** The vendor's message id, where known. */
  id?: string;
  /** The vendor's ids of its batch (campaign, batch or bulk id). */
  groupIds?: readonly string[];
  dedupeKey?: string;
  sentAt: Date;
  /** The state reports gave it so far, if any. */
  status?: DeliveryStatus;
}

/** Why something is still unknown after reconciliation. */
export type UnresolvedReason =
  | LookupReason
  /** The sender has no lookup: the vendor documents no read of a send's state (Octopush). */
  | 'no_lookup'
  /** The lookup failed (the vendor's error, the connection): asked again next time. */
  | 'lookup_failed'
  /** The vendor does not list this message, which it did take (its id came back). */
  | 'not_listed';

/** What reconciliation concluded for one recipient. */
export type RecipientVerdict =
  /** The vendor has it: `event` is what it says of it now (final or not). */
  | { to: string; outcome: 'sent'; event: DeliveryEvent }
  /** The vendor's documentation makes its absence a proof: nothing was sent to this recipient. */
  | { to: string; outcome: 'not_sent' }
  | { to: string; outcome: 'unknown'; reason: UnresolvedReason };

interface RecordBase {
  sender: string;
  /** When the answer was read (the reconcile clock), ISO 8601. */
  at: string;
  /** Every request made and the vendor's answer to it. */
  proof: LookupProof[];
  /** The lookup's error, when it failed (code and message only: no secret ever reaches either). */
  error?: { code: string; message: string };
}

/** The answer about an unknown batch. */
export interface BatchRecord extends RecordBase, BatchRef {
  kind: 'batch';
  recipients: RecipientVerdict[];
  /**
   * The recipients proven not sent, which may be sent again (to this vendor or, in a chain, the
   * next): only where the vendor's documentation makes "not found" a proof.
   */
  resendable: string[];
  /** The vendor deduplicates by the batch's key: resending it with that key cannot send twice. */
  deduplicates: boolean;
}

/** The answer about pending messages (of one batch). */
export interface MessagesRecord extends RecordBase, BatchRef {
  kind: 'messages';
  recipients: RecipientVerdict[];
}

/** What `reconcile` writes to the store for each lookup: about an unknown batch, or about pending messages. */
export type ReconcileRecord = BatchRecord | MessagesRecord;

/**
 * The store `reconcile` reads and writes. `record` must resolve only once the record would survive
 * a crash, and must apply `event`s through the same order-independent reduction as delivery
 * reports (a lookup's answer may be older than a report already applied).
 */
export interface ReconcileStore {
  /** Batches of `sender` whose outcome is unknown and whose request began before `before`. */
  unknownBatches(sender: string, before: Date): Promise<readonly UnknownBatch[]> | readonly UnknownBatch[];
  /** Messages of `sender` sent before `before` whose delivery state is not final. */
  pendingMessages(sender: string, before: Date): Promise<readonly PendingMessage[]> | readonly PendingMessage[];
  /** Writes one answer (see above for when it may resolve); a rejection stops `reconcile` with that error. */
  record(entry: ReconcileRecord): Promise<void>;
}
