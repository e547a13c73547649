import type { Redis } from 'ioredis';
import { AccountRecord, type AccountState } from './account';
import { connectRedis, type RedisConnection } from './connection';
import { DeliveryRecords, type DeliveryState } from './deliveries';
import { failoverTotals, type FailoverTotals } from './failover';
import { RedisJournal, type BatchOutcome, type CampaignMeta, type RecipientRecord, type RecipientRefused, type StateLost } from './journal';
import { campaignKeys, campaignMetaPattern, DEFAULT_PREFIX } from './names';
import { VendorIds } from './vendorIds';

/** Batches and the recipients in them. */
export interface Tally {
  batches: number;
  recipients: number;
}

/** A campaign's state in Redis, from `campaignStatus`: totals per outcome, the batches to check, the account's queue. */
export interface CampaignStatus extends CampaignMeta {
  sent: Tally;
  refused: Tally;
  unknown: Tally;
  /** Batches with no outcome yet (waiting, or being sent now). */
  pending: Tally;
  /** Indexes of batches begun and not settled: being sent now, or left by a worker that died. */
  inFlight: number[];
  /** Every batch that may or may not have been sent, with its recipients: check these before resending. */
  unknownBatches: Array<Extract<BatchOutcome, { outcome: 'unknown' }>>;
  /**
   * Sent batches whose delivery reports cannot be placed, and why (BatchOutcome `reports`): their
   * recipients stay pending. `count`: those recipients (on a chain's batch, only those the vendor
   * that answered no id holds).
   */
  unplaceableBatches: Array<{ index: number; count: number; reason: 'ticket_unknown' }>;
  /** Every batch the vendor refused, with the code and message; nothing of them was sent. */
  refusedBatches: Array<Extract<BatchOutcome, { outcome: 'refused' }>>;
  /** Recipients sent, per vendor (a single sender's campaign has one entry). */
  sentBy: Record<string, number>;
  /**
   * Recipients not sent inside batches that have other outcomes: refused one by one in a vendor's
   * accepted answer (SentBatch.refused), or by every vendor of a chain it reached. Nothing was sent to them.
   */
  refusedRecipients: Array<RecipientRefused & { batch: number }>;
  /** True when every batch has an outcome. */
  done: boolean;
  /**
   * Set when a worker found that Redis restarted and may have lost writes of this campaign (no
   * AOF): every batch that had no outcome then is recorded `unknown` (reason `state_lost`) where
   * the vendor cannot deduplicate.
   */
  stateLost?: StateLost;
  /**
   * Where the recipients stand after the send, by the rules of `msgkit report` (see
   * `DeliveryRecords`): delivery reports and reconcile answers first, then the batch's outcome.
   */
  deliveries: DeliveryTotals;
  /** The provider account's queue: paused on refused credentials (until resumeAccount), its last 429. */
  queueState: AccountState;
  /**
   * A chain campaign whose recipients moved on after the send (`failoverCampaign`): how many, by
   * proof, and how many more than one vendor reported delivered (each got it twice: the rows of
   * `campaignResults` that name one in `deliveredTwiceBy`).
   */
  failover?: FailoverTotals;
}

/** Recipients by delivery state, and why the failed and unknown ones are so. */
export interface DeliveryTotals extends Record<DeliveryState, number> {
  /** Recipients failed or unknown, grouped by the reason (a report's vendor status and code, a lookup's reason, a batch's error code). */
  reasons: Array<{ state: 'failed' | 'unknown'; reason: string; recipients: number }>;
  /** Reports received whose send's answer is not recorded yet (placed by the receiver once it is). */
  unplaced: number;
  /**
   * Reports on a vendor's account URL (Octopush) whose message id no batch under this key prefix
   * recorded, of any campaign: kept in Redis and placed once a worker records that id.
   */
  unindexed: number;
  /**
   * Reports on a vendor's account URL moved out of the kept set unplaced, of any campaign: their
   * message id no batch recorded within the receiver's window (`keptWindowMs`), or its batch does
   * not hold their number. Counted for good; the newest are kept for proof (VendorIds.agedOut).
   */
  agedOut: number;
  /** The recipients a report or a lookup decided (the rest stand by their batch's outcome), by state. */
  reported: Record<DeliveryState, number>;
  /** Of those, the failed and unknown ones grouped by reason. */
  reportedReasons: Array<{ state: 'failed' | 'unknown'; reason: string; recipients: number }>;
  /** Of those, how many per batch index (only batches that have any). */
  reportedByBatch: Record<number, number>;
}

