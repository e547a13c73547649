import { randomUUID } from 'node:crypto';
import { ValidationError, type CampaignSender, type MsgkitError } from '@msgkit/core';
import { Queue, Worker } from 'bullmq';
import { AccountRecord, MAX_RATE_LIMIT_PAUSE_MS } from './account';
import { chainDeliveryCallbacks, deliveryCallbacks, type DeliveryReportOptions } from './callbacks';
import { batchProcessor, dedupeKeyOf, type CampaignWorkerEvent } from './batch';
import { connectRedis, redisAddress, type OwnedRedis, type RedisConnection } from './connection';
import { checkDurability } from './durability';
import type { RedisPersistence } from './errors';
import { RedisJournal, type BatchOutcome } from './journal';
import { chainName, DEFAULT_PREFIX, queueName } from './names';
import type { BatchJobData } from './producer';
import { chainIndexIdsOf, indexIdsOf, VendorIds } from './vendorIds';

/** Options of `createCampaignWorker`: the Redis, the provider client (as an adapter), its account, pace and durability demands. */
export interface CampaignWorkerOptions {
  connection: RedisConnection;
  /**
   * The campaign sender its provider package exports (smscxSender({ apiKey }), octopushSender(…), …): the worker knows no vendor.
   * Give it or `senders`, not both.
   */
  sender?: CampaignSender;
  /**
   * A chain of senders, in order, for campaigns enqueued with the same chain (`enqueueCampaign({ senders })`):
   * each batch goes through core's `sendWithFailover`, every attempt recorded in Redis. A recipient
   * moves to the next vendor only when its attempt is proven not to have acted; an unknown outcome
   * stays where it is. A worker that takes over a batch continues its chain where it stopped.
   */
  senders?: readonly CampaignSender[];
  /** The provider account this worker sends for (its queue); `default` when you have one. */
  account?: string;
  prefix?: string;
  /** Batches in flight at once in this process (default 1). */
  concurrency?: number;
  /**
   * Requests per `duration` ms for this provider account, across every worker of every process
   * (BullMQ's limiter). Unset: no pacing beyond the vendor's own 429s.
   */
  limiter?: { max: number; duration: number };
  /** How long every worker of the account pauses after a 429 that names no delay (default 1 000 ms). */
  rateLimitBackoffMs?: number;
  /** The longest pause a 429 may impose on the account, whatever it asks for (default MAX_RATE_LIMIT_PAUSE_MS, 10 minutes). */
  maxRateLimitPauseMs?: number;
  /** A job's lock, renewed while it runs; a dead worker's jobs are taken over after it lapses (default 30 000 ms). */
  lockDuration?: number;
  /** How often workers look for jobs whose lock lapsed (default 30 000 ms). */
  stalledInterval?: number;
  /** How many times one job may be taken over from a dead worker before it fails (default 5). */
  maxStalledCount?: number;
  /** How long the first connection may take before `ready` rejects with RedisUnavailableError (default 10 000 ms). */
  connectTimeoutMs?: number;
  /**
   * What Redis must promise before a worker sends for a vendor that cannot deduplicate (The SMS
   * Works, Infobip: a batch sent twice is billed and received twice). Vendors that deduplicate are
   * not checked: a batch Redis forgot is resent with the same key.
   * - `require-aof` (default): CONFIG GET must show `appendonly yes` with `appendfsync everysec` or
   *   `always`, when the worker starts and whenever it reconnects; every batch also checks that
   *   Redis still writes its AOF before it is marked begun.
   * - `trust-aof`: for a Redis whose CONFIG command is disabled (managed Redis) that you know writes
   *   such an AOF; refused only if Redis says it writes none (INFO `aof_enabled:0`).
   * - `accept-loss`: run on any Redis. A restart that loses writes is still found where msgkit can
   *   see it (a campaign record written by an earlier Redis process without AOF, or a worker that
   *   saw the campaign before the restart), and then every batch without an outcome is recorded
   *   `unknown`; a Redis that comes back empty under a campaign enqueued again while no worker saw
   *   the restart cannot be seen, and that campaign is sent again.
   */
  redisPersistence?: RedisPersistence;
  /**
   * Ask the vendor to post each batch's delivery reports to this receiver (`msgkit webhooks serve
   * --redis`, or `createDeliveryRecorder` in your own server): a callback URL signed for the vendor,
   * campaign and batch, and where the vendor's field takes it the reference `msgkit:<campaign>:<batch>`.
   * A chain worker signs one per sender (each vendor posts to a URL naming it); a report is then placed
   * only on a recipient that vendor holds (it sent it, or its attempt is unknown).
   * A sender without a callback field per send (Octopush) is refused with a ValidationError, unless
   * `accountUrl` says its account URL reaches the receiver: then each batch's message ids are
   * recorded before its outcome (vendorIds.ts); in a chain, the ids of each of its sent attempts, before
   * that attempt's answer is recorded. Unset: no callback is sent.
   */
  deliveryReports?: DeliveryReportOptions;
  /** Called with what the worker reports beyond outcomes: account paused, rate limited, state lost, stopped. */
  onEvent?: (event: CampaignWorkerEvent) => void;
}

/** A worker from `createCampaignWorker`: wait for `ready` before counting on it, `close()` to stop it. */
export interface CampaignWorker {
  readonly queue: string;
  /**
   * Resolves once Redis answered and (for a vendor that cannot deduplicate) its persistence was
   * checked and the worker takes jobs; rejects with RedisUnavailableError or RedisNotDurableError,
   * and the worker takes nothing. Left unhandled, that rejection ends the process, as it should.
   */
  readonly ready: Promise<void>;
  /** The BullMQ worker, once `ready` resolved. */
  readonly worker: Worker<BatchJobData, BatchOutcome>;
  /** Stops taking jobs, waits for the ones in flight, and closes its Redis connections. */
  close(): Promise<void>;
}

