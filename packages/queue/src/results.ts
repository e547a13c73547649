/**
 * One row per recipient of a queue campaign: where the send left it (sent, refused and why,
 * unknown and why, not sent yet) and where it stands by its delivery reports and lookups
 * (delivered, failed, pending, unknown), read from Redis a few batches at a time so that a
 * campaign of any size is never held in memory at once.
 *
 * Per batch: its recipients from its job (the queue keeps jobs: removeOnComplete false), its
 * outcome, the per-recipient records of a chain (or of recipients refused one by one), and the
 * delivery records, each read with one HMGET of the batch's numbers. The rules are the ones
 * `campaignStatus` counts by: a recipient with a delivery record stands by it (`standingOf`); one
 * without stands by its send (refused: failed; unknown: unknown; sent: pending; no outcome yet: pending).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { holderOf } from './chain';
import { connectRedis, type RedisConnection } from './connection';
import { standingOf, type DeliveryRecord, type DeliveryState } from './deliveries';
import { deliveryKeys } from './dlrKeys';
import { RedisJournal, type BatchOutcome, type CampaignMeta, type RecipientRecord } from './journal';
import { batchJobId, campaignKeys, DEFAULT_PREFIX } from './names';
import type { BatchJobData } from './producer';
import type { StatusOptions } from './status';

/** No campaign of this id under the prefix: nothing was read. */
export class CampaignNotFoundError extends Error {
  override name = 'CampaignNotFoundError';
  readonly code = 'campaign_not_found';
  constructor(readonly campaignId: string) {
    super(`no campaign ${campaignId} in this Redis (or not under this prefix)`);
  }
}

/** Where the send left a recipient: the batch (or, in a chain, every vendor it reached) answered, or not yet. */
export type SendStatus = 'sent' | 'refused' | 'unknown' | 'pending';

/**
 * One recipient of a queue campaign. The names follow `msgkit send --results` (e164, status,
 * provider, vendor_id, error, tries) and `msgkit report --results` (state, reason, message_id,
 * delivered_twice_by) where they mean the same.
 */
export interface CampaignResultRow {
  e164: string;
  batch: number;
  /**
   * `sent`, `refused` (nothing sent: `error` says why, the vendor's code included), `unknown` (it
   * may have been sent: `error` says why), or `pending` (its batch has no outcome yet: waiting, or
   * being sent now).
   */
  status: SendStatus;
  /** The vendor that holds it: the one that sent it, or the one whose attempt at it is unknown (a chain's too); '' when none does. */
  provider: string;
  /** The vendor's id for it: its message id where the answer gave one, else the request's only id. */
  vendorId?: string;
  /** Why it is not sent, or not known to be: `code [vendor code]: reason`. */
  error?: string;
  /** Every vendor tried, in order (`smsworks:refused:no_route smscx:sent`). */
  tries: string;
  /** Where it stands now. */
  state: DeliveryState;
  /** The vendor's delivery status in msgkit's vocabulary, where a report or a lookup gave one. */
  deliveryStatus?: string;
  /** Why it is in this state, in one short clause (a code first); never empty for failed and unknown. */
  reason: string;
  /** The message id the deciding report or lookup named. */
  messageId?: string;
  /**
   * Delivered by more than one vendor (it reached the phone more than once, and each was paid for):
   * those vendors other than the holder, space separated. `campaignStatus(…).failover.deliveredTwice`
   * counts these rows.
   */
  deliveredTwiceBy?: string;
}

/** Options of `campaignResults`. */
export interface ResultsOptions extends StatusOptions {
  /** Batches read per round trip (default 20): memory grows with it and the batch size, never with the campaign. */
  batchesPerRead?: number;
}

const short = (text: string, max = 120) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
};

/** `code [vendor code]: reason`, the form of `msgkit send --results`' error cell. */
function errorOf(code: string | undefined, vendorCode: string | number | undefined, reason: string | undefined): string {
  const head = `${code ?? 'error'}${vendorCode === undefined ? '' : ` ${vendorCode}`}`;
  return reason ? `${head}: ${short(reason)}` : head;
}