/** Options of `campaignStatus`: the key prefix (default `msgkit`) and how long connecting may take. */
export interface StatusOptions {
  prefix?: string;
  /** How long connecting to Redis may take before a RedisUnavailableError (default 10 000 ms). */
  connectTimeoutMs?: number;
}

/** The campaign's totals per outcome and its unknown and refused batches, read from Redis; undefined for an unknown id. */
export async function campaignStatus(connection: RedisConnection, campaignId: string, options: StatusOptions = {}): Promise<CampaignStatus | undefined> {
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    return await readStatus(redis, options.prefix ?? DEFAULT_PREFIX, campaignId);
  } finally {
    await release();
  }
}

/**
 * What became of each recipient the campaign keeps a record of, by batch and number: for a chain
 * campaign every recipient (each vendor tried, how each ended, which one sent); for a single sender,
 * the recipients it refused one by one inside accepted batches. Undefined for an unknown id.
 */
export async function campaignRecipients(connection: RedisConnection, campaignId: string, options: StatusOptions = {}): Promise<RecipientRecord[] | undefined> {
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    const journal = new RedisJournal(redis, options.prefix ?? DEFAULT_PREFIX);
    if (!(await journal.meta(campaignId))) return undefined;
    return await journal.recipients(campaignId);
  } finally {
    await release();
  }
}

/**
 * The ids of every campaign enqueued under the prefix, sorted (read with SCAN, which never blocks
 * Redis the way KEYS would on a large database). For a dashboard that shows them all.
 */
export async function listCampaigns(connection: RedisConnection, options: StatusOptions = {}): Promise<string[]> {
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    const { match, idOf } = campaignMetaPattern(options.prefix ?? DEFAULT_PREFIX);
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const id = idOf(key);
        if (id !== undefined) ids.add(id);
      }
    } while (cursor !== '0');
    return [...ids].sort();
  } finally {
    await release();
  }
}

async function readStatus(redis: Redis, prefix: string, campaignId: string): Promise<CampaignStatus | undefined> {
  const journal = new RedisJournal(redis, prefix);
  const meta = await journal.meta(campaignId);
  if (!meta) return undefined;
  const [outcomes, begun, counts, stateLost, account, failover] = await Promise.all([
    journal.outcomes(campaignId),
    journal.begunUnsettled(campaignId),
    journal.counts(campaignId),
    journal.stateLost(campaignId),
    new AccountRecord(redis, prefix, meta.queue).read(),
    meta.chain ? failoverTotals(redis, prefix, campaignId) : undefined,
  ]);
  const deliveries = await deliveryTotals(new DeliveryRecords(redis, prefix, campaignId), meta, outcomes, new VendorIds(redis, prefix));
  const sentBy: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const vendor = /^sent@(.+):recipients$/.exec(key)?.[1];
    if (vendor !== undefined && n > 0) sentBy[vendor] = n;
  }
  const tally = (kind: BatchOutcome['outcome']): Tally => ({ batches: counts[`${kind}:batches`] ?? 0, recipients: counts[`${kind}:recipients`] ?? 0 });
  const sent = tally('sent');
  const refused = tally('refused');
  const unknown = tally('unknown');
  const pending = {
    batches: meta.batches - sent.batches - refused.batches - unknown.batches,
    recipients: meta.recipients - sent.recipients - refused.recipients - unknown.recipients,
  };
  return {
    ...meta,
    sent,
    refused,
    unknown,
    pending,
    inFlight: begun,
    unknownBatches: outcomes.filter((o): o is Extract<BatchOutcome, { outcome: 'unknown' }> => o.outcome === 'unknown'),
    refusedBatches: outcomes.filter((o): o is Extract<BatchOutcome, { outcome: 'refused' }> => o.outcome === 'refused'),
    unplaceableBatches: outcomes.flatMap((o) => (o.outcome === 'sent' && o.reports !== undefined ? [{ index: o.index, count: o.unplaceable ?? o.count, reason: o.reports }] : [])),
    sentBy: meta.chain ? sentBy : sent.recipients > 0 ? { [meta.provider]: sent.recipients } : {},
    refusedRecipients: outcomes.flatMap((o) => (o.outcome !== 'refused' && o.refused ? o.refused.map((r) => ({ ...r, batch: o.index })) : [])),
    done: pending.batches === 0,
    ...(stateLost && { stateLost }),
    deliveries,
    queueState: account,
    ...(failover && { failover }),
  };
}

