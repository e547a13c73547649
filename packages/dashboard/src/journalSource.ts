/**
 * A campaign journal file (`msgkit send --journal`) as the dashboard follows it: each refresh reads
 * only the records appended since the last one (`readJournalRecords` from the last offset), and
 * keeps per batch its size, its recipients per country and the byte offset of its `begin` record,
 * never the recipients themselves: the unknown list reads them back a page at a time.
 *
 * A failover chain's journal (`send -p a,b`, header v2) records attempts: a batch's attempt and
 * done records are read back from their offsets whenever one is added, and read by core's own rule
 * (planChain, what a resume follows), so each recipient counts once, at the provider where it stands.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AttemptOutcome, BatchOutcome, FailoverAttempt, RecipientState } from '@msgkit/core';
import { interruptedOutcome, planChain } from '@msgkit/core/internal';
import { lockHolder, readJournalRecordAt, readJournalRecords, type CampaignHeader, type JournalRecord } from '@msgkit/journal';
import { countriesOf, failureOf, type Campaign, type CampaignInfo, type UnknownPage, type UnknownRecipient } from './campaign';
import { maskNumber, maskText } from './mask';
import { CampaignTotals, type Part } from './totals';

interface BatchState {
  /** Where its latest `begin` record starts in the file. */
  offset: number;
  size: number;
  countries: Map<string, number>;
  outcome?: BatchOutcome;
  /** A chain's batch: where each attempt's records start in the file, and its recipients grouped by where they stand. */
  attempts?: Array<{ begin: number; done?: number }>;
  groups?: ChainGroup[];
}

/** Recipients of a chain's batch that stand alike: sent by, refused at, unknown at or in flight at one sender. */
interface ChainGroup {
  sender: string;
  /**
   * `open`: an attempt begun and not settled (being sent while the run lives, else interrupted);
   * `between`: refused with proof by one provider, not yet asked of the next (nothing sent).
   */
  status: 'sent' | 'refused' | 'unknown' | 'open' | 'between';
  count: number;
  countries: Map<string, number>;
  failure?: { code: string; message?: string; vendorCode?: string | number; reason?: string };
}

