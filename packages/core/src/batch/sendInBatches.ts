import { JournalMismatchError, JournalWriteError, ValidationError } from '../errors';
import { chunk, positiveIntegerIssue } from './chunk';
import { batchDigest, outcomeOfError, resumeDecision, type BatchOutcome, type CampaignJournal, type JournalBatch } from './journal';
import { batchDedupeKey } from './keys';

/** What `sendInBatches` hands `send` besides the batch and its index. */
export interface BatchContext {
  /**
   * The batch's dedupe key, given when a journal is used and the vendor deduplicates or lets the
   * client choose ids (`clientIds`): send it as the
   * vendor's key. The key the journal recorded for the batch, else `batchDedupeKey(campaignId, index,
   * { content: store.content, recipients })`.
   */
  dedupeKey?: string;
}

/** The `journal` option of `sendInBatches`: where batches are recorded, and how the vendor treats a resend. */
export interface JournalOptions<T, R> {
  store: CampaignJournal;
  /** The vendor deduplicates by key (SMS.CX idempotencyId, Octopush request_id): unknown batches are resent with their key. */
  deduplicates: boolean;
  /**
   * The vendor lets the client choose ids (Infobip bulkId and messageIds): every batch gets its key,
   * to derive them from, so a batch whose answer was lost can be looked up. Unlike `deduplicates`,
   * it resends nothing.
   */
  clientIds?: boolean;
  /** Resend unknown and in-flight-at-crash batches at a vendor that cannot deduplicate (may bill twice). */
  resendUnknown?: boolean;
  /** The recipients (and their input rows) of a batch as the journal records them; default: the items themselves. */
  describe?: (batch: T[]) => { recipients: string[]; rows?: number[] };
  /** The vendor id(s) of a send's result, recorded with `sent`. */
  ids?: (result: R) => Array<string | undefined>;
}

/** Options of `sendInBatches`: the batch size and the one call that sends a batch, then pace, progress and the journal. */
export interface SendInBatchesOptions<T, R> {
  /** Items per batch, usually the vendor's per-request maximum. */
  size: number;
  /** Batches in flight at once (default 1: vendors rate-limit, and order is often expected). */
  concurrency?: number;
  /** Stops starting new batches; batches already sent run to completion. */
  signal?: AbortSignal;
  /** Sends one batch; a rejection is that batch's failure (the other batches go on). */
  send: (batch: T[], index: number, context: BatchContext) => Promise<R>;
  /** Called after each batch settles, with the number of batches settled so far and the total (NaN when unknown: an iterable without `total`). */
  onProgress?: (done: number, total: number) => void;
  /** Called with each result as its batch settles (use with `retain: false` for lists too long to keep). */
  onSettled?: (result: JournaledBatchResult<T, R>) => void;
  /** Keep every result and resolve with them (default true); false resolves with [] and reports through `onSettled` only. */
  retain?: boolean;
  /** The number of batches, for progress, when `items` is an iterable whose length is not known. */
  total?: number;
  /** Record every batch before it is sent and its outcome after, and skip what an earlier run settled. */
  journal?: JournalOptions<T, R>;
}

/** One batch's result: its index and items, and the send's result or its error. */
export type BatchResult<T, R> = { index: number; items: T[] } & ({ ok: true; result: R } | { ok: false; error: unknown });

/**
 * With a journal, a batch may also be `ok: 'skipped'`: this run did not send it because the journal
 * holds it as sent, or as unknown at a vendor that cannot deduplicate; `previous` is that record.
 * A batch whose outcome the journal could not record carries `unrecorded` (the journal then holds
 * it as unknown, and the campaign stopped after it).
 */
export type JournaledBatchResult<T, R> = (BatchResult<T, R> & { unrecorded?: JournalWriteError }) | { index: number; items: T[]; ok: 'skipped'; previous: JournalBatch };

/**
 * Sends `items` in batches and resolves with one result per batch, ordered by index, whatever
 * happens: a failed batch does not stop the others, and after an abort every batch not yet
 * started is reported as failed with the signal's reason, so nothing is silently dropped.
 * It never rejects (except on invalid options, before anything is sent). For an iterable (read as
 * it goes, for lists too long to hold), batches not yet formed at an abort are not reported. An
 * iterable that throws stops the campaign: the batches already started settle and are reported,
 * then the items read since the last full batch come back as one failed batch (empty if there are
 * none) whose error is the one the iterable threw; nothing after it is read or sent.
 *
 * With a journal, each batch is recorded durably before its request starts and its outcome after
 * it settles, so a process killed at any instant leaves a journal that says, for every batch, sent /
 * refused / unknown; running again over the same items resumes (see `resumeDecision`). A journal
 * that cannot be written stops the campaign: nothing is sent unrecorded, and every batch not sent
 * because of it fails with a `JournalWriteError`.
 */
