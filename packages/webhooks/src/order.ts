import { deliveryProgress, type DeliveryEvent } from '@msgkit/core';

/**
 * A total order on the reports of one message: the reducer keeps the greatest, so the outcome
 * depends only on which reports arrived, never on their order or repetition.
 *
 * - A final report outranks every non-final one: a final state never regresses.
 * - Among finals, `delivered` outranks the negative ones (a report that the handset has it is
 *   proof; a later "expired" from a timer cannot undo it, and calling it failed would make a
 *   failover send it twice); otherwise the vendor's later time wins (a correction), then progress.
 * - Among non-finals, progress wins (`sent` after `accepted` whatever the clocks say), then time.
 * - Ties fall to the report's canonical text, so equal-looking reports still order one way.
 */
export function compareDeliveryEvents(a: DeliveryEvent, b: DeliveryEvent): number {
  if (a.final !== b.final) return a.final ? 1 : -1;
  if (a.final) {
    const da = a.status === 'delivered' ? 1 : 0;
    const db = b.status === 'delivered' ? 1 : 0;
    if (da !== db) return da - db;
    const t = timeOf(a) - timeOf(b);
    if (t !== 0) return t;
    const p = deliveryProgress(a.status) - deliveryProgress(b.status);
    if (p !== 0) return p;
  } else {
    const p = deliveryProgress(a.status) - deliveryProgress(b.status);
    if (p !== 0) return p;
    const t = timeOf(a) - timeOf(b);
    if (t !== 0) return t;
  }
  const ca = canonicalEvent(a);
  const cb = canonicalEvent(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function timeOf(event: DeliveryEvent): number {
  if (event.at === undefined) return -1;
  const ms = Date.parse(event.at);
  return Number.isNaN(ms) ? -1 : ms;
}

const canonical = new WeakMap<DeliveryEvent, string>();

/** The report as text with its keys sorted: equal reports give equal text (the dedupe key). */
export function canonicalEvent(event: DeliveryEvent): string {
  let text = canonical.get(event);
  if (text === undefined) {
    text = stable(event);
    canonical.set(event, text);
  }
  return text;
}

function stable(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
}