function tryLabel(t: RecipientRecord['tried'][number]): string {
  // As `msgkit send --results` writes it: a send moved on after it (failoverCampaign) is `:moved-report-<status>` or `:moved-timer`.
  if (t.outcome === 'sent') return `${t.sender}:sent${t.duplicate ? ':duplicate' : ''}${t.moved ? `:moved-${t.moved === 'report' ? `report-${t.code}` : 'timer'}` : ''}`;
  return `${t.sender}:${t.outcome}:${t.failover && t.class ? t.class : (t.code ?? 'error')}`;
}

/** The send cells of a recipient with its own record (a chain's, or one refused inside an accepted batch). */
function fromRecord(r: RecipientRecord): Pick<CampaignResultRow, 'status' | 'provider' | 'vendorId' | 'error' | 'tries'> {
  const tries = r.tried.map(tryLabel).join(' ');
  const provider = holderOf(r);
  if (r.status === 'sent') return { status: 'sent', provider, ...(r.id !== undefined && { vendorId: r.id }), tries };
  const at = r.status === 'unknown' ? ([...r.tried].reverse().find((t) => t.outcome === 'unknown') ?? r.tried.at(-1)) : r.tried.at(-1);
  return { status: r.status, provider, error: at ? errorOf(at.code ?? r.code, at.vendorCode, at.reason) : (r.code ?? r.status), tries };
}

/** The send cells of a recipient whose batch's outcome speaks for it (a single sender). */
function fromOutcome(meta: CampaignMeta, to: string, o: BatchOutcome | undefined, begun: boolean): Pick<CampaignResultRow, 'status' | 'provider' | 'vendorId' | 'error' | 'tries'> {
  if (!o) return { status: 'pending', provider: '', tries: '', ...(begun && { error: 'in_flight: its batch is begun and has no outcome yet (being sent, or left by a worker that died)' }) };
  if (o.outcome === 'refused') return { status: 'refused', provider: '', error: errorOf(o.code, o.vendorCode, o.message), tries: `${meta.provider}:refused:${o.code}` };
  if (o.outcome === 'unknown') {
    const why = o.code !== undefined ? `${o.reason} ${o.code}` : o.reason;
    // A chain batch without per-recipient records (Redis lost them, or its job failed for good): which vendor may hold it is not known.
    const holder = meta.chain ? '' : meta.provider;
    return { status: 'unknown', provider: holder, error: o.message ? `${why}: ${short(o.message)}` : why, tries: meta.chain ? '' : `${meta.provider}:unknown:${o.code ?? o.reason}` };
  }
  const id = o.messages?.find((m) => m.to === to)?.id ?? (o.ids.length === 1 ? o.ids[0] : undefined);
  return { status: 'sent', provider: meta.provider, ...(id !== undefined && { vendorId: id }), tries: `${meta.provider}:sent${o.duplicate ? ':duplicate' : ''}` };
}

/** Where a recipient with no delivery record stands: by its send. */
function standingBySend(send: Pick<CampaignResultRow, 'status' | 'error'>): Pick<CampaignResultRow, 'state' | 'reason'> {
  if (send.status === 'refused') return { state: 'failed', reason: send.error ?? 'refused' };
  if (send.status === 'unknown') return { state: 'unknown', reason: send.error ?? 'unknown' };
  if (send.status === 'sent') return { state: 'pending', reason: 'no report yet' };
  return { state: 'pending', reason: send.error ? 'being sent' : 'not sent yet' };
}

/**
 * Every recipient of a queue campaign, batch by batch in order and in each batch in the order it
 * was enqueued, as one row each (see CampaignResultRow). Reads Redis a few batches at a time
 * (`batchesPerRead`), so memory is bounded by the batch size, not the campaign. Throws
 * CampaignNotFoundError for an unknown id, RedisUnavailableError when Redis cannot be reached.
 * The rows are read while workers may still be writing: each batch is read in one round trip, and
 * a campaign still running gives some rows `pending`.
 */
