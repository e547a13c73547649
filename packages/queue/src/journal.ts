import type { Redis } from 'ioredis';
import { campaignKeys, type ProviderName } from './names';
import { BEGIN, CLEAR, RECORD } from './scripts';

/** What became of one batch (the same three outcomes as the file-based campaign journal). */
export type BatchOutcome =
  /** The vendor accepted it: its id(s) for what it accepted. `duplicate`: the vendor said it already had this dedupe key. */
  | { outcome: 'sent'; index: number; count: number; ids: string[]; duplicate?: boolean; at: string }
  /** The vendor (or msgkit, before the wire) refused it and did not act: nothing was sent. */
  | { outcome: 'refused'; index: number; count: number; code: string; message: string; status?: number; vendorCode?: string | number; recipients: string[]; at: string }
  /**
   * It may or may not have been sent: the answer was lost, or a worker died mid-send. Never resent
   * automatically where the vendor cannot deduplicate; `recipients` are the ones to check.
   */
  | { outcome: 'unknown'; index: number; count: number; reason: 'interrupted' | 'outcome_unknown' | 'attempts_exhausted'; code?: string; message?: string; dedupeKey?: string; recipients: string[]; at: string };

export type OutcomeKind = BatchOutcome['outcome'];

export interface CampaignMeta {
  campaignId: string;
  provider: ProviderName;
  account: string;
  queue: string;
  batches: number;
  recipients: number;
  batchSize: number;
  fingerprint: string;
  createdAt: string;
}

export type BeginResult = { state: 'fresh' } | { state: 'resumed' } | { state: 'done'; outcome: BatchOutcome };

/** The campaign's record in Redis, shared by the producer, every worker and `campaignStatus`. */
export class RedisJournal {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  keys(campaignId: string) {
    return campaignKeys(this.#prefix, campaignId);
  }

  /** Writes the campaign's description once; answers the one already stored when there is one. */
  async register(meta: CampaignMeta): Promise<{ created: boolean; meta: CampaignMeta }> {
    const key = this.keys(meta.campaignId).meta;
    const created = (await this.#redis.hsetnx(key, 'json', JSON.stringify(meta))) === 1;
    if (created) return { created, meta };
    return { created, meta: JSON.parse((await this.#redis.hget(key, 'json'))!) as CampaignMeta };
  }

  async meta(campaignId: string): Promise<CampaignMeta | undefined> {
    const json = await this.#redis.hget(this.keys(campaignId).meta, 'json');
    return json === null ? undefined : (JSON.parse(json) as CampaignMeta);
  }

  /** Marks the batch as begun before its request leaves, atomically, and says what was there. */
  async begin(campaignId: string, index: number, token: string): Promise<BeginResult> {
    const k = this.keys(campaignId);
    const [state, value] = (await this.#redis.eval(BEGIN, 3, k.begin, k.outcome, k.events, String(index), token)) as [string, string];
    if (state === 'done') return { state, outcome: JSON.parse(value) as BatchOutcome };
    return { state: state as 'fresh' | 'resumed' };
  }

  /** Forgets this attempt's begin marker: it provably never reached the vendor. */
  async clear(campaignId: string, index: number, token: string): Promise<void> {
    const k = this.keys(campaignId);
    await this.#redis.eval(CLEAR, 2, k.begin, k.outcome, String(index), token);
  }

  /** Records the batch's outcome; the stored one stands when there is one (see RECORD). */
  async record(campaignId: string, outcome: BatchOutcome): Promise<BatchOutcome> {
    const k = this.keys(campaignId);
    const [, stored] = (await this.#redis.eval(RECORD, 3, k.outcome, k.counts, k.events, String(outcome.index), outcome.outcome, JSON.stringify(outcome), String(outcome.count))) as [
      number,
      string,
    ];
    return JSON.parse(stored) as BatchOutcome;
  }

  async outcome(campaignId: string, index: number): Promise<BatchOutcome | undefined> {
    const json = await this.#redis.hget(this.keys(campaignId).outcome, String(index));
    return json === null ? undefined : (JSON.parse(json) as BatchOutcome);
  }

  async outcomes(campaignId: string): Promise<BatchOutcome[]> {
    const all = await this.#redis.hgetall(this.keys(campaignId).outcome);
    return Object.values(all)
      .map((json) => JSON.parse(json) as BatchOutcome)
      .sort((a, b) => a.index - b.index);
  }

  /** Indexes of batches begun and not (yet) settled: in flight, or left by a dead worker. */
  async begunUnsettled(campaignId: string): Promise<number[]> {
    const k = this.keys(campaignId);
    const [begun, settled] = await Promise.all([this.#redis.hkeys(k.begin), this.#redis.hkeys(k.outcome)]);
    const done = new Set(settled);
    return begun
      .filter((i) => !done.has(i))
      .map(Number)
      .sort((a, b) => a - b);
  }

  async counts(campaignId: string): Promise<Record<string, number>> {
    const raw = await this.#redis.hgetall(this.keys(campaignId).counts);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }
}