async function deliveryTotals(records: DeliveryRecords, meta: CampaignMeta, outcomes: BatchOutcome[], ids: VendorIds): Promise<DeliveryTotals> {
  const [{ byState, byBatch, byWhy }, unplaced, unindexed, agedOut] = await Promise.all([records.counts(), records.unplacedCount(), ids.keptCount(), ids.agedOutCount()]);
  const totals = { ...byState };
  const reasons = new Map<string, { state: 'failed' | 'unknown'; reason: string; recipients: number }>();
  const because = (state: DeliveryState, reason: string, n: number) => {
    if (n <= 0 || (state !== 'failed' && state !== 'unknown')) return;
    const key = `${state}\u0000${reason}`;
    const group = reasons.get(key) ?? { state, reason, recipients: 0 };
    group.recipients += n;
    reasons.set(key, group);
  };
  for (const w of byWhy) because(w.state, w.why, w.recipients);
  // A recipient no report or lookup named stands where its batch's outcome puts it: refused
  // (the batch, or the recipient one by one) failed, unknown unknown, the rest pending. Reports and
  // lookups name the recipients the vendor took or may have: they leave the unknown ones first.
  for (const o of outcomes) {
    const recorded = byBatch.get(o.index);
    let left = recorded ? recorded.delivered + recorded.failed + recorded.pending + recorded.unknown : 0;
    const take = Object.assign(
      (n: number) => {
        const taken = Math.min(n, left);
        left -= taken;
        return n - taken;
      },
      {
        /** `n` records known to be of these recipients. */
        exactly: (n: number) => {
          left -= n;
          return n;
        },
      },
    );
    if (o.outcome === 'refused') {
      const rest = take(o.count);
      totals.failed += rest;
      because('failed', o.code, rest);
      continue;
    }
    const refusedOnes = o.refused ?? [];
    if (o.outcome === 'unknown') {
      // A chain batch holds sent recipients beside the unknown ones: its records are told apart by recipient.
      const rest = meta.chain ? o.recipients.length - take.exactly(await records.countOf(o.recipients)) : take(o.recipients.length);
      totals.unknown += rest;
      because('unknown', o.code ?? o.reason, rest);
    }
    take(o.count - refusedOnes.length - (o.outcome === 'unknown' ? o.recipients.length : 0));
    const byCode = new Map<string, number>();
    for (const r of refusedOnes) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
    for (const [code, n] of byCode) {
      const rest = take(n);
      totals.failed += rest;
      because('failed', code, rest);
    }
  }
  totals.pending = meta.recipients - totals.delivered - totals.failed - totals.unknown;
  const reportedByBatch: Record<number, number> = {};
  for (const [index, c] of byBatch) reportedByBatch[index] = c.delivered + c.failed + c.pending + c.unknown;
  const reportedReasons = byWhy.flatMap((w) => (w.state === 'failed' || w.state === 'unknown' ? [{ state: w.state, reason: w.why, recipients: w.recipients }] : []));
  return { ...totals, reasons: [...reasons.values()].sort((a, b) => b.recipients - a.recipients), unplaced, unindexed, agedOut, reported: byState, reportedReasons, reportedByBatch };
}

