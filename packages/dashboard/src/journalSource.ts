/**
 * A campaign journal file (`msgkit send --journal`) as the dashboard follows it: each refresh reads
 * only the records appended since the last one (`readJournalRecords` from the last offset), and
 * keeps per batch its size, its recipients per country and the byte offset of its `begin` record,
 * never the recipients themselves: the unknown list reads them back a page at a time. What became
 * of the recipients after the send (delivery reports, reconcile answers) splits each batch further
 * (`Deliveries`).
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BatchOutcome } from '@msgkit/core';
import { interruptedOutcome } from '@msgkit/core/internal';
import { lockHolder, readJournalRecordAt, readJournalRecords, type CampaignHeader, type JournalRecord } from '@msgkit/journal';
import { countriesOf, failureOf, type Campaign, type CampaignInfo, type UnknownPage, type UnknownRecipient } from './campaign';
import { Deliveries } from './deliveries';
import { maskNumber, maskText } from './mask';
import { CampaignTotals, type Part } from './totals';

interface BatchState {
  /** Where its latest `begin` record starts in the file. */
  offset: number;
  size: number;
  countries: Map<string, number>;
  outcome?: BatchOutcome;
}

export class JournalCampaign implements Campaign {
  readonly id: string;
  readonly path: string;
  readonly totals = new CampaignTotals();
  #header: CampaignHeader | undefined;
  #batches = new Map<number, BatchState>();
  #offset = 0;
  #file: { dev: number; ino: number } | undefined;
  #running = false;
  #canReveal = false;
  #notes: string[] = [];
  readonly #deliveries = new Deliveries();

  constructor(path: string) {
    this.path = resolve(path);
    this.id = `j${createHash('sha256').update(this.path).digest('hex').slice(0, 12)}`;
  }

