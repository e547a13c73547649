import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { chunk } from './chunk';
import { sendInBatches } from './sendInBatches';

describe('chunk', () => {
  it('splits into consecutive arrays of at most size items', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow(ValidationError);
    expect(() => chunk([1], 1.5)).toThrow(ValidationError);
  });
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('sendInBatches', () => {
  it('returns a result for every batch, ordered by index, failures included', async () => {
    const results = await sendInBatches([1, 2, 3, 4, 5], {
      size: 2,
      concurrency: 3,
      send: async (batch, index) => {
        await new Promise((resolve) => setTimeout(resolve, 10 - index * 3));
        if (index === 1) throw new Error('boom');
        return batch.reduce((a, b) => a + b, 0);
      },
    });
    expect(results).toEqual([
      { index: 0, items: [1, 2], ok: true, result: 3 },
      { index: 1, items: [3, 4], ok: false, error: new Error('boom') },
      { index: 2, items: [5], ok: true, result: 5 },
    ]);
  });

  it('never runs more batches at once than the concurrency', async () => {
    let running = 0;
    let peak = 0;
    await sendInBatches(Array.from({ length: 20 }, (_, i) => i), {
      size: 2,
      concurrency: 3,
      send: async () => {
        peak = Math.max(peak, ++running);
        await tick();
        running--;
      },
    });
    expect(peak).toBe(3);
  });

  it('reports progress after each settled batch', async () => {
    const progress: Array<[number, number]> = [];
    await sendInBatches([1, 2, 3], { size: 1, send: async () => 'ok', onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
  });

  it('reports batches not started before an abort as failed with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by user');
    const results = await sendInBatches([1, 2, 3, 4], {
      size: 1,
      signal: controller.signal,
      send: async (_, index) => {
        if (index === 1) controller.abort(reason);
        return index;
      },
    });
    expect(results.map((r) => (r.ok ? r.result : r.error))).toEqual([0, 1, reason, reason]);
    expect(results.map((r) => r.items)).toEqual([[1], [2], [3], [4]]);
  });

  it('reports every batch as aborted when the signal is already aborted', async () => {
    const results = await sendInBatches([1, 2], { size: 1, signal: AbortSignal.abort(), send: async () => 'sent' });
    expect(results.every((r) => !r.ok && (r.error as DOMException).name === 'AbortError')).toBe(true);
  });

  it('keeps the batch result when the progress callback throws', async () => {
    const results = await sendInBatches([1], { size: 1, send: async () => 'ok', onProgress: () => { throw new Error('ui'); } });
    expect(results).toEqual([{ index: 0, items: [1], ok: true, result: 'ok' }]);
  });

  it('returns no results for no items and refuses an invalid concurrency', async () => {
    await expect(sendInBatches([], { size: 5, send: async () => 1 })).resolves.toEqual([]);
    await expect(sendInBatches([1], { size: 1, concurrency: 0, send: async () => 1 })).rejects.toThrow(ValidationError);
  });
});

describe('sendInBatches over a source that fails part-way', () => {
  it('never rejects: the batches started settle and are reported, and the items read since the last full batch come back failed with the source error', async () => {
    const broken = new Error('row 9: unterminated quote');
    async function* rows() {
      for (let i = 0; i < 7; i++) yield i;
      throw broken;
    }
    const settled: number[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const results = sendInBatches(rows(), {
      size: 3,
      concurrency: 2,
      // Batch 0 is still in flight when the source fails under the other worker.
      send: async (batch, index) => {
        if (index === 0) await slow;
        settled.push(index);
        return batch.length;
      },
    });
    setTimeout(release, 20);
    const all = await results;
    expect(settled.sort()).toEqual([0, 1]);
    expect(all).toEqual([
      { index: 0, items: [0, 1, 2], ok: true, result: 3 },
      { index: 1, items: [3, 4, 5], ok: true, result: 3 },
      { index: 2, items: [6], ok: false, error: broken },
    ]);
  });

  it('reports a failure at a batch boundary as an empty failed batch, so the error is never lost', async () => {
    const broken = new Error('disk gone');
    function* rows() {
      yield 1;
      yield 2;
      throw broken;
    }
    const seen: unknown[] = [];
    await expect(sendInBatches(rows(), { size: 2, retain: false, send: async () => 'ok', onSettled: (r) => seen.push(r) })).resolves.toEqual([]);
    expect(seen).toEqual([
      { index: 0, items: [1, 2], ok: true, result: 'ok' },
      { index: 1, items: [], ok: false, error: broken },
    ]);
  });
});
