/**
 * The queue's record of delivery states: per recipient of a campaign, every distinct delivery
 * event (reports and reconcile lookups) and the latest reconcile verdict, in one Redis hash, with
 * counters by state kept in the same step. The state is reduced by @msgkit/webhooks' reducer
 * (`MessageTracker`, `compareDeliveryEvents`): a recipient's record is a set of distinct events
 * (kept sorted), so the same reports in any order, repeated or split across receivers, give the
 * same record and the same state, and a final state never regresses. Each write is a compare-and-set of the recipient's
 * record (a Lua script), retried on a conflict: two receivers never lose each other's report.
 *
 * The state of a recipient is core's one rule (`recipientStanding`), the one `msgkit report` and
 * the dashboard read a journal by: a delivered of any vendor that sent it, then the holder's final
 * report (failed with the vendor's code), then a verdict proving it never sent (failed), then a
 * verdict leaving it unknown (with its reason), then a report that is not final (pending); a
 * recipient with no record stands by its batch's outcome (sent: pending; refused: failed;
 * unknown: unknown; none yet: pending). Each message's reports are reduced first (MessageTracker).
 */
import { createHash } from 'node:crypto';
import type { DeliveryEvent, DeliveryStatus } from '@msgkit/core';
import { recipientStanding } from '@msgkit/core/internal';
import { canonicalEvent, compareDeliveryEvents, MessageTracker, type MessageDelivery, type ReconcileRecord, type RecipientVerdict } from '@msgkit/webhooks';
import type { Redis } from 'ioredis';
import { deliveryKeys, unplacedCampaignsKey } from './dlrKeys';

/** Where a recipient stands: the four states of `msgkit report`. */
export type DeliveryState = 'delivered' | 'failed' | 'pending' | 'unknown';
/** Every {@link DeliveryState}, in the order reports print them. */
export const DELIVERY_STATES: readonly DeliveryState[] = ['delivered', 'failed', 'pending', 'unknown'];

/** A reconcile verdict as the record keeps it: the outcome, why (when unknown), and when it was read. */
export interface KeptVerdict {
  outcome: RecipientVerdict['outcome'];
  reason?: string;
  at: string;
}

/** One recipient's record: its batch, its distinct events (sorted by their canonical text) and the latest verdict. */
export interface DeliveryRecord {
  batch: number;
  /**
   * A chain campaign's recipient: the vendor whose events decide its state (the one that sent it,
   * or whose attempt is unknown; '' for none). Events of other vendors are kept and decide nothing.
   */
  holder?: string;
  events: DeliveryEvent[];
  verdict?: KeptVerdict;
}

/** Where one recipient stands by its record. */
export interface RecipientStanding {
  state: DeliveryState;
  /** The vendor's status in msgkit's vocabulary, where an event gave one. */
  status?: DeliveryStatus;
  /** Why, in one short clause (a code first). */
  reason: string;
  messageId?: string;
  /** Delivered by more than one vendor: those other than the holder (each delivered it too), sorted. */
  deliveredTwiceBy?: string[];
}

// Far more distinct reports than any vendor sends for one message; past it the least events go (see `merge`).
const MAX_EVENTS = 64;

/**
 * KEYS: records, counts. ARGV: recipient, the record expected ('' for none), the new record, the
 * old batch, state and why ('' for none), the new batch, state and why.
 * Writes the record only if it is still the one the caller reduced from, and moves the counters
 * with it. Returns {1, ''} when written, {0, current record} otherwise (the caller reduces again).
 */
const SWAP = `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local function move(batch, state, why, by)
  redis.call('HINCRBY', KEYS[2], 's:' .. state, by)
  redis.call('HINCRBY', KEYS[2], 'b:' .. batch .. ':' .. state, by)
  redis.call('HINCRBY', KEYS[2], 'w:' .. state .. '\\0' .. why, by)
end
if ARGV[2] ~= '' then move(ARGV[4], ARGV[5], ARGV[6], -1) end
move(ARGV[7], ARGV[8], ARGV[9], 1)
return {1, ''}
`;

