import { describe, expect, it } from 'vitest';
import { ApiError, JournalMismatchError, JournalWriteError, MsgkitError, createApiError } from '../errors';
import { batchDigest, outcomeOfError, resumeDecision, type BatchOutcome, type BeginRecord, type CampaignJournal, type JournalBatch } from './journal';
import { batchDedupeKey } from './keys';
import { sendInBatches } from './sendInBatches';

/** The journal semantics over a Map: what a durable store records, without the disk. */
class MemoryJournal implements CampaignJournal {
  readonly batches = new Map<number, JournalBatch>();
  readonly log: string[] = [];
  constructor(
    readonly campaignId = 'campaign-1',
    readonly content?: string,
  ) {}
  batch(index: number) {
    return this.batches.get(index);
  }
  async begin(record: BeginRecord) {
    this.log.push(`begin ${record.index}`);
    this.batches.set(record.index, { index: record.index, size: record.recipients.length, digest: batchDigest(record.recipients), ...(record.dedupeKey && { dedupeKey: record.dedupeKey }) });
  }
  async settle(index: number, outcome: BatchOutcome) {
    this.log.push(`settle ${index} ${outcome.status}`);
    this.batches.get(index)!.outcome = outcome;
  }
}

const unknownError = () => new MsgkitError('connection_error', 'socket hang up', { outcomeUnknown: true });
const list = Array.from({ length: 6 }, (_, i) => `+4474000000${i}`);

