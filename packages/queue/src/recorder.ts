/**
 * Delivery reports into the queue's Redis: the `record` of a webhook handler (`createWebhookHandler`
 * of @msgkit/webhooks), so a report is answered 200 only once Redis holds it. A report is placed by
 * the campaign and batch its callback URL's token names (or the reference `msgkit:<campaign>:<batch>`
 * the vendor echoes, for Infobip's account webhook), and its recipient by the number it names, else
 * by its message id in the batch's recorded answer (SMS.CX reports name only the message). A report
 * that reached a vendor's account URL (Octopush: a token naming no campaign) is placed by the
 * campaign and batch the worker indexed its message id under (vendorIds.ts), else kept and counted. A report
 * that overtook the send's answer is kept aside in Redis and placed by `flush` once the answer is there.
 */
import { ValidationError, type DeliveryEvent, type ValidationIssue } from '@msgkit/core';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from '@msgkit/core/internal';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseReference } from './callbacks';
import { holderOf } from './chain';
import { connectRedis, redisAddress, type RedisConnection } from './connection';
import { DeliveryRecords } from './deliveries';
import { unplacedCampaignsKey } from './dlrKeys';
import { checkDurability, type DurabilityWords, type PersistenceFound } from './durability';
import type { RedisNotDurableError, RedisPersistence } from './errors';
import { RedisJournal, type CampaignMeta } from './journal';
import { batchJobId, DEFAULT_PREFIX } from './names';
import type { BatchJobData } from './producer';
import { DEFAULT_AGED_OUT_CAP, DEFAULT_KEPT_PER_FLUSH, DEFAULT_KEPT_WINDOW_MS, VendorIds, type IdPlace } from './vendorIds';

/** A report that cannot belong to any campaign this Redis holds: its receiver answers 500, and the vendor sends it again. */
export class UnplacedReportError extends Error {
  override name = 'UnplacedReportError';
  readonly code = 'report_unplaced';
}

/** Options of {@link createDeliveryRecorder}: the queue's Redis and key prefix. */
export interface DeliveryRecorderOptions {
  connection: RedisConnection;
  /** The key prefix the campaigns were enqueued with (default `msgkit`). */
  prefix?: string;
  connectTimeoutMs?: number;
  /**
   * What Redis must promise before a report is answered 200 (a vendor does not resend a report it
   * got 200 for, so one Redis forgets is lost): the workers' options and RedisNotDurableError.
   * - `require-aof` (default): CONFIG GET must show `appendonly yes` with `appendfsync everysec` or
   *   `always`, at start and again whenever the connection comes back (a restarted Redis); until
   *   that check passes no report is written, and each is refused (the receiver answers 500 and the
   *   vendor sends it again). `everysec` can still lose the reports of about the last second (up to
   *   2 s when the disk stalls) to a crash of the machine or a power cut; a crash of Redis alone
   *   loses none. `always` loses none.
   * - `trust-aof`: for a Redis whose CONFIG is disabled that you know writes such a file; refused
   *   only if INFO says `aof_enabled:0`.
   * - `accept-loss`: any Redis. A restart without an append-only file loses every report since the
   *   last snapshot; `msgkit reconcile` asks the vendors again where they can be asked (not Octopush).
   * A `CONFIG SET appendonly no` on a running Redis is seen at the next reconnection, not before.
   */
  redisPersistence?: RedisPersistence;
  /** Called when Redis came back from a reconnection not durable enough: every report is refused until a later reconnection passes. */
  onNotDurable?: (error: RedisNotDurableError) => void;
  /**
   * Reports on a vendor's account URL (Octopush) whose ticket no batch indexed are kept; a ticket
   * still unknown this long (ms) after its first kept report moves its reports to the aged-out
   * record (counted; the newest `agedOutCap` kept for proof). Default DEFAULT_KEPT_WINDOW_MS, 24 h:
   * Octopush's request_id lifetime, far above the time between Octopush accepting a send and the
   * worker indexing its ticket (see vendorIds.ts). At least `sendTimeoutMs`: a shorter window could
   * move aside the reports of a ticket whose send's answer is still on its way (ValidationError,
   * issue code `kept_window_too_short`).
   */
  keptWindowMs?: number;
  /**
   * The longest one send request of the workers whose tickets this recorder waits for may take:
   * their senders' `timeoutMs` (core's HTTP policy; default DEFAULT_TIMEOUT_MS, 30 s). Octopush
   * accepts a send before its answer leaves, and the worker indexes the ticket once that answer is
   * read, so a ticket is indexed at most this long after its reports can start arriving (a lost
   * answer is never indexed: the resend meets code 120). It is the least `keptWindowMs` allowed.
   * A whole number of milliseconds, 1 to MAX_TIMEOUT_MS (issue code `invalid_send_timeout`).
   */
  sendTimeoutMs?: number;
  /** How many aged-out reports Redis keeps for proof, the newest (default DEFAULT_AGED_OUT_CAP, 10 000); the count counts them all. */
  agedOutCap?: number;
  /** Tickets one flush examines, as newly indexed and as old enough to age out, each (default DEFAULT_KEPT_PER_FLUSH, 100): a flush's work does not grow with the kept reports. */
  keptPerFlush?: number;
  /** The clock of the kept reports' window (ms since the epoch; default Date.now). */
  now?: () => number;
}

