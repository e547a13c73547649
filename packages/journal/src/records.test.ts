import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileJournal, readJournal, readJournalRecordAt, readJournalRecords, type CampaignIdentity, type JournalRecord } from './index';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-journal-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `r${n++}.jsonl`);
const identity: CampaignIdentity = { provider: 'smsworks', sender: 'Shop', text: 'Hi', options: { batchSize: 2 }, recipients: 'x' };

async function collect(path: string, from = 0) {
  const records: Array<{ record: JournalRecord; offset: number }> = [];
  const next = await readJournalRecords(path, { from, each: (record, offset) => records.push({ record, offset }) });
  return { records, next };
}

describe('reading a journal record by record', () => {
  it('reads only what was appended since the offset it returned last, while the writer goes on', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    await journal.begin({ index: 0, recipients: ['+447400000001', '+447400000002'], rows: [2, 3] });
    const first = await collect(path);
    expect(first.records.map((r) => r.record.t)).toEqual(['campaign', 'begin']);
    expect(first.records[0]!.offset).toBe(0);

    await journal.settle(0, { status: 'sent', ids: ['b-1'] });
    await journal.begin({ index: 1, recipients: ['+447400000003'] });
    await journal.close();
    const second = await collect(path, first.next);
    expect(second.records.map((r) => r.record)).toMatchObject([{ t: 'settle', i: 0, status: 'sent', ids: ['b-1'] }, { t: 'begin', i: 1, to: ['+447400000003'] }]);
    expect(second.records[0]!.offset).toBe(first.next);
    expect((await collect(path, second.next)).records).toEqual([]);
    // What was read in two steps is what one reading of the whole file gives.
    const whole = await collect(path);
    expect(whole.records).toEqual([...first.records, ...second.records]);
    expect(whole.next).toBe(second.next);
  });

  it('leaves a last line without its newline unread until it is complete, a record being written', async () => {
    const path = fresh();
    await (await openFileJournal(path, identity)).close();
    const head = await collect(path);
    const line = JSON.stringify({ t: 'begin', i: 0, d: 'x', to: ['+447400000001'] });
    appendFileSync(path, line.slice(0, 20));
    const partial = await collect(path, head.next);
    expect(partial).toEqual({ records: [], next: head.next });
    appendFileSync(path, `${line.slice(20)}\n`);
    const complete = await collect(path, partial.next);
    expect(complete.records).toMatchObject([{ record: { t: 'begin', i: 0 }, offset: head.next }]);
  });

  it('reads the same batches as readJournal, and the record at any offset it gave', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    const big = Array.from({ length: 3000 }, (_, i) => `+4474001${String(i).padStart(5, '0')}`);
    await journal.begin({ index: 0, recipients: big });
    await journal.begin({ index: 1, recipients: ['+447400000009'] });
    await journal.settle(1, { status: 'refused', code: 'bad_request', message: 'no' });
    await journal.close();
    const { records } = await collect(path);
    const begins = records.filter((r) => r.record.t === 'begin');
    expect(begins.map((r) => (r.record.t === 'begin' ? r.record.i : -1))).toEqual([...(await readJournal(path)).batches.keys()]);
    // A line longer than the first read (3000 numbers: ~50 kB) is read whole.
    expect(await readJournalRecordAt(path, begins[0]!.offset)).toEqual(begins[0]!.record);
    expect(await readJournalRecordAt(path, begins[1]!.offset)).toMatchObject({ t: 'begin', i: 1, to: ['+447400000009'] });
  });

  it('refuses a file that is not a journal, a damaged complete line, and an offset with no complete record', async () => {
    const notJournal = fresh();
    writeFileSync(notJournal, 'phone\n+447400000001\n');
    await expect(collect(notJournal)).rejects.toThrow(/not a msgkit campaign journal/);
    const damaged = fresh();
    await (await openFileJournal(damaged, identity)).close();
    const { next } = await collect(damaged);
    appendFileSync(damaged, 'garbage\n');
    await expect(collect(damaged, next)).rejects.toThrow(new RegExp(`byte ${next}: not a journal record`));
    truncateSync(damaged, next);
    await expect(readJournalRecordAt(damaged, next)).rejects.toThrow(/no complete record/);
    await expect(collect(damaged, -1)).rejects.toThrow(RangeError);
  });
});