describe('sendInBatches with a journal', () => {
  it('records each batch before its send starts and its outcome after it settles', async () => {
    const store = new MemoryJournal();
    const results = await sendInBatches(list, {
      size: 2,
      journal: { store, deduplicates: false, ids: (r: string) => [r] },
      send: async (batch, index) => {
        expect(store.log.at(-1)).toBe(`begin ${index}`);
        if (index === 1) throw createApiError({ status: 402, message: 'no credit', headers: {}, body: null });
        if (index === 2) throw unknownError();
        return `id-${index}`;
      },
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(store.batch(0)!.outcome).toEqual({ status: 'sent', ids: ['id-0'] });
    expect(store.batch(1)!.outcome).toMatchObject({ status: 'refused', code: 'insufficient_credit' });
    expect(store.batch(2)!.outcome).toMatchObject({ status: 'unknown', code: 'connection_error' });
  });

  it('on resume sends only what was not sent, and never resends an unknown batch at a vendor that cannot deduplicate', async () => {
    const store = new MemoryJournal();
    await store.begin({ index: 0, recipients: list.slice(0, 2) });
    await store.settle(0, { status: 'sent', ids: ['a'] });
    await store.begin({ index: 1, recipients: list.slice(2, 4) }); // in flight at the crash
    await store.begin({ index: 2, recipients: list.slice(4, 6) });
    await store.settle(2, { status: 'refused', code: 'insufficient_credit', message: 'no credit' });
    const sent: number[] = [];
    const results = await sendInBatches(list, { size: 2, journal: { store, deduplicates: false }, send: async (_, index) => void sent.push(index) });
    expect(sent).toEqual([2]);
    expect(results.map((r) => r.ok)).toEqual(['skipped', 'skipped', true]);
    expect(store.batch(1)!.outcome).toBeUndefined();
  });

  it('resends an in-flight batch with the key it had when the vendor deduplicates, and an unknown one when asked to', async () => {
    const store = new MemoryJournal('spring');
    await store.begin({ index: 0, recipients: list.slice(0, 3), dedupeKey: batchDedupeKey('spring', 0) });
    const keys: Array<string | undefined> = [];
    await sendInBatches(list, { size: 3, journal: { store, deduplicates: true }, send: async (_, __, context) => void keys.push(context.dedupeKey) });
    expect(keys).toEqual([batchDedupeKey('spring', 0), batchDedupeKey('spring', 1, { recipients: list.slice(3, 6) })]);

    const other = new MemoryJournal();
    await other.begin({ index: 0, recipients: list.slice(0, 3) });
    await other.settle(0, { status: 'unknown', code: 'timeout', message: 't' });
    const sent: number[] = [];
    await sendInBatches(list, { size: 3, journal: { store: other, deduplicates: false, resendUnknown: true }, send: async (_, i) => void sent.push(i) });
    expect(sent).toEqual([0, 1]);
    expect(other.batch(0)!.outcome).toEqual({ status: 'sent', ids: [] });
  });

  it('gives each batch its key where the vendor lets the client choose ids, and still never resends an unknown one there', async () => {
    const store = new MemoryJournal('spring');
    await store.begin({ index: 0, recipients: list.slice(0, 3), dedupeKey: batchDedupeKey('spring', 0) });
    const keys: Array<string | undefined> = [];
    await sendInBatches(list, { size: 3, journal: { store, deduplicates: false, clientIds: true }, send: async (_, __, context) => void keys.push(context.dedupeKey) });
    expect(keys).toEqual([batchDedupeKey('spring', 1, { recipients: list.slice(3, 6) })]);
    expect(store.batch(1)!.dedupeKey).toBe(keys[0]);
  });

  it('after an abort, still reports what an earlier run settled rather than calling it not started', async () => {
    const store = new MemoryJournal();
    await store.begin({ index: 2, recipients: list.slice(4, 6) });
    await store.settle(2, { status: 'sent', ids: ['x'] });
    const results = await sendInBatches(list, { size: 2, signal: AbortSignal.abort(), journal: { store, deduplicates: false }, send: async () => 'sent' });
    expect(results.map((r) => r.ok)).toEqual([false, false, 'skipped']);
  });

  it('refuses to send a batch whose recipients differ from the ones the journal recorded', async () => {
    const store = new MemoryJournal();
    await store.begin({ index: 0, recipients: ['+447400000099', '+447400000098'] });
    let calls = 0;
    const [first] = await sendInBatches(list, { size: 2, journal: { store, deduplicates: true }, send: async () => void calls++ });
    expect(first).toMatchObject({ ok: false, error: expect.any(JournalMismatchError) });
    expect(calls).toBe(2);
  });

  it('stops starting batches when the journal cannot be written, and sends nothing unrecorded', async () => {
    const store = new MemoryJournal();
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    store.begin = async () => {
      throw full;
    };
    let calls = 0;
    const results = await sendInBatches(list, { size: 2, journal: { store, deduplicates: false }, send: async () => void calls++ });
    expect(calls).toBe(0);
    // Never begun, so never sent: a refusal of msgkit's own, not an unknown outcome.
    for (const r of results) {
      expect(r).toMatchObject({ ok: false, error: expect.any(JournalWriteError) });
      const error = (r as { error: JournalWriteError }).error;
      expect(error).toMatchObject({ code: 'journal_write_failed', systemCode: 'ENOSPC', outcomeUnknown: false, cause: full });
      expect(outcomeOfError(error).status).toBe('refused');
    }
  });

  it('when the outcome of a sent batch cannot be recorded, keeps its result, marks it unrecorded and starts nothing more', async () => {
    const store = new MemoryJournal();
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    store.settle = async () => {
      throw eio;
    };
    const sent: number[] = [];
    const results = await sendInBatches(list, { size: 2, journal: { store, deduplicates: false }, send: async (_, i) => void sent.push(i) });
    expect(sent).toEqual([0]);
    expect(results[0]).toMatchObject({ ok: true, unrecorded: expect.any(JournalWriteError) });
    expect((results[0] as { unrecorded: JournalWriteError }).unrecorded).toMatchObject({ systemCode: 'EIO', cause: eio });
    expect(results.slice(1).every((r) => r.ok === false && r.error instanceof JournalWriteError)).toBe(true);
  });

  it('binds each batch key to the campaign id, what the campaign sends and the batch recipients: a reused id with another text gets other keys', async () => {
    const keysOf = async (store: MemoryJournal) => {
      const keys: Array<string | undefined> = [];
      await sendInBatches(list, { size: 3, journal: { store, deduplicates: true }, send: async (_, __, context) => void keys.push(context.dedupeKey) });
      return keys;
    };
    const first = await keysOf(new MemoryJournal('spring', 'text-a'));
    expect(first).toEqual([0, 1].map((i) => batchDedupeKey('spring', i, { content: 'text-a', recipients: list.slice(i * 3, i * 3 + 3) })));
    expect(await keysOf(new MemoryJournal('spring', 'text-a'))).toEqual(first);
    const other = await keysOf(new MemoryJournal('spring', 'text-b'));
    expect(other.filter((k) => first.includes(k))).toEqual([]);
  });

  it('resends a batch with the key it was recorded with, whatever the rule that made it', async () => {
    const store = new MemoryJournal('spring', 'text-a');
    await store.begin({ index: 0, recipients: list.slice(0, 3), dedupeKey: 'key-from-an-earlier-version' });
    const keys: Array<string | undefined> = [];
    await sendInBatches(list, { size: 3, journal: { store, deduplicates: true }, send: async (_, __, context) => void keys.push(context.dedupeKey) });
    expect(keys[0]).toBe('key-from-an-earlier-version');
  });

  it('records the outcome of every batch already started before resolving when its source fails part-way', async () => {
    const store = new MemoryJournal();
    const broken = new Error('row 5: unterminated quote');
    async function* rows() {
      yield* list.slice(0, 5);
      throw broken;
    }
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    setTimeout(release, 20);
    const results = await sendInBatches(rows(), { size: 2, concurrency: 2, journal: { store, deduplicates: false }, send: async (_, i) => (i === 0 ? slow : undefined) });
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ items: list.slice(4, 5), error: broken });
    expect([0, 1].map((i) => store.batch(i)?.outcome?.status)).toEqual(['sent', 'sent']);
    expect(store.batch(2)).toBeUndefined();
  });

  it('reads an iterable as it goes, keeping no results when asked not to', async () => {
    function* numbers() {
      for (let i = 0; i < 7; i++) yield i;
    }
    const seen: Array<[number, number[]]> = [];
    const results = await sendInBatches(numbers(), { size: 3, concurrency: 2, retain: false, send: async (b) => b.length, onSettled: (r) => seen.push([r.index, r.items]) });
    expect(results).toEqual([]);
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual([[0, [0, 1, 2]], [1, [3, 4, 5]], [2, [6]]]);
  });
});

