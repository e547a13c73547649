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

// What is worked out once per report is kept on the report itself, under a symbol, not
// enumerable and read-only: keys, JSON, spreads, structuredClone and equality checks do not see it
// (a copy works it out again). A WeakMap entry per report, kept as long as the ledger keeps the
// report, cost the garbage collector more than all the rest of the reducer. A frozen report falls
// back to one.
const TIME = Symbol('msgkit.deliveryTime');
const TEXT = Symbol('msgkit.canonicalText');
type Remembered = DeliveryEvent & { [TIME]?: number; [TEXT]?: string };
const frozen = new WeakMap<DeliveryEvent, { [TIME]?: number; [TEXT]?: string }>();

function remember<K extends typeof TIME | typeof TEXT>(event: DeliveryEvent, key: K, value: NonNullable<Remembered[K]>): void {
  if (Object.isExtensible(event)) Object.defineProperty(event, key, { value });
  else {
    let kept = frozen.get(event);
    if (!kept) frozen.set(event, (kept = {}));
    (kept as Record<K, unknown>)[key] = value;
  }
}

function recalled<K extends typeof TIME | typeof TEXT>(event: DeliveryEvent, key: K): Remembered[K] {
  const own = (event as Remembered)[key];
  return own !== undefined || Object.isExtensible(event) ? own : (frozen.get(event)?.[key] as Remembered[K]);
}

/** The vendor's time of a report in ms (-1 when it gives none), parsed once per report. */
export function timeOf(event: DeliveryEvent): number {
  let ms = recalled(event, TIME);
  if (ms === undefined) {
    ms = event.at === undefined ? -1 : Date.parse(event.at);
    if (Number.isNaN(ms)) ms = -1;
    remember(event, TIME, ms);
  }
  return ms;
}

/**
 * The report as text, every field of `DeliveryEvent` in one fixed order: equal reports give equal
 * text whatever order their keys were built in (the dedupe key and the last tie-break).
 */
export function canonicalEvent(event: DeliveryEvent): string {
  let text = recalled(event, TEXT);
  if (text === undefined) {
    const { raw, price, part, reference: ref } = event;
    text = JSON.stringify([
      event.vendor, event.messageId, event.status, event.final, event.permanent, raw.status, raw.code, raw.error, event.at, event.groupId, event.to, event.channel,
      price?.amount, price?.currency, event.parts, part?.index, part?.count, event.echo, ref?.campaign, ref?.batch, ref?.recipient, event.unmapped,
    ]);
    remember(event, TEXT, text);
  }
  return text;
}