/** The record with `events` and `verdict` added; the same record whatever order they come in. */
export function merge(record: DeliveryRecord | undefined, batch: number, events: readonly DeliveryEvent[], verdict?: KeptVerdict, holder?: string): DeliveryRecord {
  const byText = new Map<string, DeliveryEvent>();
  // The copy already kept stays: a repeat writes nothing.
  for (const e of [...(record?.events ?? []), ...events]) if (!byText.has(canonicalEvent(e))) byText.set(canonicalEvent(e), e);
  let kept = [...byText.values()];
  if (kept.length > MAX_EVENTS) kept = kept.sort(compareDeliveryEvents).slice(-MAX_EVENTS);
  kept.sort((a, b) => (canonicalEvent(a) < canonicalEvent(b) ? -1 : canonicalEvent(a) > canonicalEvent(b) ? 1 : 0));
  const last = record?.verdict;
  // The latest lookup decides; at the same time the greater text, so that order never matters.
  const newer = verdict && (!last || verdict.at > last.at || (verdict.at === last.at && JSON.stringify(verdict) > JSON.stringify(last)));
  const kept2 = newer ? verdict : last;
  const holds = record?.holder ?? holder;
  return { batch: record?.batch ?? batch, ...(holds !== undefined && { holder: holds }), events: kept, ...(kept2 && { verdict: kept2 }) };
}

/** Where the record puts its recipient: core's one rule (`recipientStanding`, see the module comment). */
export function standingOf(record: DeliveryRecord): RecipientStanding {
  const s = recipientStanding({ reports: messagesOf(record), ...(record.holder !== undefined && { holder: record.holder }), ...(record.verdict && { lookup: record.verdict }) });
  if (!s) return { state: 'pending', reason: 'no report yet' };
  const r = s.report;
  return { state: s.state, ...(r && { status: r.status, messageId: r.messageId }), reason: s.reason, ...(s.deliveredTwiceBy.length > 0 && { deliveredTwiceBy: s.deliveredTwiceBy }) };
}

/** Each message's reports reduced (the webhooks' MessageTracker): one view per vendor and message id. */
export function messagesOf(record: DeliveryRecord): MessageDelivery[] {
  const trackers = new Map<string, MessageTracker>();
  for (const e of record.events) {
    const key = `${e.vendor}\u0000${e.messageId}`;
    let t = trackers.get(key);
    if (!t) trackers.set(key, (t = new MessageTracker(e.vendor, e.messageId)));
    t.apply(e);
  }
  return [...trackers.values()].map((t) => t.view);
}

/** What a counter groups a standing by: failures by the vendor's words, unknowns by reason. */
const whyOf = (s: RecipientStanding): string => (s.state === 'failed' || s.state === 'unknown' ? s.reason : '');