describe('the journal rules', () => {
  it('names an error with outcomeUnknown unknown, and one that proves nothing was sent refused, keeping only code and message', () => {
    expect(outcomeOfError(unknownError())).toMatchObject({ status: 'unknown', code: 'connection_error' });
    const refused = outcomeOfError(createApiError({ status: 401, message: 'bad key', headers: {}, body: null }) as ApiError);
    expect(refused).toMatchObject({ status: 'refused', code: 'authentication_error' });
    expect(Object.keys(refused).sort()).toEqual(['code', 'message', 'reason', 'status']);
    const vendor = outcomeOfError(createApiError({ status: 400, vendorCode: 1125, message: 'ttl too short', headers: { 'set-cookie': 'x' }, body: { secret: 1 } }));
    expect(vendor).toEqual({ status: 'refused', code: 'bad_request', message: expect.stringContaining('ttl too short'), vendorCode: 1125, reason: 'ttl too short' });
  });

  it('names unknown an error that does not say whether the request left (a bug or abort after it may have gone), so it is never resent on its own', () => {
    expect(outcomeOfError(new TypeError('cannot read properties of undefined'))).toEqual({ status: 'unknown', code: 'TypeError', message: 'cannot read properties of undefined' });
    expect(outcomeOfError('thrown string')).toMatchObject({ status: 'unknown', code: 'error' });
    expect(outcomeOfError(Object.assign(new Error('no credit'), { code: 'insufficient_credit', outcomeUnknown: false }))).toMatchObject({ status: 'refused', code: 'insufficient_credit' });
  });

  it('decides each recorded state the same way for every store', () => {
    const b = (outcome?: BatchOutcome): JournalBatch => ({ index: 0, size: 1, digest: '', ...(outcome && { outcome }) });
    const unknown = b({ status: 'unknown', code: 'x', message: '' });
    expect(resumeDecision(undefined, { deduplicates: false })).toBe('send');
    expect(resumeDecision(b({ status: 'sent', ids: [] }), { deduplicates: true, resendUnknown: true })).toBe('skip');
    expect(resumeDecision(b({ status: 'refused', code: 'x', message: '' }), { deduplicates: false })).toBe('send');
    expect(resumeDecision(unknown, { deduplicates: false })).toBe('skip');
    expect(resumeDecision(b(), { deduplicates: false })).toBe('skip');
    expect(resumeDecision(unknown, { deduplicates: true })).toBe('send');
    expect(resumeDecision(b(), { deduplicates: false, resendUnknown: true })).toBe('send');
  });

  it('digests recipients in order', () => {
    expect(batchDigest(['+1', '+2'])).toBe(batchDigest(['+1', '+2']));
    expect(batchDigest(['+1', '+2'])).not.toBe(batchDigest(['+2', '+1']));
    expect(batchDigest(['+12'])).not.toBe(batchDigest(['+1', '2']));
  });
});
