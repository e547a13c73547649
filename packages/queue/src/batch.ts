/**
 * What a worker does with one batch job: mark it begun, send it, record what became of it, and
 * act for the whole account when the vendor says something about the account (429, 401, 403).
 */
import { randomUUID } from 'node:crypto';
import { AbortError, batchDedupeKey, MsgkitError, outcomeOfError, resumeDecision, ValidationError, type CampaignSender, type FailoverOptions, type MsgkitErrorCode, type SendOptions } from '@msgkit/core';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { AccountPause, AccountRecord, RateLimitNotice } from './account';
import { chainOutcome, refusedInBatch, sendChainBatch, type IndexAttemptIds } from './chain';
import { RedisNotDurableError } from './errors';
import type { BatchOutcome, RedisJournal, SeenUnder } from './journal';
import type { BatchJobData } from './producer';

/** What a worker reports beside the outcomes it records (see CampaignWorkerOptions.onEvent). */
export type CampaignWorkerEvent =
  /** The vendor refused the account's credentials: its queue is paused for every worker until resumeAccount. */
  | { type: 'paused'; queue: string; pause: AccountPause }
  /** A 429: every worker of the account pauses `notice.pausedMs` (capped: see MAX_RATE_LIMIT_PAUSE_MS). */
  | { type: 'rate_limited'; queue: string; notice: RateLimitNotice }
  /** Redis restarted and may have lost writes of this campaign: its unsettled batches are taken as begun. */
  | { type: 'state_lost'; queue: string; campaignId: string }
  /** The worker stopped itself (Redis no longer durable): nothing more is sent. */
  | { type: 'stopped'; queue: string; error: MsgkitError };

export interface BatchContext {
  /** The worker's sender: the first of its chain when it has one. */
  sender: CampaignSender;
  /** A chain worker's senders, in order: each batch goes through core's sendWithFailover. */
  chain?: readonly CampaignSender[];
  /** The sender's name, or the chain's joined name (chainName): a job for another is refused. */
  name: string;
  journal: RedisJournal;
  account: AccountRecord;
  queue: Queue;
  workerId: string;
  requireAof: boolean;
  rateLimitBackoffMs: number;
  maxRateLimitPauseMs: number;
  emit(event: CampaignWorkerEvent): void;
  /** The callback URL and reference of a batch (CampaignWorkerOptions.deliveryReports), when reports are asked for. */
  callbacks?: (campaignId: string, index: number) => Pick<SendOptions, 'callbackUrl' | 'reference'>;
  /** A chain's callback URL and reference per sender of a batch, when reports are asked for. */
  chainCallbacks?: (campaignId: string, index: number) => NonNullable<FailoverOptions['perSender']>;
  /** Stops the worker for good: nothing more is taken. */
  stop(error: MsgkitError): void;
  /** Places a sent batch's message ids for a receiver on the vendor's account URL (vendorIds.ts); resolves before the outcome is recorded. */
  indexIds?: (campaignId: string, index: number, ids: readonly string[]) => Promise<unknown>;
  /** The same for a chain: the ids of each sent attempt of a sender whose reports reach its account's URL. */
  chainIndexIds?: IndexAttemptIds;
}

// Failures that prove the request never reached the vendor and may pass: worth another attempt.
const TRANSIENT: ReadonlySet<MsgkitErrorCode> = new Set(['server_error', 'connection_error', 'timeout', 'rate_limited']);
// The vendor refused the account, not this batch: every other batch would be refused the same way.
const ACCOUNT_REFUSED: ReadonlySet<MsgkitErrorCode> = new Set(['authentication_error', 'permission_denied']);
// A worker's memory of the campaigns it touched, kept bounded for a worker that runs for months.
const MEMORY_LIMIT = 10_000;

/**
 * The dedupe key of a batch, bound to its campaign's content: the campaign id and index alone would
 * let an id reused for another text or list (in a Redis that no longer holds the first) be dropped
 * by SMS.CX or Octopush as a repeat of the first. Jobs enqueued without a digest keep the old key.
 */
export function dedupeKeyOf(data: Pick<BatchJobData, 'campaignId' | 'index' | 'digest'>): string {
  return batchDedupeKey(data.digest ? `${data.campaignId}/${data.digest}` : data.campaignId, data.index);
}