/** The delivery states of one campaign in Redis: written by receivers and reconcile, read by status. */
export class DeliveryRecords {
  readonly keys: ReturnType<typeof deliveryKeys>;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly campaignId: string,
  ) {
    this.keys = deliveryKeys(prefix, campaignId);
  }

  /**
   * Adds events and a verdict to one recipient's record, atomically; a conflict with another
   * writer reduces again from what it wrote. Resolves once Redis has the write.
   */
  async apply(to: string, batch: number, events: readonly DeliveryEvent[], verdict?: KeptVerdict, holder?: string): Promise<RecipientStanding> {
    let current = (await this.redis.hget(this.keys.records, to)) ?? '';
    for (;;) {
      const before = current === '' ? undefined : (JSON.parse(current) as DeliveryRecord);
      const after = merge(before, batch, events, verdict, holder);
      const text = JSON.stringify(after);
      const now = standingOf(after);
      if (text === current) return now;
      const was = before && standingOf(before);
      const [written, stored] = (await this.redis.eval(SWAP, 2, this.keys.records, this.keys.counts, to, current, text, String(before?.batch ?? ''), was?.state ?? '', was ? whyOf(was) : '', String(after.batch), now.state, whyOf(now))) as [number, string];
      if (written === 1) return now;
      current = stored;
    }
  }

  /**
   * Names the vendor whose events decide a chain recipient's state from now on (it moved on to
   * it: `failoverCampaign`), creating the record when none exists yet, atomically with the counters.
   * The other vendors' events stay and decide nothing.
   */
  async rehold(to: string, batch: number, holder: string): Promise<RecipientStanding> {
    let current = (await this.redis.hget(this.keys.records, to)) ?? '';
    for (;;) {
      const before = current === '' ? undefined : (JSON.parse(current) as DeliveryRecord);
      const kept = merge(before, batch, []);
      // A reconcile verdict was about the message of the vendor it held before: it decides nothing now.
      const verdict = kept.holder === undefined || kept.holder === holder ? kept.verdict : undefined;
      const after: DeliveryRecord = { batch: kept.batch, holder, events: kept.events, ...(verdict && { verdict }) };
      const text = JSON.stringify(after);
      const now = standingOf(after);
      if (text === current) return now;
      const was = before && standingOf(before);
      const [written, stored] = (await this.redis.eval(SWAP, 2, this.keys.records, this.keys.counts, to, current, text, String(before?.batch ?? ''), was?.state ?? '', was ? whyOf(was) : '', String(after.batch), now.state, whyOf(now))) as [number, string];
      if (written === 1) return now;
      current = stored;
    }
  }

  /** The records of `tos`, by number (those without one are absent). */
  async getMany(tos: readonly string[]): Promise<Map<string, DeliveryRecord>> {
    const out = new Map<string, DeliveryRecord>();
    if (tos.length === 0) return out;
    const values = await this.redis.hmget(this.keys.records, ...tos);
    values.forEach((json, i) => json !== null && out.set(tos[i]!, JSON.parse(json) as DeliveryRecord));
    return out;
  }

  /** One recipient's record, if any report or lookup named it. */
  async get(to: string): Promise<DeliveryRecord | undefined> {
    const json = await this.redis.hget(this.keys.records, to);
    return json === null ? undefined : (JSON.parse(json) as DeliveryRecord);
  }

  /** How many of `tos` have a record. */
  async countOf(tos: readonly string[]): Promise<number> {
    if (tos.length === 0) return 0;
    return (await this.redis.hmget(this.keys.records, ...tos)).filter((v) => v !== null).length;
  }

  /** Every record, by recipient (read with HSCAN, which never blocks Redis). */
  async all(): Promise<Map<string, DeliveryRecord>> {
    const out = new Map<string, DeliveryRecord>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.records, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, JSON.parse(flat[i + 1]!) as DeliveryRecord);
    } while (cursor !== '0');
    return out;
  }

  /** The counters: recipients with a record by state, by batch and state, and by state and why. */
  async counts(): Promise<{ byState: Record<DeliveryState, number>; byBatch: Map<number, Record<DeliveryState, number>>; byWhy: Array<{ state: DeliveryState; why: string; recipients: number }> }> {
    const raw = await this.redis.hgetall(this.keys.counts);
    const byState = zero();
    const byBatch = new Map<number, Record<DeliveryState, number>>();
    const byWhy: Array<{ state: DeliveryState; why: string; recipients: number }> = [];
    for (const [field, value] of Object.entries(raw)) {
      const n = Number(value);
      if (n === 0) continue;
      if (field.startsWith('s:')) byState[field.slice(2) as DeliveryState] = n;
      else if (field.startsWith('b:')) {
        const [, batch, state] = field.split(':') as [string, string, DeliveryState];
        let counts = byBatch.get(Number(batch));
        if (!counts) byBatch.set(Number(batch), (counts = zero()));
        counts[state] = n;
      } else if (field.startsWith('w:')) {
        const [state, why] = field.slice(2).split('\u0000') as [DeliveryState, string];
        if (why !== '') byWhy.push({ state, why, recipients: n });
      }
    }
    return { byState, byBatch, byWhy };
  }

  /** Keeps a reconcile answer with its proof, in the order written. */
  async keepReconcile(entry: ReconcileRecord): Promise<void> {
    await this.redis.rpush(this.keys.reconcile, JSON.stringify(entry));
  }

  /** Every reconcile answer kept, oldest first. */
  async reconciled(): Promise<ReconcileRecord[]> {
    return (await this.redis.lrange(this.keys.reconcile, 0, -1)).map((json) => JSON.parse(json) as ReconcileRecord);
  }

  /** Batch index → when its request began, as the worker recorded it before sending. */
  async sentAt(): Promise<Map<number, Date>> {
    const raw = await this.redis.hgetall(this.keys.sentAt);
    return new Map(Object.entries(raw).map(([i, at]) => [Number(i), new Date(at)]));
  }

  /** Reports waiting for the send's answer to name their recipient. */
  async unplaced(): Promise<Array<{ digest: string; batch: number; event: DeliveryEvent }>> {
    const raw = await this.redis.hgetall(this.keys.unplaced);
    return Object.entries(raw).map(([digest, json]) => ({ digest, ...(JSON.parse(json) as { batch: number; event: DeliveryEvent }) }));
  }

  /** How many reports wait for their batch's answer to name their recipient. */
  async unplacedCount(): Promise<number> {
    return this.redis.hlen(this.keys.unplaced);
  }

  /** Keeps a report whose recipient is not known yet; the same report twice is kept once. */
  async park(prefix: string, batch: number, event: DeliveryEvent): Promise<void> {
    const digest = createHash('sha256').update(canonicalEvent(event)).digest('base64url');
    await this.redis.multi().hset(this.keys.unplaced, digest, JSON.stringify({ batch, event })).sadd(unplacedCampaignsKey(prefix), this.campaignId).exec();
  }

  /** Forgets a parked report once it is in its recipient's record. */
  async placed(digest: string): Promise<void> {
    await this.redis.hdel(this.keys.unplaced, digest);
  }
}

export const zero = (): Record<DeliveryState, number> => ({ delivered: 0, failed: 0, pending: 0, unknown: 0 });
