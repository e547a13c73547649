import type { AttemptOutcome, FailoverAttempt, RecipientMessage, RecipientTry } from '@msgkit/core';
import { JournalMismatchError } from '@msgkit/core';
import type { Redis } from 'ioredis';
import { deliveryKeys } from './dlrKeys';
import { campaignKeys } from './names';
import { ATTEMPT_BEGIN, ATTEMPT_SETTLE, BEGIN, CLEAR, RECORD, REGISTER } from './scripts';

/** One recipient the vendor (or, in a chain, every vendor it reached) did not send, inside a batch that has other outcomes. */
export interface RecipientRefused {
  to: string;
  /** The vendor's per-recipient status (`NO COVERAGE`) or the code of the last refusal in a chain. */
  code: string;
  /** The vendor that refused it last. */
  sender?: string;
  reason?: string;
}

/**
 * What became of one recipient, kept per number for chain campaigns and for recipients a vendor
 * refused one by one inside an accepted batch: every vendor tried, how each ended, which one sent.
 */
export interface RecipientRecord {
  to: string;
  batch: number;
  status: 'sent' | 'refused' | 'unknown';
  /** The vendor that sent it. */
  sentBy?: string;
  /** The vendor's message id, or its id for the request. */
  id?: string;
  /** Why it is not sent, when it is not. */
  code?: string;
  /** Every attempt at it, in order (core's RecipientTry: sender, outcome, failover class, codes). */
  tried: RecipientTry[];
}

/** Recipients counted per outcome and per sending vendor (`sent@smscx`), when a batch's recipients did not all end alike. */
export type RecipientTally = Record<string, number>;

/** What became of one batch (the same three outcomes as the file-based campaign journal). */
export type BatchOutcome =
  /** The vendor accepted it: its id(s) for what it accepted. `duplicate`: the vendor said it already had this dedupe key. */
  | {
      outcome: 'sent';
      index: number;
      count: number;
      ids: string[];
      duplicate?: boolean;
      /**
       * `ticket_unknown`: the answer gave no message id and the vendor's reports reach only its
       * account URL, so they cannot be placed on this batch. Octopush answers a resend whose
       * request_id it has already accepted with code 120 and no ticket, and documents no lookup of
       * a ticket by request_id: the first attempt's reports stay kept, then age out, and its
       * recipients stay pending.
       */
      reports?: 'ticket_unknown';
      /**
       * With `reports`, on a chain's batch: how many of its recipients stand sent by the attempt that
       * answered no id (the others were sent by another vendor, refused, or moved on). Absent on a
       * single sender's batch (the whole batch) and on records written before it.
       */
      unplaceable?: number;
      /** The vendor's message id per recipient, where its answer gave them: they place the reports that name only a message (SMS.CX). */
      messages?: RecipientMessage[];
      /** Recipients the vendor refused one by one in its answer (SentBatch.refused), or no vendor of a chain sent: not sent. */
      refused?: RecipientRefused[];
      /** Recipients sent per vendor, for a chain. */
      sentBy?: Record<string, number>;
      /** How the recipients were counted, when they did not all end `sent` or a chain sent them. */
      tally?: RecipientTally;
      at: string;
    }
  /** The vendor (or msgkit, before the wire) refused it and did not act: nothing was sent. */
  | { outcome: 'refused'; index: number; count: number; code: string; message: string; status?: number; vendorCode?: string | number; recipients: string[]; at: string }
  /**
   * It may or may not have been sent: the answer was lost, a worker died mid-send, or Redis lost
   * the record of it (`state_lost`: restarted without an AOF). Never resent automatically where the
   * vendor cannot deduplicate; `recipients` are the ones to check.
   */
  | {
      outcome: 'unknown';
      index: number;
      count: number;
      reason: 'interrupted' | 'outcome_unknown' | 'attempts_exhausted' | 'state_lost';
      code?: string;
      message?: string;
      dedupeKey?: string;
      /** The recipients to check: in a chain, only those whose attempt is unknown (the vendor is in `sentBy`'s keys or their record). */
      recipients: string[];
      /** In a chain: recipients refused by every vendor it reached (nothing sent). */
      refused?: RecipientRefused[];
      /** In a chain: recipients sent per vendor. */
      sentBy?: Record<string, number>;
      tally?: RecipientTally;
      at: string;
    };

