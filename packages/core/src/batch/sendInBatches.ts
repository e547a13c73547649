import { chunk } from './chunk';

export interface SendInBatchesOptions<T, R> {
  /** Items per batch, usually the vendor's per-request maximum. */
  size: number;
  /** Batches in flight at once (default 1: vendors rate-limit, and order is often expected). */
  concurrency?: number;
  /** Stops starting new batches; batches already sent run to completion. */
  signal?: AbortSignal;
  send: (batch: T[], index: number) => Promise<R>;
  /** Called after each batch settles, with the number of batches settled so far. */
  onProgress?: (done: number, total: number) => void;
}

export type BatchResult<T, R> = { index: number; items: T[] } & ({ ok: true; result: R } | { ok: false; error: unknown });

/**
 * Sends `items` in batches and resolves with one result per batch, ordered by index, whatever
 * happens: a failed batch does not stop the others, and after an abort every batch not yet
 * started is reported as failed with the signal's reason, so nothing is silently dropped.
 * It never rejects (except on invalid options, before anything is sent).
 */
export async function sendInBatches<T, R>(
  items: readonly T[],
  options: SendInBatchesOptions<T, R>,
): Promise<Array<BatchResult<T, R>>> {
  const { send, onProgress, signal } = options;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  const batches = chunk(items, options.size);
  const total = batches.length;
  const results = new Array<BatchResult<T, R>>(total);
  let next = 0;
  let done = 0;

  const settle = (result: BatchResult<T, R>) => {
    results[result.index] = result;
    done++;
    // A throwing progress callback must not turn into a lost batch result.
    try {
      onProgress?.(done, total);
    } catch {
      /* the callback's failure is the caller's, not the batch's */
    }
  };

  const worker = async () => {
    while (next < total) {
      const index = next++;
      const batch = batches[index]!;
      if (signal?.aborted) {
        settle({ index, items: batch, ok: false, error: abortReason(signal) });
        continue;
      }
      try {
        settle({ index, items: batch, ok: true, result: await send(batch, index) });
      } catch (error) {
        settle({ index, items: batch, ok: false, error });
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