interface ChainBatch {
  attempts: Array<FailoverAttempt & { rows?: number[] }>;
  states: Map<string, RecipientState>;
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
  /** Chain batches with records added since their groups were last read. */
  #changed = new Set<number>();

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
    for (const index of this.#changed) await this.#plan(index);
    this.#changed.clear();
    const running = (await lockHolder(this.path)) !== undefined;
    if (running !== this.#running) {
      this.#running = running;
      // Begun and not settled: being sent while the run lives; once it stopped, unknown (interrupted).
      for (const [index, batch] of this.#batches) if (!batch.outcome) this.totals.set(String(index), this.#parts(batch));
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
    for (const key of [...this.totals.keys()]) this.totals.delete(key);
    return had;
  }

  #read(record: JournalRecord, offset: number): void {
    if (record.t === 'campaign') {
      this.#header = record;
      return;
    }
    // What became of a batch after its send (reconcile, delivery reports) is not its send's outcome.
    if (record.t === 'reconcile' || record.t === 'delivery') return;
    if (record.t === 'attempt' || record.t === 'done') {
      let batch = this.#batches.get(record.i);
      if (!batch) this.#batches.set(record.i, (batch = { offset, size: 0, countries: new Map(), attempts: [] }));
      if (record.t === 'attempt') batch.attempts!.push({ begin: offset });
      else if (batch.attempts![record.a]) batch.attempts![record.a]!.done = offset;
      this.#changed.add(record.i);
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
    this.totals.set(String(record.i), this.#parts(this.#batches.get(record.i)!));
  }

  /** A chain's batch read back from the file: its attempts, and where each recipient stands. */
  async #chain(batch: BatchState): Promise<ChainBatch> {
    const chain = this.#header?.chain ?? [];
    const attempts: ChainBatch['attempts'] = [];
    for (const { begin, done } of batch.attempts ?? []) {
      const line = await readJournalRecordAt(this.path, begin);
      if (line.t !== 'attempt') throw new Error(`${this.path}: byte ${begin} is no attempt record`);
      const outcome = done === undefined ? undefined : await readJournalRecordAt(this.path, done);
      attempts.push({
        batch: line.i,
        attempt: line.a,
        sender: line.s,
        recipients: line.to,
        ...(line.rows && { rows: line.rows }),
        ...(line.k !== undefined && { dedupeKey: line.k }),
        ...(line.r !== undefined && { resendOf: line.r }),
        ...(outcome?.t === 'done' && { outcome: outcome.o }),
      });
    }
    const recipients = attempts[0]?.recipients ?? [];
    return { attempts, states: planChain(chain, chain.map(() => false), recipients, attempts).states };
  }

  async #plan(index: number): Promise<void> {
    const batch = this.#batches.get(index);
    if (!batch?.attempts) return;
    const { attempts, states } = await this.#chain(batch);
    const groups = new Map<string, ChainGroup & { numbers: string[] }>();
    for (const [to, state] of states) {
      const { sender, status, failure } = standing(this.#header?.chain ?? [], attempts, state, to);
      const key = `${status}\u0000${sender}\u0000${failure?.code ?? ''}\u0000${failure?.reason ?? failure?.message ?? ''}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { sender, status, count: 0, countries: new Map(), ...(failure && { failure }), numbers: [] }));
      group.count++;
      group.numbers.push(to);
    }
    batch.size = states.size;
    batch.groups = [...groups.values()].map(({ numbers, ...group }) => ({ ...group, countries: countriesOf(numbers) }));
    this.totals.set(String(index), this.#parts(batch));
  }

  #outcome(batch: BatchState): BatchOutcome | undefined {
    return batch.outcome ?? (this.#running ? undefined : interruptedOutcome);
  }

  #parts(batch: BatchState): Part[] {
    if (batch.attempts) {
      return (batch.groups ?? []).map((g): Part => {
        const base = { vendor: g.sender, count: g.count, countries: g.countries };
        if (g.status === 'sent') return { ...base, state: 'sent' };
        if (g.status === 'refused') return { ...base, state: 'failed', failure: failureOf(g.failure!), refused: true };
        if (g.status === 'unknown') return { ...base, state: 'unknown', failure: failureOf(g.failure!) };
        if (this.#running) return { ...base, state: 'pending' };
        // The run stopped: an attempt in flight is unknown (interrupted), as a resume reads it; a
        // recipient between providers was sent nothing, and a resume asks the next one.
        if (g.status === 'between') return { ...base, state: 'failed', failure: { code: 'not_sent', reason: 'the run stopped before the next provider of the chain' }, refused: true };
        return { ...base, state: 'unknown', failure: failureOf(interruptedOutcome) };
      });
    }
    const vendor = this.#header?.provider ?? '';
    const base = { vendor, count: batch.size, countries: batch.countries };
    const outcome = this.#outcome(batch);
    if (!outcome) return [{ ...base, state: 'pending' }];
    if (outcome.status === 'sent') return [{ ...base, state: 'sent' }];
    const failure = failureOf(outcome);
    return [outcome.status === 'refused' ? { ...base, state: 'failed', failure, refused: true } : { ...base, state: 'unknown', failure }];
  }

  /** Recipients of a batch listed as unknown: all of a batch of unknown outcome; those of a chain's unknown groups. */
  #unknownCount(batch: BatchState): number {
    if (!batch.attempts) return this.#outcome(batch)?.status === 'unknown' ? batch.size : 0;
    return (batch.groups ?? []).reduce((n, g) => n + (g.status === 'unknown' || (g.status === 'open' && !this.#running) ? g.count : 0), 0);
  }

  async unknown(offset: number, limit: number, reveal: boolean): Promise<UnknownPage> {
    const batches = [...this.#batches].filter(([, b]) => this.#unknownCount(b) > 0).sort(([a], [b]) => a - b);
    const total = batches.reduce((n, [, b]) => n + this.#unknownCount(b), 0);
    const recipients: UnknownRecipient[] = [];
    const show = reveal && this.#canReveal ? (n: string) => n : maskNumber;
    let start = 0;
    for (const [index, batch] of batches) {
      if (recipients.length >= limit) break;
      const size = this.#unknownCount(batch);
      if (start + size > offset) {
        if (batch.attempts) {
          const { attempts, states } = await this.#chain(batch);
          const first = attempts[0]!;
          const rowOf = new Map(first.rows ? first.recipients.map((to, k) => [to, first.rows![k]!]) : []);
          let k = 0;
          for (const [to, state] of states) {
            const at = standing(this.#header?.chain ?? [], attempts, state, to);
            if (at.status !== 'unknown' && (at.status !== 'open' || this.#running)) continue;
            if (k++ < offset - start || recipients.length >= limit) continue;
            const failure = failureOf(at.failure ?? interruptedOutcome);
            const row = rowOf.get(to);
            recipients.push({ number: show(to), ...(row !== undefined && { row }), batch: index, vendor: at.sender, code: failure.code, ...(failure.reason !== undefined && { reason: failure.reason }) });
          }
        } else {
          const record = await readJournalRecordAt(this.path, batch.offset);
          if (record.t !== 'begin') throw new Error(`${this.path}: byte ${batch.offset} is no begin record`);
          const outcome = this.#outcome(batch) as Extract<BatchOutcome, { status: 'unknown' }>;
          const failure = failureOf(outcome);
          for (let k = Math.max(0, offset - start); k < record.to.length && recipients.length < limit; k++) {
            const row = record.rows?.[k];
            recipients.push({ number: show(record.to[k]!), ...(row !== undefined && { row }), batch: index, vendor: this.#header?.provider ?? '', code: failure.code, ...(failure.reason !== undefined && { reason: failure.reason }) });
          }
        }
      }
      start += size;
    }
    return { total, offset, recipients };
  }

  async close(): Promise<void> {}
}

/** Where one recipient of a chain's batch stands: at which sender, how, and why where it is not sent. */
function standing(chain: readonly string[], attempts: ReadonlyArray<FailoverAttempt>, state: RecipientState, to: string): Pick<ChainGroup, 'sender' | 'status' | 'failure'> {
  if (state.status === 'sent') return { sender: state.sender, status: 'sent' };
  if (state.status === 'unknown') {
    const outcome = attempts[state.attempt]!.outcome;
    return outcome?.status === 'unknown' ? { sender: state.sender, status: 'unknown', failure: outcome } : { sender: state.sender, status: 'open' };
  }
  const at = state.status === 'refused' ? state.attempt : state.last;
  const attempt = at === undefined ? undefined : attempts[at];
  // Between two providers: the next one is asked when the run goes on (or a resume does).
  if (state.status === 'pending') return { sender: chain[state.next] ?? attempt?.sender ?? '', status: 'between' };
  return { sender: attempt?.sender ?? chain[0] ?? '', status: 'refused', failure: refusalOf(attempt?.outcome, to) };
}

function refusalOf(outcome: AttemptOutcome | undefined, to: string): NonNullable<ChainGroup['failure']> {
  if (outcome?.status === 'refused') return outcome;
  const refused = outcome?.status === 'sent' ? outcome.refused?.find((r) => r.to === to) : undefined;
  return refused ? { code: refused.code, ...(refused.reason !== undefined && { reason: refused.reason }) } : { code: 'refused' };
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