export function batchProcessor(ctx: BatchContext) {
  const { sender, journal, account, queue, chain } = ctx;
  const dedupes = chain ? chain.every((s) => s.dedupe !== false) : sender.dedupe !== false;
  const memory = new Map<string, SeenUnder>();
  const lostReported = new Set<string>();
  const remember = (campaignId: string, seen: SeenUnder) => {
    memory.delete(campaignId);
    memory.set(campaignId, seen);
    if (memory.size > MEMORY_LIMIT) memory.delete(memory.keys().next().value!);
  };
  const settle = (job: Job<BatchJobData>, outcome: BatchOutcome) => journal.record(job.data.campaignId, outcome, job.data.digest);

  return async function sendBatch(job: Job<BatchJobData>, _token?: string, signal?: AbortSignal): Promise<BatchOutcome> {
    const { campaignId, index, recipients, message, provider } = job.data;
    if (provider !== ctx.name) throw new UnrecoverableError(`batch for ${provider} on a ${ctx.name} worker`);
    const digest = job.data.digest ?? '';
    const attempt = `${ctx.workerId}:${job.attemptsStarted}:${randomUUID()}`;
    const at = () => new Date().toISOString();
    const base = { index, count: recipients.length };
    const seen = memory.get(campaignId);

    const begun = await journal.begin(campaignId, index, attempt, { requireAof: ctx.requireAof, digest, ...(seen && { seen }) });
    if (begun.state === 'not_durable') {
      ctx.stop(new RedisNotDurableError(`Redis (run ${begun.server.run}) writes no append-only file any more (aof_enabled:0): the worker stopped before sending batch ${index} of ${campaignId}`, { aof_enabled: '0' }));
      throw Worker.RateLimitError();
    }
    if (begun.state === 'mismatch' || begun.state === 'reused') {
      return settle(job, {
        outcome: 'refused',
        ...base,
        code: 'campaign_id_reused',
        message: `campaign id ${campaignId} was used before for other content (another text, list, sender or provider); nothing of this batch was sent`,
        recipients,
        at: at(),
      });
    }
    remember(campaignId, { run: begun.server.run, aof: begun.server.aof, digest: digest || seen?.digest || '' });
    if (begun.state === 'done') return begun.outcome;
    if (begun.state === 'lost' && !lostReported.has(campaignId)) {
      lostReported.add(campaignId);
      ctx.emit({ type: 'state_lost', queue: queue.name, campaignId });
    }
    if (chain) {
      // Redis may have forgotten attempts of this batch: continuing the chain could ask again a
      // vendor that refused, or one that sent. Every recipient of it is taken as possibly sent.
      if (begun.state === 'lost') return settle(job, { outcome: 'unknown', ...base, reason: 'state_lost', recipients, at: at() });
      let result;
      try {
        // Fresh or resumed alike: the recorded attempts say where the chain stopped (core's planChain).
        result = await sendChainBatch(chain, journal, job.data, { dedupeKey: dedupeKeyOf(job.data), ...(signal && { signal }), ...(ctx.chainCallbacks && { perSender: ctx.chainCallbacks(campaignId, index) }), ...(ctx.chainIndexIds && { indexIds: ctx.chainIndexIds }) });
      } catch (error) {
        // The message fits no longer (a worker's sender differs from the producer's): refused before the wire.
        if (!(error instanceof ValidationError)) throw error;
        return settle(job, { outcome: 'refused', ...base, code: error.code, message: error.message, recipients, at: at() });
      }
      // Stopped between two vendors (the worker is closing): the next run continues from the record.
      if (signal?.aborted) throw new AbortError();
      const { outcome, records } = chainOutcome(index, result, at());
      return journal.record(campaignId, outcome, job.data.digest, records);
    }
    // Begun before and left without an outcome, or possibly so (state lost): core's resume rule,
    // shared with the file journal, resends it only where the vendor deduplicates by key.
    if (begun.state !== 'fresh' && resumeDecision({ index, size: recipients.length, digest: '' }, { deduplicates: dedupes }) === 'skip') {
      return settle(job, { outcome: 'unknown', ...base, reason: begun.state === 'lost' ? 'state_lost' : 'interrupted', recipients, at: at() });
    }

    const dedupeKey = dedupeKeyOf(job.data);
    try {
      const sent = await sender.send(recipients, message, { dedupeKey, ...(signal ? { signal } : {}), ...ctx.callbacks?.(campaignId, index) });
      // Recipients the vendor refused one by one in its answer: counted and recorded each.
      const some = refusedInBatch(sender.name, index, recipients, sent);
      // Before the outcome: once a batch shows `sent`, every report of its ids can be placed.
      await ctx.indexIds?.(campaignId, index, sent.ids);
      // The message ids per recipient place the reports that name only a message (SMS.CX).
      // No id to index (Octopush's code 120 to a resend gives no ticket): the batch says its reports cannot be placed.
      const unplaceable = ctx.indexIds !== undefined && sent.ids.length === 0;
      const outcome: BatchOutcome = { outcome: 'sent', ...base, ids: sent.ids, ...(sent.messages && { messages: sent.messages }), ...(sent.duplicate ? { duplicate: true } : {}), ...(unplaceable && { reports: 'ticket_unknown' as const }), ...(some && { refused: some.refused, tally: some.tally }), at: at() };
      return await journal.record(campaignId, outcome, job.data.digest, some?.records);
    } catch (error) {
      const known = error instanceof MsgkitError ? (error as MsgkitError & { status?: number; vendorCode?: string | number; retryAfterMs?: number }) : undefined;
      // Core's rule, shared with the file journal: refused only when the error proves nothing was sent.
      const outcomeUnknown = outcomeOfError(error).status === 'unknown';
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // A foreign error's message may hold anything, a secret too: only its name is kept.
      const detail = known ? { code: known.code, message: known.message } : { code: 'internal', message: error instanceof Error ? error.name : 'non-error thrown' };

      if (known && ACCOUNT_REFUSED.has(known.code) && !outcomeUnknown) {
        await journal.clear(campaignId, index, attempt);
        const pause: AccountPause = {
          code: known.code as AccountPause['code'],
          ...(known.status !== undefined && { status: known.status }),
          ...(known.vendorCode !== undefined && { vendorCode: known.vendorCode }),
          message: known.message,
          at: at(),
          campaignId,
          index,
        };
        await account.paused(pause);
        await queue.pause();
        ctx.emit({ type: 'paused', queue: queue.name, pause });
        throw Worker.RateLimitError();
      }
      if (known?.code === 'rate_limited' && (!outcomeUnknown || dedupes)) {
        if (!outcomeUnknown) await journal.clear(campaignId, index, attempt);
        const asked = known.retryAfterMs !== undefined && known.retryAfterMs > 0 ? known.retryAfterMs : undefined;
        const pausedMs = asked === undefined ? ctx.rateLimitBackoffMs : Math.min(asked, ctx.maxRateLimitPauseMs);
        await queue.rateLimit(pausedMs);
        const now = Date.now();
        const notice: RateLimitNotice = {
          at: new Date(now).toISOString(),
          until: new Date(now + pausedMs).toISOString(),
          ...(asked !== undefined && { askedMs: asked }),
          pausedMs,
          capped: asked !== undefined && asked > pausedMs,
          campaignId,
          index,
        };
        await account.rateLimited(notice);
        ctx.emit({ type: 'rate_limited', queue: queue.name, notice });
        throw Worker.RateLimitError();
      }
      if (!outcomeUnknown) {
        await journal.clear(campaignId, index, attempt);
        if (known && TRANSIENT.has(known.code) && !lastAttempt) throw error;
        return settle(job, {
          outcome: 'refused',
          ...base,
          ...detail,
          ...(known?.status !== undefined ? { status: known.status } : {}),
          ...(known?.vendorCode !== undefined ? { vendorCode: known.vendorCode } : {}),
          recipients,
          at: at(),
        });
      }
      // The vendor drops a repeat of this key: the next attempt resends it, safely.
      if (dedupes && !lastAttempt) throw error;
      return settle(job, {
        outcome: 'unknown',
        ...base,
        reason: dedupes ? 'attempts_exhausted' : 'outcome_unknown',
        ...detail,
        ...(dedupes ? { dedupeKey } : {}),
        recipients,
        at: at(),
      });
    }
  };
}
