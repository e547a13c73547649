/**
 * msgkit's one delivery-status vocabulary. Every vendor's report parser (in its own package) maps
 * the vendor's status strings onto these; everything downstream (webhooks, journal, queue, CLI)
 * reads only these.
 *
 * - `accepted`: the vendor took the message; `scheduled`: it waits for its send time;
 *   `queued`: in the vendor's or an operator's queue; `sent`: handed to the network.
 * - `delivered`: the handset (or mailbox, app) has it.
 * - `undelivered`: the network tried and could not deliver; `expired`: the validity period ran out;
 *   `rejected`: refused before sending (opt-out, no coverage, bad number, blocked sender);
 *   `failed`: the vendor failed or the message was withdrawn (cancelled) before delivery.
 * - `unknown`: the vendor says it does not know.
 */
export const DELIVERY_STATUSES = ['accepted', 'scheduled', 'queued', 'sent', 'delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown'] as const;

/** One of `DELIVERY_STATUSES`: the status set every vendor's reports are mapped to. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Statuses after which a vendor sends no further report for the message (unless it corrects one). */
export const FINAL_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['delivered', 'undelivered', 'expired', 'rejected', 'failed'];

/** The final statuses that mean the message did not arrive. */
export const NEGATIVE_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['undelivered', 'expired', 'rejected', 'failed'];

const PROGRESS: Record<DeliveryStatus, number> = {
  unknown: 0,
  scheduled: 1,
  accepted: 2,
  queued: 3,
  sent: 4,
  undelivered: 5,
  expired: 5,
  rejected: 5,
  failed: 5,
  delivered: 6,
};

/** True when `value` is one of `DELIVERY_STATUSES`. */
export function isDeliveryStatus(value: unknown): value is DeliveryStatus {
  return typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** True for the statuses that end a message's life by default (a vendor's report may say otherwise, e.g. a final `unknown`). */
export function isFinalDeliveryStatus(status: DeliveryStatus): boolean {
  return FINAL_DELIVERY_STATUSES.includes(status);
}

/** True for the statuses that say the message did not arrive (undelivered, expired, rejected, failed). */
export function isNegativeDeliveryStatus(status: DeliveryStatus): boolean {
  return NEGATIVE_DELIVERY_STATUSES.includes(status);
}

/**
 * How far along a status is: `unknown` 0, `scheduled` 1, `accepted` 2, `queued` 3, `sent` 4, the
 * negative finals 5, `delivered` 6. A reducer orders reports by it, never by arrival.
 */
export function deliveryProgress(status: DeliveryStatus): number {
  return PROGRESS[status];
}