export function sendInBatches<T, R>(
  items: readonly T[] | Iterable<T> | AsyncIterable<T>,
  options: SendInBatchesOptions<T, R> & { journal: JournalOptions<T, R> },
): Promise<Array<JournaledBatchResult<T, R>>>;
export function sendInBatches<T, R>(items: readonly T[] | Iterable<T> | AsyncIterable<T>, options: SendInBatchesOptions<T, R>): Promise<Array<BatchResult<T, R>>>;
export async function sendInBatches<T, R>(
  items: readonly T[] | Iterable<T> | AsyncIterable<T>,
  options: SendInBatchesOptions<T, R>,
): Promise<Array<JournaledBatchResult<T, R>>> {
  const { send, onProgress, onSettled, signal, journal } = options;
  const concurrency = options.concurrency ?? 1;
  const optionIssues = [positiveIntegerIssue(options.size, ['size']), positiveIntegerIssue(concurrency, ['concurrency'])].filter((issue) => issue !== undefined);
  if (optionIssues.length > 0) throw new ValidationError(optionIssues);
  const retain = options.retain ?? true;
  const known = Array.isArray(items) ? chunk(items as readonly T[], options.size) : undefined;
  const total = known ? known.length : (options.total ?? Number.NaN);
  const batches = known ? arrayBatches(known) : streamBatches(items as Iterable<T> | AsyncIterable<T>, options.size);
  const results: Array<JournaledBatchResult<T, R>> = [];
  let done = 0;
  let journalFailure: unknown;

  const settle = (result: JournaledBatchResult<T, R>) => {
    if (retain) results[result.index] = result;
    done++;
    // A throwing callback must not turn into a lost batch result.
    try {
      onSettled?.(result);
    } catch {
      /* the callback's failure is the caller's, not the batch's */
    }
    try {
      onProgress?.(done, total);
    } catch {
      /* idem */
    }
  };

  const run = async ({ index, items: batch, failure }: Numbered<T>): Promise<JournaledBatchResult<T, R>> => {
    if (failure) return { index, items: batch, ok: false, error: failure.error };
    let described: { recipients: string[]; rows?: number[] } | undefined;
    let previous: JournalBatch | undefined;
    if (journal) {
      try {
        described = journal.describe ? journal.describe(batch) : { recipients: batch as unknown as string[] };
        previous = journal.store.batch(index);
      } catch (error) {
        return { index, items: batch, ok: false, error };
      }
      if (previous && previous.digest !== batchDigest(described.recipients)) {
        const error = new JournalMismatchError(['recipients'], `batch ${index} holds other recipients than the journal recorded for it: the recipient list changed since the journal was written`);
        return { index, items: batch, ok: false, error };
      }
      // Checked before the abort, so that what an earlier run settled stays reported as such.
      if (resumeDecision(previous, journal) === 'skip') return { index, items: batch, ok: 'skipped', previous: previous! };
    }
    if (journalFailure !== undefined) return { index, items: batch, ok: false, error: journalFailure };
    if (signal?.aborted) return { index, items: batch, ok: false, error: abortReason(signal) };
    if (!journal || !described) {
      try {
        return { index, items: batch, ok: true, result: await send(batch, index, {}) };
      } catch (error) {
        return { index, items: batch, ok: false, error };
      }
    }
    const { recipients, rows } = described;
    const { store } = journal;
    let dedupeKey: string | undefined;
    try {
      // A resent batch carries the key it was first sent with, whatever rule made that key.
      dedupeKey = journal.deduplicates || journal.clientIds === true ? (previous?.dedupeKey ?? batchDedupeKey(store.campaignId, index, { ...(store.content !== undefined && { content: store.content }), recipients })) : undefined;
    } catch (error) {
      return { index, items: batch, ok: false, error };
    }
    try {
      // A resent batch is begun again: its record is replaced, and it is in flight until settled.
      await store.begin({ index, recipients, ...(rows && { rows }), ...(dedupeKey && { dedupeKey }) });
    } catch (error) {
      journalFailure ??= JournalWriteError.from(error);
      return { index, items: batch, ok: false, error: journalFailure };
    }
    let result: BatchResult<T, R>;
    let outcome: BatchOutcome;
    try {
      const value = await send(batch, index, dedupeKey ? { dedupeKey } : {});
      result = { index, items: batch, ok: true, result: value };
      const ids = journal.ids ? journal.ids(value).filter((id): id is string => typeof id === 'string' && id !== '') : [];
      outcome = { status: 'sent', ids };
    } catch (error) {
      result = { index, items: batch, ok: false, error };
      outcome = outcomeOfError(error);
    }
    try {
      await store.settle(index, outcome);
    } catch (error) {
      // The batch's own result stands (it may well have been sent); nothing more is started.
      const unrecorded = JournalWriteError.from(error);
      journalFailure ??= unrecorded;
      return { ...result, unrecorded };
    }
    return result;
  };

  const worker = async () => {
    for (;;) {
      // An iterable may be endless or huge: after an abort it is read no further.
      if (!known && (signal?.aborted || journalFailure !== undefined)) return;
      const next = await batches.next();
      if (next.done) return;
      settle(await run(next.value));
    }
  };

  await Promise.all(Array.from({ length: Number.isNaN(total) ? concurrency : Math.max(0, Math.min(concurrency, total)) }, worker));
  return results;
}

interface Numbered<T> {
  index: number;
  items: T[];
  /** The items' source threw: `items` are those read since the last full batch; none is sent. */
  failure?: { error: unknown };
}

async function* arrayBatches<T>(batches: T[][]): AsyncGenerator<Numbered<T>> {
  for (let index = 0; index < batches.length; index++) yield { index, items: batches[index]! };
}

// An async generator queues concurrent next() calls, so workers pulling at once each get the next batch in order.
async function* streamBatches<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<Numbered<T>> {
  let index = 0;
  let batch: T[] = [];
  try {
    for await (const item of items) {
      batch.push(item);
      if (batch.length === size) {
        yield { index: index++, items: batch };
        batch = [];
      }
    }
  } catch (error) {
    yield { index, items: batch, failure: { error } };
    return;
  }
  if (batch.length > 0) yield { index, items: batch };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