  info(): CampaignInfo {
    return {
      id: this.id,
      source: 'journal',
      name: basename(this.path),
      campaignId: this.#header?.campaignId ?? '',
      provider: this.#header?.provider ?? '',
      ...(this.#header && { created: this.#header.created }),
      running: this.#running,
      canReveal: this.#canReveal,
      notes: [...this.#notes],
    };
  }

  async refresh(): Promise<boolean> {
    const before = this.totals.version;
    const file = await stat(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!file) {
      this.#notes = ['the journal file is gone'];
      return this.#reset() || this.totals.version !== before;
    }
    // Another file under the same name (a new campaign), or one cut shorter than what was read: read it anew.
    if (this.#file && (this.#file.dev !== file.dev || this.#file.ino !== file.ino || file.size < this.#offset || !(await this.#sameHeader()))) this.#reset();
    this.#file = { dev: file.dev, ino: file.ino };
    this.#canReveal = typeof process.getuid !== 'function' || process.getuid() === file.uid;
    this.#notes = [];
    if (file.size > this.#offset) this.#offset = await readJournalRecords(this.path, { from: this.#offset, each: (record, offset) => this.#read(record, offset) });
    for (const index of await this.#deliveries.settle(this.path, (i) => this.#batches.get(i)?.offset)) {
      const batch = this.#batches.get(index);
      if (batch) this.totals.set(String(index), this.#parts(index, batch));
    }
    const running = (await lockHolder(this.path)) !== undefined;
    if (running !== this.#running) {
      this.#running = running;
      // Begun and not settled: being sent while the run lives; once it stopped, unknown (interrupted).
      for (const [index, batch] of this.#batches) if (!batch.outcome) this.totals.set(String(index), this.#parts(index, batch));
    }
    return this.totals.version !== before;
  }

  // A file removed and made again can get the same inode: its header (id, creation time) tells.
  async #sameHeader(): Promise<boolean> {
    const first = await readJournalRecordAt(this.path, 0).catch(() => undefined);
    return first?.t === 'campaign' && first.campaignId === this.#header?.campaignId && first.created === this.#header.created;
  }

  #reset(): boolean {
    const had = this.#offset > 0;
    this.#header = undefined;
    this.#batches = new Map();
    this.#offset = 0;
    this.#file = undefined;
    this.#deliveries.clear();
    for (const key of [...this.totals.keys()]) this.totals.delete(key);
    return had;
  }

  #read(record: JournalRecord, offset: number): void {
    if (record.t === 'campaign') {
      this.#header = record;
      return;
    }
    // What became of a batch after its send is not its send's outcome: the batch splits by it once the pass ends.
    if (record.t === 'reconcile' || record.t === 'delivery') {
      this.#deliveries.read(record, offset);
      return;
    }
    if (record.t === 'begin') {
      // A batch begun again (a resume) replaces what it was.
      this.#batches.set(record.i, { offset, size: record.to.length, countries: countriesOf(record.to) });
    } else {
      const batch = this.#batches.get(record.i);
      if (!batch) return;
      const { t: _t, i: _i, ...outcome } = record;
      batch.outcome = outcome as BatchOutcome;
    }
    this.totals.set(String(record.i), this.#parts(record.i, this.#batches.get(record.i)!));
  }

  #outcome(batch: BatchState): BatchOutcome | undefined {
    return batch.outcome ?? (this.#running ? undefined : interruptedOutcome);
  }

  #parts(index: number, batch: BatchState): Part[] {
    return this.#deliveries.split(index, this.#base(batch));
  }

  /** The whole batch by its send's outcome. */
  #base(batch: BatchState): Part {
    const vendor = this.#header?.provider ?? '';
    const base = { vendor, count: batch.size, countries: batch.countries };
    const outcome = this.#outcome(batch);
    if (!outcome) return { ...base, state: 'pending' };
    if (outcome.status === 'sent') return { ...base, state: 'sent' };
    const failure = failureOf(outcome);
    return outcome.status === 'refused' ? { ...base, state: 'failed', failure, refused: true } : { ...base, state: 'unknown', failure };
  }

  /** Recipients of the batch whose state is unknown (by the send's outcome, or a lookup's). */
  #unknownCount(index: number, batch: BatchState): number {
    return (this.totals.get(String(index)) ?? []).reduce((n, part) => n + (part.state === 'unknown' ? part.count : 0), 0);
  }

  async unknown(offset: number, limit: number, reveal: boolean): Promise<UnknownPage> {
    const batches = [...this.#batches].filter(([i, b]) => this.#unknownCount(i, b) > 0).sort(([a], [b]) => a - b);
    const total = batches.reduce((n, [i, b]) => n + this.#unknownCount(i, b), 0);
    const recipients: UnknownRecipient[] = [];
    const show = reveal && this.#canReveal ? (n: string) => n : maskNumber;
    let start = 0;
    for (const [index, batch] of batches) {
      if (recipients.length >= limit) break;
      const size = this.#unknownCount(index, batch);
      if (start + size > offset) {
        const record = await readJournalRecordAt(this.path, batch.offset);
        if (record.t !== 'begin') throw new Error(`${this.path}: byte ${batch.offset} is no begin record`);
        const base = this.#base(batch);
        let k = start;
        for (let j = 0; j < record.to.length && recipients.length < limit; j++) {
          const to = record.to[j]!;
          const { state, failure } = this.#deliveries.standing(index, to) ?? base;
          if (state !== 'unknown' || k++ < offset) continue;
          const row = record.rows?.[j];
          recipients.push({ number: show(to), ...(row !== undefined && { row }), batch: index, vendor: base.vendor, code: failure!.code, ...(failure!.reason !== undefined && { reason: failure!.reason }) });
        }
      }
      start += size;
    }
    return { total, offset, recipients };
  }

  async close(): Promise<void> {}
}

/**
 * The journals of a folder: every regular file whose first record is a campaign journal's header,
 * found again on every refresh (a campaign started later appears); lock files and anything else
 * are left alone.
 */
export class JournalFolder {
  readonly dir: string;
  #campaigns = new Map<string, JournalCampaign>();
  /** Files that are not journals, by name, with the size and time they had when read. */
  #others = new Map<string, string>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async refresh(): Promise<JournalCampaign[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    const names = new Set<string>();
    for (const entry of entries) {
      if (!entry.isFile() || /\.lock(\.|$)/.test(entry.name)) continue;
      names.add(entry.name);
      if (this.#campaigns.has(entry.name)) continue;
      const path = join(this.dir, entry.name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      const seen = `${info.size}:${info.mtimeMs}`;
      if (this.#others.get(entry.name) === seen) continue;
      const first = await readJournalRecordAt(path, 0).catch(() => undefined);
      if (first?.t === 'campaign') this.#campaigns.set(entry.name, new JournalCampaign(path));
      else this.#others.set(entry.name, seen);
    }
    for (const name of [...this.#campaigns.keys()]) if (!names.has(name)) this.#campaigns.delete(name);
    return [...this.#campaigns.values()];
  }
}