/** How a recorder treats the reports kept on an account URL: printed by `msgkit webhooks serve --redis` when it starts. */
export interface KeptSettings {
  keptWindowMs: number;
  /** The least window allowed: one send request's timeout (DeliveryRecorderOptions.sendTimeoutMs). */
  sendTimeoutMs: number;
  agedOutCap: number;
  keptPerFlush: number;
}

/** What the recorder found of Redis's persistence when it started: the mode, and what CONFIG (or INFO) said. */
export interface RecorderPersistence extends PersistenceFound {
  mode: RedisPersistence;
}

/** What {@link createDeliveryRecorder} returns: hand `record` to `createWebhookHandler`. */
export interface DeliveryRecorder {
  /** Redis's persistence as checked at start (see DeliveryRecorderOptions.redisPersistence): say what a crash can lose. */
  readonly persistence: RecorderPersistence;
  /** The window, cap and per-flush bound of the reports kept on an account URL, as given or defaulted. */
  readonly kept: KeptSettings;
  /** Reports kept on an account URL now, and how many ever aged out (or could not be placed in their ticket's batch). */
  keptCounts(): Promise<{ kept: number; agedOut: number }>;
  /**
   * Records a callback's reports in their recipients' records; resolves once Redis has them. Throws
   * UnplacedReportError for a report of a campaign or batch Redis does not hold, or of a number
   * that is not in its batch.
   */
  record(batch: { events: readonly DeliveryEvent[]; claims?: { campaign?: string } }): Promise<void>;
  /**
   * Places the reports kept aside whose send's answer is recorded now, and those of an account URL
   * whose message id a worker has indexed since (up to `keptPerFlush` tickets); ages out up to
   * `keptPerFlush` tickets still unknown after `keptWindowMs`; resolves with how many still wait.
   */
  flush(): Promise<number>;
  /** Closes the recorder's Redis connection (a connection passed in stays open). */
  close(): Promise<void>;
}

const digits = (to: string) => to.replace(/\D/g, '');

interface BatchFacts {
  byDigits: Map<string, string>;
  /** Message id → recipient, from the batch's `sent` outcome (absent until it is recorded); in a chain, keyed `<vendor>\0<id>`. */
  byMessage?: Map<string, string>;
  /** A chain batch's recipients → the vendor whose reports decide them (see holderOf), once its outcome is recorded. */
  holders?: Map<string, string>;
}

