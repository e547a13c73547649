import { randomUUID } from 'node:crypto';
import { batchDedupeKey, MsgkitError, outcomeOfError, resumeDecision, type MsgkitErrorCode } from '@msgkit/core';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { ProviderAdapter } from './adapters';
import { openRedis, type RedisConnection } from './connection';
import { RedisJournal, type BatchOutcome } from './journal';
import { DEFAULT_PREFIX, queueName } from './names';
import type { BatchJobData } from './producer';

export interface CampaignWorkerOptions {
  connection: RedisConnection;
  /** The provider client, wrapped: smscxAdapter(client), octopushAdapter(client, …), … */
  adapter: ProviderAdapter;
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
  /** A job's lock, renewed while it runs; a dead worker's jobs are taken over after it lapses (default 30 000 ms). */
  lockDuration?: number;
  /** How often workers look for jobs whose lock lapsed (default 30 000 ms). */
  stalledInterval?: number;
  /** How many times one job may be taken over from a dead worker before it fails (default 5). */
  maxStalledCount?: number;
}

export interface CampaignWorker {
  readonly queue: string;
  readonly worker: Worker<BatchJobData, BatchOutcome>;
  /** Stops taking jobs, waits for the ones in flight, and closes its Redis connections. */
  close(): Promise<void>;
}

// Failures that prove the request never reached the vendor and may pass: worth another attempt.
const TRANSIENT: ReadonlySet<MsgkitErrorCode> = new Set(['server_error', 'connection_error', 'timeout', 'rate_limited']);
// Without a limiter BullMQ ignores a queue-wide pause, so an unpaced queue gets one no vendor reaches.
const UNPACED = { max: 1_000_000, duration: 1_000 };

/**
 * A BullMQ worker that sends the batches of every campaign on one provider account's queue and
 * records each outcome in Redis. Before a batch's request leaves, a begin marker is set atomically;
 * a job that finds its batch begun and unsettled was started by a worker that died or lost it:
 * where the vendor deduplicates it is resent with the same key, elsewhere it is marked `unknown`
 * and not sent. A 429 pauses the whole queue, so every worker of the account backs off together.
 */
export function createCampaignWorker(options: CampaignWorkerOptions): CampaignWorker {
  const { adapter } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = queueName(adapter.provider, options.account ?? 'default');
  const { redis, release } = openRedis(options.connection);
  const journal = new RedisJournal(redis, prefix);
  const queue = new Queue(name, { connection: redis, prefix });
  const backoffMs = options.rateLimitBackoffMs ?? 1_000;
  const workerId = randomUUID();

  const settle = (job: Job<BatchJobData>, outcome: BatchOutcome) => journal.record(job.data.campaignId, outcome);

  async function sendBatch(job: Job<BatchJobData>, _token?: string, signal?: AbortSignal): Promise<BatchOutcome> {
    const { campaignId, index, recipients, message, provider } = job.data;
    if (provider !== adapter.provider) throw new UnrecoverableError(`batch for ${provider} on a ${adapter.provider} worker`);
    const attempt = `${workerId}:${job.attemptsStarted}:${randomUUID()}`;
    const at = () => new Date().toISOString();
    const base = { index, count: recipients.length };

    const begun = await journal.begin(campaignId, index, attempt);
    if (begun.state === 'done') return begun.outcome;
    // An earlier attempt began and left no outcome (in flight): core's resume rule, shared with the
    // file journal, resends it only where the vendor deduplicates by key.
    if (begun.state === 'resumed' && resumeDecision({ index, size: recipients.length, digest: '' }, { deduplicates: adapter.dedupes }) === 'skip') {
      return settle(job, { outcome: 'unknown', ...base, reason: 'interrupted', recipients, at: at() });
    }

    const dedupeKey = batchDedupeKey(campaignId, index);
    try {
      const sent = await adapter.send(recipients, message, { dedupeKey, ...(signal ? { signal } : {}) });
      return await settle(job, { outcome: 'sent', ...base, ids: sent.ids, ...(sent.duplicate ? { duplicate: true } : {}), at: at() });
    } catch (error) {
      const known = error instanceof MsgkitError ? error : undefined;
      // Core's rule, shared with the file journal: refused only when the error proves nothing was sent.
      const outcomeUnknown = outcomeOfError(error).status === 'unknown';
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // A foreign error's message may hold anything, a secret too: only its name is kept.
      const detail = known ? { code: known.code, message: known.message } : { code: 'internal', message: error instanceof Error ? error.name : 'non-error thrown' };

      if (known?.code === 'rate_limited' && (!outcomeUnknown || adapter.dedupes)) {
        if (!outcomeUnknown) await journal.clear(campaignId, index, attempt);
        const retryAfterMs = (known as { retryAfterMs?: number }).retryAfterMs;
        await queue.rateLimit(retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : backoffMs);
        throw Worker.RateLimitError();
      }
      if (!outcomeUnknown) {
        await journal.clear(campaignId, index, attempt);
        if (known && TRANSIENT.has(known.code) && !lastAttempt) throw error;
        const refused = known as (MsgkitError & { status?: number; vendorCode?: string | number }) | undefined;
        return settle(job, {
          outcome: 'refused',
          ...base,
          ...detail,
          ...(refused?.status !== undefined ? { status: refused.status } : {}),
          ...(refused?.vendorCode !== undefined ? { vendorCode: refused.vendorCode } : {}),
          recipients,
          at: at(),
        });
      }
      // The vendor drops a repeat of this key: the next attempt resends it, safely.
      if (adapter.dedupes && !lastAttempt) throw error;
      return settle(job, {
        outcome: 'unknown',
        ...base,
        reason: adapter.dedupes ? 'attempts_exhausted' : 'outcome_unknown',
        ...detail,
        ...(adapter.dedupes ? { dedupeKey } : {}),
        recipients,
        at: at(),
      });
    }
  }

  const worker = new Worker<BatchJobData, BatchOutcome>(name, sendBatch, {
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
  worker.on('failed', (job, error) => {
    if (!job || job.data.provider !== adapter.provider) return;
    const { campaignId, index, recipients } = job.data;
    void job
      .getState()
      .then((state) => {
        if (state !== 'failed') return undefined;
        return journal.record(campaignId, {
        outcome: 'unknown',
        index,
        count: recipients.length,
        reason: 'interrupted',
        code: 'job_failed',
        message: error.message,
        ...(adapter.dedupes ? { dedupeKey: batchDedupeKey(campaignId, index) } : {}),
        recipients,
          at: new Date().toISOString(),
        });
      })
      .catch(() => undefined);
  });
  // BullMQ reports connection trouble here; without a listener Node would treat it as fatal.
  worker.on('error', () => undefined);

  return {
    queue: name,
    worker,
    async close() {
      await worker.close();
      await queue.close();
      await release();
    },
  };
}