export async function* campaignResults(connection: RedisConnection, campaignId: string, options: ResultsOptions = {}): AsyncGenerator<CampaignResultRow, void, undefined> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const per = Math.max(1, Math.floor(options.batchesPerRead ?? 20));
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs });
  let queue: Queue<BatchJobData> | undefined;
  try {
    const journal = new RedisJournal(redis, prefix);
    const meta = await journal.meta(campaignId);
    if (!meta) throw new CampaignNotFoundError(campaignId);
    queue = new Queue<BatchJobData>(meta.queue, { connection: redis, prefix });
    for (let first = 0; first < meta.batches; first += per) {
      const indexes = Array.from({ length: Math.min(per, meta.batches - first) }, (_, i) => first + i);
      yield* await readBatches(redis, queue, prefix, meta, indexes);
    }
  } finally {
    await queue?.close();
    await release();
  }
}

async function readBatches(redis: Redis, queue: Queue<BatchJobData>, prefix: string, meta: CampaignMeta, indexes: number[]): Promise<CampaignResultRow[]> {
  const k = campaignKeys(prefix, meta.campaignId);
  const d = deliveryKeys(prefix, meta.campaignId);
  const fields = indexes.map(String);
  const [jobs, outcomes, begun] = await Promise.all([
    Promise.all(indexes.map((i) => queue.getJob(batchJobId(meta.campaignId, i)))),
    redis.hmget(k.outcome, ...fields),
    redis.hmget(k.begin, ...fields),
  ]);
  const batches = indexes.map((index, i) => {
    const outcome = outcomes[i] === null ? undefined : (JSON.parse(outcomes[i]!) as BatchOutcome);
    return { index, outcome, begun: begun[i] !== null, recipients: recipientsOf(jobs[i]?.data, outcome) };
  });
  const all = batches.flatMap((b) => b.recipients);
  const [own, reports] = all.length === 0 ? [[], []] : await Promise.all([redis.hmget(k.recipients, ...all), redis.hmget(d.records, ...all)]);
  const rows: CampaignResultRow[] = [];
  let n = 0;
  for (const b of batches) {
    for (const to of b.recipients) {
      const ownJson = own[n];
      const reportJson = reports[n];
      n++;
      const record = ownJson ? (JSON.parse(ownJson) as RecipientRecord) : undefined;
      const send = record ? fromRecord(record) : fromOutcome(meta, to, b.outcome, b.begun);
      const delivery = reportJson ? (JSON.parse(reportJson) as DeliveryRecord) : undefined;
      let standing: Pick<CampaignResultRow, 'state' | 'deliveryStatus' | 'reason' | 'messageId' | 'deliveredTwiceBy'>;
      if (delivery) {
        const s = standingOf(delivery);
        standing = { state: s.state, ...(s.status !== undefined && { deliveryStatus: s.status }), reason: s.reason, ...(s.messageId !== undefined && { messageId: s.messageId }), ...(s.deliveredTwiceBy && { deliveredTwiceBy: s.deliveredTwiceBy.join(' ') }) };
      } else standing = standingBySend(send);
      rows.push({ e164: to, batch: b.index, ...send, ...standing });
    }
  }
  return rows;
}

/**
 * A batch's recipients: its job's, in order. A job removed by hand leaves those its outcome names
 * (refused and unknown batches name every one, a sent batch those the vendor gave an id or refused).
 */
function recipientsOf(job: BatchJobData | undefined, outcome: BatchOutcome | undefined): string[] {
  if (job) return job.recipients;
  if (!outcome) return [];
  if (outcome.outcome === 'refused') return outcome.recipients;
  const named = [...(outcome.outcome === 'unknown' ? outcome.recipients : (outcome.messages ?? []).map((m) => m.to)), ...(outcome.refused ?? []).map((r) => r.to)];
  return [...new Set(named)];
}