export type OutcomeKind = BatchOutcome['outcome'];

/** What a campaign was enqueued with, kept in Redis: provider, account, queue, batches, recipients, batch size and a fingerprint of its content. */
export interface CampaignMeta {
  campaignId: string;
  provider: string;
  account: string;
  queue: string;
  batches: number;
  recipients: number;
  batchSize: number;
  fingerprint: string;
  createdAt: string;
  /** A chain campaign's senders, in order (`provider` is their joined name). */
  chain?: string[];
  /** A personalized campaign: its template's digest and the SMS parts of every recipient's own text. */
  personalized?: { template: string; segments: { total: number; min: number; max: number } };
}

/** Redis restarted under a campaign and may have forgotten writes (see BEGIN in scripts.ts). */
export interface StateLost {
  /** When a worker found it. */
  at: string;
  /** The Redis process (run_id) that last wrote the campaign's state, or under which a worker saw it. */
  previousRun: string;
  /** The Redis process that found the loss. */
  run: string;
}

/** A Redis process (its run_id) and whether it writes an append-only file: what a worker remembers of a campaign. */
export interface SeenUnder {
  run: string;
  aof: boolean;
  /** The campaign's content digest as the worker saw it. */
  digest: string;
}

export interface BeginOptions {
  /** Refuse to mark anything on a Redis that writes no append-only file. */
  requireAof?: boolean;
  /** The calling worker's memory of this campaign: proof that state existed before a restart. */
  seen?: SeenUnder;
  /** The job's content digest ('' for a job enqueued without one). */
  digest?: string;
}

