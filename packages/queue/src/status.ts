import type { Redis } from 'ioredis';
import { openRedis, type RedisConnection } from './connection';
import { RedisJournal, type BatchOutcome, type CampaignMeta } from './journal';
import { campaignKeys, DEFAULT_PREFIX } from './names';

export interface Tally {
  batches: number;
  recipients: number;
}

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
  /** Every batch the vendor refused, with the code and message; nothing of them was sent. */
  refusedBatches: Array<Extract<BatchOutcome, { outcome: 'refused' }>>;
  /** True when every batch has an outcome. */
  done: boolean;
}

export interface StatusOptions {
  prefix?: string;
}

/** The campaign's totals per outcome and its unknown and refused batches, read from Redis; undefined for an unknown id. */
export async function campaignStatus(connection: RedisConnection, campaignId: string, options: StatusOptions = {}): Promise<CampaignStatus | undefined> {
  const { redis, release } = openRedis(connection);
  try {
    return await readStatus(new RedisJournal(redis, options.prefix ?? DEFAULT_PREFIX), campaignId);
  } finally {
    await release();
  }
}

async function readStatus(journal: RedisJournal, campaignId: string): Promise<CampaignStatus | undefined> {
  const meta = await journal.meta(campaignId);
  if (!meta) return undefined;
  const [outcomes, begun, counts] = await Promise.all([journal.outcomes(campaignId), journal.begunUnsettled(campaignId), journal.counts(campaignId)]);
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
    done: pending.batches === 0,
  };
}

/** One entry of a campaign's event stream. */
export type CampaignEvent =
  | { id: string; type: 'begin'; index: number; state: 'fresh' | 'resumed' }
  | { id: string; type: 'outcome'; index: number; outcome: BatchOutcome['outcome']; count: number };

function parseEvent(id: string, fields: string[]): CampaignEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (f.type === 'begin') return { id, type: 'begin', index: Number(f.index), state: f.state as 'fresh' | 'resumed' };
  return { id, type: 'outcome', index: Number(f.index), outcome: f.outcome as BatchOutcome['outcome'], count: Number(f.count) };
}

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
  const { redis, release } = openRedis(connection);
  // XREAD BLOCK holds its connection, so it gets one of its own.
  const reader: Redis = redis.duplicate();
  const journal = new RedisJournal(redis, options.prefix ?? DEFAULT_PREFIX);
  const key = campaignKeys(options.prefix ?? DEFAULT_PREFIX, campaignId).events;
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
        const status = await readStatus(journal, campaignId);
        if (status?.done) return;
      }
    }
  } finally {
    reader.disconnect();
    await release();
  }
}
