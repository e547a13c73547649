/**
 * Reconciliation of a queue campaign: the `ReconcileStore` of @msgkit/webhooks' `reconcile` over
 * the queue's Redis. The batches whose outcome is unknown and the messages without a final state
 * are read from the journal and the delivery records; each answer is kept with its proof (a Redis
 * list) and its verdicts and events go into the recipients' records through the same reduction as
 * reports. A batch's send time is the one its worker wrote before the request left: where Redis
 * lost it, the lookup is made without one, and an absence then proves nothing (`send_time_unknown`).
 */
import { ValidationError, type CampaignSender } from '@msgkit/core';
import { reconcile, type Clock, type PendingMessage, type ReconcileRecord, type ReconcileStore, type ReconcileSummary, type UnknownBatch } from '@msgkit/webhooks';
import type { Redis } from 'ioredis';
import { dedupeKeyOf } from './batch';
import { connectRedis, type RedisConnection } from './connection';
import { DeliveryRecords, standingOf, type DeliveryRecord } from './deliveries';
import { holderOf } from './chain';
import type { BatchOutcome, CampaignMeta, RecipientRecord } from './journal';
import type { FailoverAttempt } from '@msgkit/core';
import { DEFAULT_PREFIX } from './names';
import type { BatchJobData } from './producer';
import { Placement, placeParked } from './recorder';

/** The queue's Redis as a `ReconcileStore` for one campaign: read with `RedisReconcileStore.open`. */
export class RedisReconcileStore implements ReconcileStore {
  private constructor(
    readonly meta: CampaignMeta,
    private readonly records: DeliveryRecords,
    private readonly outcomes: BatchOutcome[],
    private readonly jobs: Map<number, BatchJobData>,
    private readonly sentAt: Map<number, Date>,
    private readonly states: Map<string, DeliveryRecord>,
    /** A chain campaign's recipients, by batch: where each stands, its holder and the attempt that holds it. */
    private readonly chain?: Map<number, ChainRecipient[]>,
  ) {}

  /** Reads the campaign's outcomes, jobs and records (placing first any report kept aside whose answer is recorded now); undefined for an unknown campaign. */
  static async open(redis: Redis, prefix: string, campaignId: string): Promise<RedisReconcileStore | undefined> {
    const placement = new Placement(redis, prefix);
    try {
      const meta = await placement.journal.meta(campaignId);
      if (!meta) return undefined;
      await placeParked(placement, redis, prefix, campaignId);
      const records = new DeliveryRecords(redis, prefix, campaignId);
      const outcomes = await placement.journal.outcomes(campaignId);
      const jobs = new Map<number, BatchJobData>();
      for (const o of outcomes) {
        if (o.outcome === 'refused') continue;
        const data = await placement.jobData(meta, o.index);
        if (data) jobs.set(o.index, data);
      }
      let chain: Map<number, ChainRecipient[]> | undefined;
      if (meta.chain) {
        chain = new Map();
        for (const o of outcomes) {
          const data = jobs.get(o.index);
          if (!data) continue;
          const [recipients, attempts] = await Promise.all([placement.journal.recipientsOf(campaignId, data.recipients), placement.journal.attempts(campaignId, o.index)]);
          chain.set(o.index, chainRecipients([...recipients.values()], attempts));
        }
      }
      return new RedisReconcileStore(meta, records, outcomes, jobs, await records.sentAt(), await records.all(), chain);
    } finally {
      await placement.close();
    }
  }