export type BeginResult = { server: { run: string; aof: boolean } } & (
  | { state: 'fresh' | 'resumed' | 'lost' | 'not_durable' }
  | { state: 'done'; outcome: BatchOutcome }
  | { state: 'mismatch'; campaignDigest: string }
  | { state: 'reused'; lost: StateLost & { digest: string } }
);

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

  /** Writes the campaign's description and digest once; answers the one already stored when there is one. */
  async register(meta: CampaignMeta): Promise<{ created: boolean; meta: CampaignMeta }> {
    const k = this.keys(meta.campaignId);
    const [created, json] = (await this.#redis.eval(REGISTER, 2, k.meta, k.lineage, JSON.stringify(meta), meta.fingerprint)) as [number, string];
    return { created: created === 1, meta: JSON.parse(json) as CampaignMeta };
  }

  /** The loss a worker found under this campaign, if any. */
  async stateLost(campaignId: string): Promise<StateLost | undefined> {
    const json = await this.#redis.hget(this.keys(campaignId).lineage, 'lost');
    if (json === null) return undefined;
    const { at, previousRun, run } = JSON.parse(json) as StateLost;
    return { at, previousRun, run };
  }

  async meta(campaignId: string): Promise<CampaignMeta | undefined> {
    const json = await this.#redis.hget(this.keys(campaignId).meta, 'json');
    return json === null ? undefined : (JSON.parse(json) as CampaignMeta);
  }

  /** Marks the batch as begun before its request leaves, atomically, and says what was there. */
  async begin(campaignId: string, index: number, token: string, options: BeginOptions = {}): Promise<BeginResult> {
    const k = this.keys(campaignId);
    const { seen } = options;
    const [state, run, aof, value] = (await this.#redis.eval(
      BEGIN,
      6,
      k.begin,
      k.outcome,
      k.events,
      k.lineage,
      k.meta,
      // When the request that may reach the vendor began (reconcile bounds its lookups by it), set with the marker; lost with Redis, it is unknown, never guessed.
      deliveryKeys(this.#prefix, campaignId).sentAt,
      String(index),
      token,
      options.requireAof ? '1' : '0',
      seen?.run ?? '',
      seen?.aof ? '1' : '0',
      seen?.digest ?? '',
      options.digest ?? '',
      new Date().toISOString(),
    )) as [string, string, string, string];
    const server = { run, aof: aof === '1' };
    if (state === 'done') return { server, state, outcome: JSON.parse(value) as BatchOutcome };
    if (state === 'mismatch') return { server, state, campaignDigest: value };
    if (state === 'reused') return { server, state, lost: JSON.parse(value) as StateLost & { digest: string } };
    return { server, state: state as 'fresh' | 'resumed' | 'lost' | 'not_durable' };
  }

  /** Forgets this attempt's begin marker: it provably never reached the vendor. */
  async clear(campaignId: string, index: number, token: string): Promise<void> {
    const k = this.keys(campaignId);
    await this.#redis.eval(CLEAR, 2, k.begin, k.outcome, String(index), token);
  }

  /**
   * Records the batch's outcome; the stored one stands when there is one (see RECORD). `digest`:
   * the job's content digest, so that a job of an earlier campaign under the same id records nothing.
   */
  async record(campaignId: string, outcome: BatchOutcome, digest = '', recipients: readonly RecipientRecord[] = []): Promise<BatchOutcome> {
    const k = this.keys(campaignId);
    const [, stored] = (await this.#redis.eval(
      RECORD,
      6,
      k.outcome,
      k.counts,
      k.events,
      k.lineage,
      k.meta,
      k.recipients,
      String(outcome.index),
      outcome.outcome,
      JSON.stringify(outcome),
      String(outcome.count),
      digest,
      'tally' in outcome && outcome.tally ? JSON.stringify(outcome.tally) : '',
      ...recipients.flatMap((r) => [r.to, JSON.stringify(r)]),
    )) as [number, string];
    return stored === '' ? outcome : (JSON.parse(stored) as BatchOutcome);
  }

  /** A chain batch's attempts, oldest first (each with its outcome once settled). */
  async attempts(campaignId: string, index: number): Promise<FailoverAttempt[]> {
    const key = this.keys(campaignId).attempts;
    const n = Number((await this.#redis.hget(key, String(index))) ?? '0');
    if (n === 0) return [];
    const fields = Array.from({ length: n }, (_, i) => [`${index}:${i}`, `${index}:${i}:o`]).flat();
    const values = await this.#redis.hmget(key, ...fields);
    return Array.from({ length: n }, (_, i) => {
      const attempt = JSON.parse(values[2 * i]!) as FailoverAttempt;
      const outcome = values[2 * i + 1];
      return outcome ? { ...attempt, outcome: JSON.parse(outcome) as AttemptOutcome } : attempt;
    });
  }

  /** Records a chain attempt before it is sent, only as the batch's next one (another worker may have taken the batch). */
  async beginAttempt(campaignId: string, attempt: Omit<FailoverAttempt, 'outcome'> & { at?: string }): Promise<void> {
    const written = await this.#redis.eval(ATTEMPT_BEGIN, 1, this.keys(campaignId).attempts, String(attempt.batch), String(attempt.attempt), JSON.stringify(attempt), attempt.resendOf === undefined ? '' : String(attempt.resendOf));
    if (written !== 1) {
      throw new JournalMismatchError(['attempts'], `batch ${attempt.batch} of ${campaignId}: attempt ${attempt.attempt} was recorded by another worker; this one sends nothing more of it`);
    }
  }

  async settleAttempt(campaignId: string, batch: number, attempt: number, outcome: AttemptOutcome): Promise<void> {
    await this.#redis.eval(ATTEMPT_SETTLE, 1, this.keys(campaignId).attempts, String(batch), String(attempt), JSON.stringify(outcome));
  }

  /** What became of each recipient the campaign keeps a record of (chain campaigns: all of them), by number. */
  async recipients(campaignId: string): Promise<RecipientRecord[]> {
    const all = await this.#redis.hgetall(this.keys(campaignId).recipients);
    return Object.values(all)
      .map((json) => JSON.parse(json) as RecipientRecord)
      .sort((a, b) => a.batch - b.batch || (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  }

  /** The records of `tos`, by number (those without one are absent). */
  async recipientsOf(campaignId: string, tos: readonly string[]): Promise<Map<string, RecipientRecord>> {
    if (tos.length === 0) return new Map();
    const values = await this.#redis.hmget(this.keys(campaignId).recipients, ...tos);
    const out = new Map<string, RecipientRecord>();
    values.forEach((json, i) => json !== null && out.set(tos[i]!, JSON.parse(json) as RecipientRecord));
    return out;
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