/** Finds the recipient of a report in the queue's records. */
export class Placement {
  readonly #metas = new Map<string, CampaignMeta>();
  readonly #batches = new Map<string, BatchFacts>();
  readonly #queues = new Map<string, Queue<BatchJobData>>();
  readonly journal: RedisJournal;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.journal = new RedisJournal(redis, prefix);
  }

  async meta(campaignId: string): Promise<CampaignMeta> {
    let meta = this.#metas.get(campaignId);
    if (!meta) {
      meta = await this.journal.meta(campaignId);
      if (!meta) throw new UnplacedReportError(`a report of campaign ${campaignId}, which this Redis does not hold (prefix ${this.prefix})`);
      this.#metas.set(campaignId, meta);
    }
    return meta;
  }

  /** The batch's recipients (from its job) and, once its answer is recorded, its message ids. */
  async batch(campaignId: string, index: number, fresh = false): Promise<BatchFacts> {
    const key = `${campaignId}\u0000${index}`;
    let facts = this.#batches.get(key);
    if (!facts) {
      const meta = await this.meta(campaignId);
      const data = await this.jobData(meta, index);
      if (!data) throw new UnplacedReportError(`a report of batch ${index} of campaign ${campaignId}, which has no such batch`);
      facts = { byDigits: new Map(data.recipients.map((to) => [digits(to), to])) };
      this.#batches.set(key, facts);
    }
    if (!facts.byMessage || fresh) {
      const meta = await this.meta(campaignId);
      const outcome = await this.journal.outcome(campaignId, index);
      if (meta.chain && outcome) {
        // A chain's outcome names no recipient's vendor: each recipient's record does.
        const records = await this.journal.recipientsOf(campaignId, [...facts.byDigits.values()]);
        facts.holders = new Map([...records].map(([to, r]) => [to, holderOf(r)]));
        facts.byMessage = new Map([...records.values()].flatMap((r) => (r.status === 'sent' && r.id !== undefined ? [[`${r.sentBy}\u0000${r.id}`, r.to] as [string, string]] : [])));
      } else if (outcome?.outcome === 'sent') facts.byMessage = new Map((outcome.messages ?? []).map((m) => [m.id, m.to]));
    }
    return facts;
  }

  async jobData(meta: CampaignMeta, index: number): Promise<BatchJobData | undefined> {
    let queue = this.#queues.get(meta.queue);
    if (!queue) this.#queues.set(meta.queue, (queue = new Queue<BatchJobData>(meta.queue, { connection: this.redis, prefix: this.prefix })));
    return (await queue.getJob(batchJobId(meta.campaignId, index)))?.data;
  }

  /**
   * Campaign, batch and recipient of a report; recipient undefined while the send's answer is not
   * recorded (in a chain: while the batch's outcome is not, since it names the vendor that holds
   * each recipient). `holder`: a chain recipient's vendor whose reports decide its state.
   */
  async place(event: DeliveryEvent, fresh = false): Promise<{ campaign: string; batch: number; to?: string; holder?: string }> {
    const echoed = parseReference(event.echo);
    const campaign = event.reference?.campaign ?? echoed?.campaign;
    const batch = event.reference?.batch ?? echoed?.batch;
    if (campaign === undefined || batch === undefined) throw new UnplacedReportError(`a ${event.vendor} report (message ${event.messageId}) names no campaign and batch: neither a signed callback URL nor an echoed reference`);
    const facts = await this.batch(campaign, batch, fresh);
    const number = event.reference?.recipient ?? event.to;
    if ((await this.meta(campaign)).chain) {
      let now = facts;
      if (!now.holders) now = await this.batch(campaign, batch, true);
      if (!now.holders) return { campaign, batch };
      const to = number !== undefined ? now.byDigits.get(digits(number)) : now.byMessage?.get(`${event.vendor}\u0000${event.messageId}`);
      if (number !== undefined && to === undefined) throw new UnplacedReportError(`a report of campaign ${campaign} batch ${batch} for a number that is not in the batch`);
      // A message id no vendor of the batch gave: a vendor that refused it cannot name it, so it is kept aside, as a report that overtook its answer.
      if (to === undefined) return { campaign, batch };
      return { campaign, batch, to, holder: now.holders.get(to) ?? '' };
    }
    if (number !== undefined) {
      const to = facts.byDigits.get(digits(number));
      if (to === undefined) throw new UnplacedReportError(`a report of campaign ${campaign} batch ${batch} for a number that is not in the batch`);
      return { campaign, batch, to };
    }
    let to = facts.byMessage?.get(event.messageId);
    if (to === undefined) to = (await this.batch(campaign, batch, true)).byMessage?.get(event.messageId);
    return { campaign, batch, ...(to !== undefined && { to }) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}

/** Applies `event` to its recipient's record, or keeps it aside until the send's answer names the recipient. */
async function recordOne(placement: Placement, redis: Redis, prefix: string, event: DeliveryEvent): Promise<void> {
  const at = await placement.place(event);
  const records = new DeliveryRecords(redis, prefix, at.campaign);
  if (at.to === undefined) return records.park(prefix, at.batch, event);
  // A chain recipient no vendor holds (each refused it): a vendor's report of it changes nothing, its outcome stands.
  if (at.holder === '') return;
  await records.apply(at.to, at.batch, [{ ...event, reference: { ...event.reference, campaign: at.campaign, batch: at.batch, recipient: at.to } }], undefined, at.holder);
}

/** Records a report that reached an account URL in the campaign and batch its send's id was indexed for. */
function recordAt(placement: Placement, redis: Redis, prefix: string, event: DeliveryEvent, at: IdPlace): Promise<void> {
  return recordOne(placement, redis, prefix, { ...event, reference: { ...event.reference, campaign: at.campaign, batch: at.batch } });
}

/** A report of a vendor's account URL: placed by the campaign and batch a worker indexed its message id under, else kept (and counted) until one does. */
async function recordByMessageId(placement: Placement, redis: Redis, prefix: string, ids: VendorIds, event: DeliveryEvent, now: number): Promise<void> {
  const at = await ids.keep(event, now);
  if (at) await recordAt(placement, redis, prefix, event, at);
}

/**
 * One bounded pass over the reports kept on an account URL: places those of up to `perFlush`
 * tickets indexed since they were kept, ages out up to `perFlush` tickets kept `window` ago and
 * still unknown, moves up to `perFlush` reports of an earlier version's single hash; resolves with
 * how many reports stay kept. It reads no kept report of a ticket that is neither indexed nor old.
 */
async function placeKept(placement: Placement, redis: Redis, prefix: string, ids: VendorIds, settings: KeptSettings, now: number): Promise<number> {
  await ids.migrate(now, settings.keptPerFlush);
  for (const ticket of await ids.ready(settings.keptPerFlush)) {
    // Its index expired since it was marked: the reports stay kept and age out.
    if (ticket.place) {
      for (const { digest, event } of ticket.reports) {
        try {
          await recordAt(placement, redis, prefix, event, ticket.place);
        } catch (error) {
          // The batch that sent the ticket does not hold its number (or is gone): it never will. Counted, kept for proof.
          if (!(error instanceof UnplacedReportError)) throw error;
          await ids.unplaceable(ticket.vendor, ticket.id, digest, now, settings.agedOutCap);
          continue;
        }
        await ids.placed(ticket.vendor, ticket.id, digest);
      }
    }
    await ids.done(ticket.member);
  }
  await ids.age(now - settings.keptWindowMs, now, settings.agedOutCap, settings.keptPerFlush);
  return ids.keptCount();
}

/**
 * The durable recording of delivery reports for queue campaigns: see this module's comment. Use
 * it with any server: `createWebhookHandler({ formats, secrets, record: recorder.record })`.
 */
export async function createDeliveryRecorder(options: DeliveryRecorderOptions): Promise<DeliveryRecorder> {
  const kept: KeptSettings = { keptWindowMs: options.keptWindowMs ?? DEFAULT_KEPT_WINDOW_MS, sendTimeoutMs: options.sendTimeoutMs ?? DEFAULT_TIMEOUT_MS, agedOutCap: options.agedOutCap ?? DEFAULT_AGED_OUT_CAP, keptPerFlush: options.keptPerFlush ?? DEFAULT_KEPT_PER_FLUSH };
  const issues: ValidationIssue[] = [];
  const timeoutOk = Number.isSafeInteger(kept.sendTimeoutMs) && kept.sendTimeoutMs >= 1 && kept.sendTimeoutMs <= MAX_TIMEOUT_MS;
  if (!Number.isFinite(kept.keptWindowMs) || kept.keptWindowMs < 0) issues.push({ path: ['keptWindowMs'], code: 'invalid_kept_window', message: `keptWindowMs must be a number of milliseconds, 0 or more, got ${kept.keptWindowMs}` });
  else if (timeoutOk && kept.keptWindowMs < kept.sendTimeoutMs) {
    issues.push({
      path: ['keptWindowMs'],
      code: 'kept_window_too_short',
      message: `keptWindowMs must be at least one send request's timeout (sendTimeoutMs ${kept.sendTimeoutMs} ms${options.sendTimeoutMs === undefined ? ", core's default" : ''}), got ${kept.keptWindowMs}: a shorter window could move aside the reports of a ticket whose answer is still on its way`,
    });
  }
  if (!timeoutOk) issues.push({ path: ['sendTimeoutMs'], code: 'invalid_send_timeout', message: `sendTimeoutMs must be a whole number of milliseconds, 1 to ${MAX_TIMEOUT_MS}, got ${kept.sendTimeoutMs}` });
  if (!Number.isSafeInteger(kept.agedOutCap) || kept.agedOutCap < 0) issues.push({ path: ['agedOutCap'], code: 'invalid_aged_out_cap', message: `agedOutCap must be a whole number, 0 or more, got ${kept.agedOutCap}` });
  if (!Number.isSafeInteger(kept.keptPerFlush) || kept.keptPerFlush < 1) issues.push({ path: ['keptPerFlush'], code: 'invalid_kept_per_flush', message: `keptPerFlush must be a whole number, 1 or more, got ${kept.keptPerFlush}` });
  if (issues.length > 0) throw new ValidationError(issues);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const mode = options.redisPersistence ?? 'require-aof';
  const address = redisAddress(options.connection);
  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  let found: PersistenceFound;
  try {
    found = await checkDurability(redis, mode, address, RECEIVER_WORDS);
  } catch (error) {
    await release();
    throw error;
  }
  const gate = new DurabilityGate(redis, mode, address, (error) => {
    try {
      options.onNotDurable?.(error);
    } catch {
      // A listener's fault must not decide a report's answer.
    }
  });
  const placement = new Placement(redis, prefix);
  const ids = new VendorIds(redis, prefix);
  const now = options.now ?? Date.now;
  return {
    persistence: { mode, ...found },
    kept,
    keptCounts: async () => ({ kept: await ids.keptCount(), agedOut: await ids.agedOutCount() }),
    record: (batch) =>
      gate.around(async () => {
        // A callback URL whose token names no campaign is a vendor's account URL (Octopush): its reports are placed by message id.
        const account = batch.claims !== undefined && batch.claims.campaign === undefined;
        for (const event of batch.events) {
          if (account && event.reference?.campaign === undefined && parseReference(event.echo) === undefined) await recordByMessageId(placement, redis, prefix, ids, event, now());
          else await recordOne(placement, redis, prefix, event);
        }
      }),
    flush: () => gate.around(async () => (await placeParked(placement, redis, prefix)) + (await placeKept(placement, redis, prefix, ids, kept, now()))),
    async close() {
      gate.close();
      await placement.close();
      await release();
    },
  };
}

const RECEIVER_WORDS: DurabilityWords = {
  loss: 'forget delivery reports already answered 200, and a vendor does not resend a report it got 200 for',
  override: "pass redisPersistence: 'accept-loss' (msgkit webhooks serve --redis-persistence accept-loss) to run anyway; msgkit reconcile then asks the vendors again for what a restart lost, where they can be asked (not Octopush)",
};

/** The connection to Redis is lost or not checked yet since it came back: the report is not taken (answered 500; the vendor sends it again). */
export class RedisReconnectingError extends Error {
  override name = 'RedisReconnectingError';
  readonly code = 'redis_reconnecting';
}

/**
 * Writes go only to a Redis checked durable: every return of the connection (`ready` after a
 * reconnection: perhaps another Redis process, restarted from a snapshot) is checked before a write
 * is let through. While the connection is lost, and for a write the connection dropped under, the
 * report is refused at once (RedisReconnectingError), never held: the vendor sends it again, and a
 * receiver stopping is not kept waiting for a Redis that is gone. A failed check refuses every
 * write (RedisNotDurableError) until a later reconnection passes.
 */
class DurabilityGate {
  /** Settles when the current connection is checked: resolved (durable) or rejected (RedisNotDurableError). */
  #checked: Promise<unknown> = Promise.resolve();
  /** Set from a lost connection until it is back and its check begins. */
  #lost = false;
  /** Bumped on every lost connection. */
  #generation = 0;
  readonly #onClose: () => void;
  readonly #onReady: () => void;

  constructor(
    private readonly redis: Redis,
    mode: RedisPersistence,
    private readonly address: string,
    onNotDurable: (error: RedisNotDurableError) => void,
  ) {
    if (mode === 'accept-loss') {
      this.#onClose = this.#onReady = () => undefined;
      return;
    }
    this.#onClose = () => {
      this.#generation++;
      this.#lost = true;
    };
    this.#onReady = () => {
      if (!this.#lost) return;
      this.#lost = false;
      this.#checked = checkDurability(redis, mode, address, RECEIVER_WORDS);
      this.#checked.catch((error: unknown) => {
        if ((error as { code?: unknown } | null)?.code === 'redis_not_durable') onNotDurable(error as RedisNotDurableError);
      });
    };
    redis.on('close', this.#onClose);
    redis.on('ready', this.#onReady);
  }

  async around<T>(write: () => Promise<T>): Promise<T> {
    if (this.#lost) throw this.#reconnecting();
    await this.#checked;
    const generation = this.#generation;
    const result = await write();
    // The connection dropped while writing: the write may have gone to a Redis not checked yet.
    if (this.#generation !== generation) throw this.#reconnecting();
    return result;
  }

  #reconnecting(): RedisReconnectingError {
    return new RedisReconnectingError(`the connection to Redis at ${this.address} was lost; no report is taken until it is back and its persistence checked`);
  }

  close(): void {
    this.redis.off('close', this.#onClose);
    this.redis.off('ready', this.#onReady);
  }
}

/** Places every parked report whose recipient is known now; resolves with how many still wait. */
export async function placeParked(placement: Placement, redis: Redis, prefix: string, only?: string): Promise<number> {
  const campaigns = only !== undefined ? [only] : await redis.smembers(unplacedCampaignsKey(prefix));
  let waiting = 0;
  for (const campaign of campaigns) {
    const records = new DeliveryRecords(redis, prefix, campaign);
    for (const { digest, batch, event } of await records.unplaced()) {
      const at = await placement.place({ ...event, reference: { ...event.reference, campaign, batch } }, true);
      const to = at.to;
      if (to === undefined) {
        waiting++;
        continue;
      }
      if (at.holder === '') {
        await records.placed(digest);
        continue;
      }
      await records.apply(to, batch, [{ ...event, reference: { ...event.reference, campaign, batch, recipient: to } }], undefined, at.holder);
      await records.placed(digest);
    }
  }
  return waiting;
}