  /** When batch `index`'s request began; an invalid date where Redis does not hold it. */
  #sentAt(index: number): Date {
    return this.sentAt.get(index) ?? new Date(Number.NaN);
  }

  /** Due once its request began before `before`; a send of unknown time by its outcome's time, and asked about (the lookup then says why it proves nothing). */
  #due(o: BatchOutcome, before: Date): boolean {
    const at = this.sentAt.get(o.index) ?? new Date(o.at);
    return Number.isNaN(at.getTime()) || at < before;
  }

  #dedupeKey(index: number): string {
    const data = this.jobs.get(index);
    return dedupeKeyOf({ campaignId: this.meta.campaignId, index, ...(data?.digest !== undefined ? { digest: data.digest } : { digest: this.meta.fingerprint }) });
  }

  unknownBatches(sender: string, before: Date): UnknownBatch[] {
    if (this.chain) return this.#chainUnknown(sender, before);
    if (sender !== this.meta.provider) return [];
    const out: UnknownBatch[] = [];
    for (const o of this.outcomes) {
      if (o.outcome !== 'unknown' || !this.#due(o, before)) continue;
      // Settled: the vendor was found to hold it, or proved it never sent it.
      const open = o.recipients.filter((to) => {
        const r = this.states.get(to);
        return !r || (r.events.length === 0 && r.verdict?.outcome !== 'not_sent');
      });
      if (open.length === 0) continue;
      const data = this.jobs.get(o.index);
      out.push({
        campaign: this.meta.campaignId,
        batch: o.index,
        sender,
        recipients: open,
        dedupeKey: o.dedupeKey ?? this.#dedupeKey(o.index),
        sentAt: this.#sentAt(o.index),
        ...(data && { message: { text: data.message.text, ...(data.message.from !== undefined && { from: data.message.from }) } }),
      });
    }
    return out;
  }

  pendingMessages(sender: string, before: Date): PendingMessage[] {
    if (this.chain) return this.#chainPending(sender, before);
    if (sender !== this.meta.provider) return [];
    const out: PendingMessage[] = [];
    for (const o of this.outcomes) {
      if (o.outcome === 'refused' || !this.#due(o, before)) continue;
      const recipients = o.outcome === 'unknown' ? o.recipients : (this.jobs.get(o.index)?.recipients ?? []);
      const ids = o.outcome === 'sent' ? new Map((o.messages ?? []).map((m) => [m.to, m.id])) : new Map<string, string>();
      for (const to of recipients) {
        const record = this.states.get(to);
        const standing = record && standingOf(record);
        if (standing?.state === 'delivered' || standing?.state === 'failed') continue;
        // An unknown batch's recipient is a message only once a lookup or a report found it at the vendor.
        if (o.outcome === 'unknown' && !record?.events.length) continue;
        const id = standing?.messageId ?? ids.get(to);
        out.push({
          campaign: this.meta.campaignId,
          batch: o.index,
          sender,
          to,
          ...(id !== undefined && { id }),
          ...(standing?.status !== undefined && { status: standing.status }),
          ...(o.outcome === 'sent' && o.ids.length > 0 && { groupIds: o.ids.filter(Boolean) }),
          dedupeKey: o.outcome === 'unknown' ? (o.dedupeKey ?? this.#dedupeKey(o.index)) : this.#dedupeKey(o.index),
          // A sent batch's answer came after its request began: the answer's time where the begin time is lost.
          sentAt: this.sentAt.get(o.index) ?? (o.outcome === 'sent' ? new Date(o.at) : this.#sentAt(o.index)),
        });
      }
    }
    return out;
  }

  /** A chain recipient not yet found at its vendor: no event of that vendor, no proof it never sent. */
  #open(to: string, holder: string): boolean {
    const r = this.states.get(to);
    return !r || (!r.events.some((e) => e.vendor === holder) && r.verdict?.outcome !== 'not_sent');
  }

  /** A chain's recipients whose attempt at `sender` is unknown, one entry per attempt (its own key and recipients). */
  #chainUnknown(sender: string, before: Date): UnknownBatch[] {
    const out: UnknownBatch[] = [];
    for (const o of this.outcomes) {
      if (o.outcome !== 'unknown' || !this.#due(o, before)) continue;
      const byAttempt = new Map<number, { attempt: FailoverAttempt; recipients: string[] }>();
      for (const r of this.chain!.get(o.index) ?? []) {
        if (r.status !== 'unknown' || r.holder !== sender || !r.attempt || !this.#open(r.to, sender)) continue;
        let group = byAttempt.get(r.attempt.attempt);
        if (!group) byAttempt.set(r.attempt.attempt, (group = { attempt: r.attempt, recipients: [] }));
        group.recipients.push(r.to);
      }
      const data = this.jobs.get(o.index);
      for (const { attempt, recipients } of byAttempt.values()) {
        out.push({
          campaign: this.meta.campaignId,
          batch: o.index,
          attempt: attempt.attempt,
          sender,
          recipients,
          ...(attempt.dedupeKey !== undefined && { dedupeKey: attempt.dedupeKey }),
          sentAt: this.#sentAt(o.index),
          ...(data && { message: { text: data.message.text, ...(data.message.from !== undefined && { from: data.message.from }) } }),
        });
      }
    }
    return out;
  }

  /** A chain's recipients `sender` holds (sent, or found there) without a final state. */
  #chainPending(sender: string, before: Date): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const o of this.outcomes) {
      if (o.outcome === 'refused' || !this.#due(o, before)) continue;
      for (const r of this.chain!.get(o.index) ?? []) {
        if (r.holder !== sender || !r.attempt) continue;
        const record = this.states.get(r.to);
        const standing = record && standingOf(record);
        if (standing?.state === 'delivered' || standing?.state === 'failed') continue;
        if (r.status === 'unknown' && !record?.events.some((e) => e.vendor === sender)) continue;
        const id = standing?.messageId ?? r.id;
        const ids = r.attempt.outcome?.status === 'sent' ? r.attempt.outcome.ids.filter(Boolean) : [];
        out.push({
          campaign: this.meta.campaignId,
          batch: o.index,
          attempt: r.attempt.attempt,
          sender,
          to: r.to,
          ...(id !== undefined && { id }),
          ...(standing?.status !== undefined && { status: standing.status }),
          ...(ids.length > 0 && { groupIds: ids }),
          ...(r.attempt.dedupeKey !== undefined && { dedupeKey: r.attempt.dedupeKey }),
          sentAt: this.sentAt.get(o.index) ?? (o.outcome === 'sent' ? new Date(o.at) : this.#sentAt(o.index)),
        });
      }
    }
    return out;
  }

  /** Keeps the answer with its proof, then puts each verdict (and the event it found) in its recipient's record. */
  async record(entry: ReconcileRecord): Promise<void> {
    await this.records.keepReconcile(entry);
    for (const v of entry.recipients) {
      const verdict = { outcome: v.outcome, ...(v.outcome === 'unknown' && { reason: v.reason }), at: entry.at };
      const events = v.outcome === 'sent' ? [{ ...v.event, reference: { ...v.event.reference, campaign: entry.campaign, batch: entry.batch, recipient: v.to } }] : [];
      // In a chain, the vendor asked is the one that holds the recipient: its answer decides.
      await this.records.apply(v.to, entry.batch, events, verdict, this.chain ? entry.sender : undefined);
      const now = await this.records.get(v.to);
      if (now) this.states.set(v.to, now);
    }
  }
}

/** A chain recipient as reconcile needs it: where it stands, the vendor that holds it and the attempt that does. */
interface ChainRecipient {
  to: string;
  status: RecipientRecord['status'];
  holder: string;
  id?: string;
  attempt?: FailoverAttempt;
}

function chainRecipients(records: RecipientRecord[], attempts: FailoverAttempt[]): ChainRecipient[] {
  return records.map((r) => {
    const holder = holderOf(r);
    const want = r.status === 'sent' ? 'sent' : 'unknown';
    const tried = [...r.tried].reverse().find((t) => t.sender === holder && t.outcome === want);
    const attempt = tried && attempts[tried.attempt];
    return { to: r.to, status: r.status, holder, ...(r.id !== undefined && { id: r.id }), ...(attempt && { attempt }) };
  });
}

/** Options of {@link reconcileCampaign}. */
export interface ReconcileCampaignOptions {
  connection: RedisConnection;
  campaignId: string;
  /** The campaign's sender, with its credentials (it is asked through its `lookup`). Give it or `senders`. */
  sender?: CampaignSender;
  /**
   * A chain campaign's senders, each with its credentials: every vendor of the chain, each asked
   * (at its own pace) about the recipients it holds (it sent them, or its attempt is unknown).
   */
  senders?: readonly CampaignSender[];
  /** How long after a send (ms) it is looked up: a younger one may still get its answer or report. No default. */
  horizonMs: number;
  prefix?: string;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  /** Time for the horizon, the vendor's pace and its absence rules (default the system clock). */
  clock?: Clock;
}

/**
 * `reconcile` of @msgkit/webhooks for a queue campaign: asks the vendor, at its published pace,
 * about every batch of unknown outcome and every message without a final state sent longer than
 * `horizonMs` ago, and records each answer with its proof in Redis. Resolves undefined for a
 * campaign Redis does not hold.
 */
export async function reconcileCampaign(options: ReconcileCampaignOptions): Promise<(ReconcileSummary & { meta: CampaignMeta }) | undefined> {
  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    const store = await RedisReconcileStore.open(redis, options.prefix ?? DEFAULT_PREFIX, options.campaignId);
    if (!store) return undefined;
    const given = options.senders ?? (options.sender ? [options.sender] : []);
    const names = store.meta.chain ?? [store.meta.provider];
    const missing = names.filter((n) => !given.some((s) => s.name === n));
    const extra = given.filter((s) => !names.includes(s.name)).map((s) => s.name);
    if (missing.length > 0 || extra.length > 0 || given.length !== names.length) {
      const sent = store.meta.chain ? `the chain ${names.join(' -> ')}` : names[0];
      throw new ValidationError([{ path: [store.meta.chain ? 'senders' : 'sender'], code: 'wrong_sender', message: `campaign ${options.campaignId} was sent with ${sent}, not ${given.map((s) => s.name).join(', ') || 'no sender'}: give each of its senders once` }]);
    }
    const senders = Object.fromEntries(given.map((s) => [s.name, s]));
    const horizons = Object.fromEntries(names.map((n) => [n, options.horizonMs]));
    const summary = await reconcile({ store, senders, horizons, ...(options.signal && { signal: options.signal }), ...(options.clock && { clock: options.clock }) });
    return { ...summary, meta: store.meta };
  } finally {
    await release();
  }
}