/** One entry of a campaign's event stream. */
export type CampaignEvent =
  /** `lost`: Redis lost state under the campaign, so this batch is taken as possibly sent. */
  | { id: string; type: 'begin'; index: number; state: 'fresh' | 'resumed' | 'lost' }
  | { id: string; type: 'outcome'; index: number; outcome: BatchOutcome['outcome']; count: number }
  | { id: string; type: 'state_lost'; previousRun: string; run: string }
  /** The account's queue was paused: the vendor refused its credentials at this batch. */
  | { id: string; type: 'paused'; index: number; code: string; message: string }
  | { id: string; type: 'rate_limited'; index: number; pausedMs: number; askedMs?: number; capped: boolean };

function parseEvent(id: string, fields: string[]): CampaignEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (f.type === 'begin') return { id, type: 'begin', index: Number(f.index), state: f.state as 'fresh' | 'resumed' | 'lost' };
  if (f.type === 'state_lost') return { id, type: 'state_lost', previousRun: f.previousRun ?? '', run: f.run ?? '' };
  if (f.type === 'paused') return { id, type: 'paused', index: Number(f.index), code: f.code ?? '', message: f.message ?? '' };
  if (f.type === 'rate_limited') {
    return { id, type: 'rate_limited', index: Number(f.index), pausedMs: Number(f.pausedMs), ...(f.askedMs !== undefined && { askedMs: Number(f.askedMs) }), capped: f.capped === '1' };
  }
  return { id, type: 'outcome', index: Number(f.index), outcome: f.outcome as BatchOutcome['outcome'], count: Number(f.count) };
}

/** One event as a line of text (`--follow` of both commands). */
export function formatCampaignEvent(event: CampaignEvent): string {
  switch (event.type) {
    case 'begin':
      return `batch ${event.index} ${event.state === 'fresh' ? 'begun' : event.state === 'resumed' ? 'resumed' : 'begun after Redis lost state'}`;
    case 'outcome':
      return `batch ${event.index} ${event.outcome} (${event.count})`;
    case 'state_lost':
      return `Redis restarted without an append-only file (run ${event.previousRun} -> ${event.run}): batches without an outcome are taken as possibly sent`;
    case 'paused':
      return `account paused at batch ${event.index}: ${event.code}: ${event.message}`;
    case 'rate_limited':
      return `rate limited at batch ${event.index}: every worker pauses ${formatMs(event.pausedMs)}${event.capped ? ` (the vendor asked ${formatMs(event.askedMs ?? 0)}; capped)` : ''}`;
  }
}

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6_000) / 10} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 8_640_000) / 10} days`;
}

/** Options of `followCampaign`. */
export interface FollowOptions extends StatusOptions {
  /** Stream id to start after (`0` = from the first kept event; default `$` = only new ones). */
  from?: string;
  signal?: AbortSignal;
}

/**
 * The campaign's events as they happen (a Redis stream each worker appends to, the last ~10 000
 * kept), until the signal aborts or the campaign is done. For a dashboard or `msgkit-queue status --follow`.
 */
export async function* followCampaign(connection: RedisConnection, campaignId: string, options: FollowOptions = {}): AsyncGenerator<CampaignEvent> {
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs });
  // XREAD BLOCK holds its connection, so it gets one of its own.
  const reader: Redis = redis.duplicate();
  reader.on('error', () => undefined);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const key = campaignKeys(prefix, campaignId).events;
  let last = options.from ?? '$';
  try {
    while (!options.signal?.aborted) {
      const reply = (await reader.xread('COUNT', 500, 'BLOCK', 1_000, 'STREAMS', key, last)) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          yield parseEvent(id, fields);
        }
      }
      if (!reply) {
        const status = await readStatus(redis, prefix, campaignId);
        if (status?.done) return;
      }
    }
  } finally {
    reader.disconnect();
    await release();
  }
}