// Without a limiter BullMQ ignores a queue-wide pause, so an unpaced queue gets one no vendor reaches.
const UNPACED = { max: 1_000_000, duration: 1_000 };

/**
 * A BullMQ worker that sends the batches of every campaign on one provider account's queue and
 * records each outcome in Redis. Before a batch's request leaves, a begin marker is set atomically;
 * a job that finds its batch begun and unsettled (or finds that Redis lost its state) was perhaps
 * sent already: where the vendor deduplicates it is resent with the same key, elsewhere it is
 * marked `unknown` and not sent. A 429 pauses the whole queue, capped; a refused credential pauses
 * it until resumeAccount, so every worker of the account stops together.
 */
export function createCampaignWorker(options: CampaignWorkerOptions): CampaignWorker {
  const chain = options.senders;
  if ((chain === undefined) === (options.sender === undefined) || (chain !== undefined && chain.length === 0)) {
    throw new ValidationError([{ path: ['sender'], code: 'sender_required', message: 'give one sender, or a non-empty chain of them as senders, not both' }]);
  }
  const sender = chain ? chain[0]! : options.sender!;
  const provider = chain ? chainName(chain.map((s) => s.name)) : sender.name;
  // One sender that cannot deduplicate is enough for Redis's durability to matter.
  const dedupes = (chain ?? [sender]).every((s) => s.dedupe !== false);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = queueName(provider, options.account ?? 'default');
  const mode = options.redisPersistence ?? 'require-aof';
  const checked = !dedupes && mode !== 'accept-loss';
  const address = redisAddress(options.connection);
  const callbacks = !chain && options.deliveryReports ? deliveryCallbacks(sender, options.deliveryReports) : undefined;
  const chainCallbacks = chain && options.deliveryReports ? chainDeliveryCallbacks(chain, options.deliveryReports) : undefined;
  const emit = (event: CampaignWorkerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's fault must not decide a batch's outcome.
    }
  };
  let owned: OwnedRedis | undefined;
  let queue: Queue | undefined;
  let bull: Worker<BatchJobData, BatchOutcome> | undefined;
  let closing: Promise<void> | undefined;

  const stop = (error: MsgkitError) => {
    if (closing) return;
    emit({ type: 'stopped', queue: name, error });
    void handle.close();
  };

  const ready = (async () => {
    owned = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs, waitThroughReconnects: true });
    const { redis } = owned;
    try {
      if (checked) await checkDurability(redis, mode, address);
    } catch (error) {
      await owned.release();
      throw error;
    }
    if (closing) return;
    if (checked) {
      // A Redis restarted with another configuration is checked again before anything else is sent.
      redis.on('ready', () => void checkDurability(redis, mode, address).catch((error: MsgkitError) => stop(error)));
    }
    const journal = new RedisJournal(redis, prefix);
    queue = new Queue(name, { connection: redis, prefix });
    const processor = batchProcessor({
      sender,
      ...(chain && { chain }),
      name: provider,
      journal,
      account: new AccountRecord(redis, prefix, name),
      queue,
      workerId: randomUUID(),
      requireAof: checked,
      rateLimitBackoffMs: options.rateLimitBackoffMs ?? 1_000,
      maxRateLimitPauseMs: options.maxRateLimitPauseMs ?? MAX_RATE_LIMIT_PAUSE_MS,
      emit,
      ...(callbacks && { callbacks }),
      ...(chainCallbacks && { chainCallbacks }),
      ...(callbacks && sender.callback === false && { indexIds: indexIdsOf(new VendorIds(redis, prefix), sender.name, options.deliveryReports?.ttlSeconds) }),
      ...(chainCallbacks && chain!.some((s) => s.callback === false) && { chainIndexIds: chainIndexIdsOf(new VendorIds(redis, prefix), chain!, options.deliveryReports?.ttlSeconds) }),
      stop,
    });
    bull = new Worker<BatchJobData, BatchOutcome>(name, processor, {
      connection: redis,
      prefix,
      concurrency: options.concurrency ?? 1,
      limiter: options.limiter ?? UNPACED,
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 5,
    });
    // A job taken over from dead workers too often fails without reaching the processor; its batch
    // must still end with an outcome, and with nothing proven it is `unknown`.
    // BullMQ also says `failed` of an attempt it will retry, so only a job that is failed for good counts.
    bull.on('failed', (job, error) => {
      if (!job || job.data.provider !== provider) return;
      const { campaignId, index, recipients } = job.data;
      void job
        .getState()
        .then((state) => {
          if (state !== 'failed') return undefined;
          const outcome: BatchOutcome = {
            outcome: 'unknown',
            index,
            count: recipients.length,
            reason: 'interrupted',
            code: 'job_failed',
            message: error.message,
            ...(dedupes ? { dedupeKey: dedupeKeyOf(job.data) } : {}),
            recipients,
            at: new Date().toISOString(),
          };
          return journal.record(campaignId, outcome, job.data.digest);
        })
        .catch(() => undefined);
    });
    // BullMQ reports connection trouble here; without a listener Node would treat it as fatal.
    bull.on('error', () => undefined);
  })();

  const handle: CampaignWorker = {
    queue: name,
    ready,
    get worker() {
      if (!bull) throw new Error('the campaign worker has not started: await its ready promise first');
      return bull;
    },
    close() {
      closing ??= (async () => {
        await ready.catch(() => undefined);
        await bull?.close();
        await queue?.close();
        await owned?.release();
      })();
      return closing;
    },
  };
  return handle;
}
