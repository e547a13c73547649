/**
 * A campaign journal file (`msgkit send --journal`) as the dashboard follows it: each refresh reads
 * only the records appended since the last one (`readJournalRecords` from the last offset), and
 * keeps per batch its size, its recipients per country and the byte offset of its `begin` record,
 * never the recipients themselves: the unknown list reads them back a page at a time. What became
 * of the recipients after the send (delivery reports, reconcile answers) splits each batch further
 * (`Deliveries`).
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
import { lockHolder, readJournalRecordAt, readJournalRecords, ticketUnknown, type CampaignHeader, type JournalRecord } from '@msgkit/journal';
import { countriesOf, failureOf, type Campaign, type CampaignInfo, type UnknownPage, type UnknownRecipient } from './campaign';
import { Deliveries } from './deliveries';
import { maskNumber, maskText } from './mask';
import { CampaignTotals, type Part } from './totals';

interface BatchState {
  /** Where its latest `begin` record (a chain's: its first attempt's) starts in the file. */
  offset: number;
  size: number;
  countries: Map<string, number>;
  outcome?: BatchOutcome;
  /** A chain's batch: where each attempt's records start in the file. */
  attempts?: Array<{ begin: number; done?: number }>;
}

/** Where recipients of a chain's batch stand alike: sent by, refused at, unknown at or in flight at one sender. */
interface ChainStanding {
  sender: string;
  /**
   * `open`: an attempt begun and not settled (being sent while the run lives, else interrupted);
   * `between`: refused with proof by one provider, not yet asked of the next (nothing sent).
   */
  status: 'sent' | 'refused' | 'unknown' | 'open' | 'between';
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
  readonly #deliveries = new Deliveries();
  /** Chain batches with attempt records added since their parts were last read. */
  readonly #changed = new Set<number>();
  /** Per chain batch, its recipients sent by an attempt the vendor accepted without naming it (`ticket_unknown`: Octopush's code 120 to a resend). */
  readonly #ticketUnknown = new Map<number, number>();

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
      notes: [...this.#notes, ...this.#ticketUnknownNote()],
    };
  }

  /** The count of `ticket_unknown` recipients, with the queue's and the journal's word: sent (and shown so), their ticket not known. */
  #ticketUnknownNote(): string[] {
    let n = 0;
    for (const count of this.#ticketUnknown.values()) n += count;
    return n === 0 ? [] : [`${n} recipients sent with ticket_unknown: the vendor refused a resend with the key of a send it had accepted (Octopush code 120), so that send's ticket is not known; they count as sent`];
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
    const changed = new Set([...this.#changed, ...(await this.#deliveries.settle(this.path, (i) => this.#batches.get(i)?.offset))]);
    this.#changed.clear();
    for (const index of changed) await this.#update(index);
    const running = (await lockHolder(this.path)) !== undefined;
    if (running !== this.#running) {
      this.#running = running;
      // Begun and not settled: being sent while the run lives; once it stopped, unknown (interrupted).
      for (const [index, batch] of this.#batches) if (batch.attempts || !batch.outcome) await this.#update(index);
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
    this.#changed.clear();
    this.#ticketUnknown.clear();
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
    if (record.t === 'attempt' || record.t === 'done') {
      let batch = this.#batches.get(record.i);
      // The first attempt of a batch is sent to the whole batch: its record stands for the batch's begin.
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
    this.totals.set(String(record.i), this.#parts(record.i, this.#batches.get(record.i)!));
  }

  async #update(index: number): Promise<void> {
    const batch = this.#batches.get(index);
    if (!batch) return;
    this.totals.set(String(index), batch.attempts ? await this.#chainParts(index, batch) : this.#parts(index, batch));
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
        // A move after the send (msgkit send --failover-on-report …): the proofs that moved them.
        ...(line.p !== undefined && { proofs: line.p }),
        ...(outcome?.t === 'done' && { outcome: outcome.o }),
      });
    }
    const recipients = attempts[0]?.recipients ?? [];
    return { attempts, states: planChain(chain, chain.map(() => false), recipients, attempts).states };
  }

  /** A chain's batch as parts: one per sender and standing, each split further by its recipients' reports and lookups. */
  async #chainParts(index: number, batch: BatchState): Promise<Part[]> {
    const { attempts, states } = await this.#chain(batch);
    const groups = new Map<string, { at: ChainStanding; numbers: Set<string> }>();
    let noTicket = 0;
    for (const [to, state] of states) {
      if (state.status === 'sent' && ticketUnknown(attempts[state.attempt]?.outcome)) noTicket++;
      const at = standing(this.#header?.chain ?? [], attempts, state, to);
      const key = `${at.status}\u0000${at.sender}\u0000${at.failure?.code ?? ''}\u0000${at.failure?.reason ?? at.failure?.message ?? ''}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { at, numbers: new Set() }));
      group.numbers.add(to);
    }
    batch.size = states.size;
    if (noTicket > 0) this.#ticketUnknown.set(index, noTicket);
    else this.#ticketUnknown.delete(index);
    const accepted = acceptedBy(attempts);
    return [...groups.values()].flatMap(({ at, numbers }) => this.#deliveries.split(index, { vendor: at.sender, count: numbers.size, countries: countriesOf([...numbers]), ...this.#stateOf(at) }, numbers, (to) => accepted.get(to)));
  }

  /** A chain standing as the page shows it. */
  #stateOf(at: ChainStanding): Pick<Part, 'state' | 'failure' | 'refused'> {
    if (at.status === 'sent') return { state: 'sent' };
    if (at.status === 'refused') return { state: 'failed', failure: failureOf(at.failure!), refused: true };
    if (at.status === 'unknown') return { state: 'unknown', failure: failureOf(at.failure!) };
    if (this.#running) return { state: 'pending' };
    // The run stopped: an attempt in flight is unknown (interrupted), as a resume reads it; a
    // recipient between providers was sent nothing, and a resume asks the next one.
    if (at.status === 'between') return { state: 'failed', failure: { code: 'not_sent', reason: 'the run stopped before the next provider of the chain' }, refused: true };
    return { state: 'unknown', failure: failureOf(interruptedOutcome) };
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
      if (start + size > offset && batch.attempts) {
        const { attempts, states } = await this.#chain(batch);
        const first = attempts[0]!;
        const rowOf = new Map(first.rows ? first.recipients.map((to, j) => [to, first.rows![j]!]) : []);
        let k = start;
        for (const [to, state] of states) {
          if (recipients.length >= limit) break;
          const at = standing(this.#header?.chain ?? [], attempts, state, to);
          const { state: shown, failure } = this.#deliveries.standing(index, to, at.sender) ?? this.#stateOf(at);
          if (shown !== 'unknown' || k++ < offset) continue;
          const row = rowOf.get(to);
          recipients.push({ number: show(to), ...(row !== undefined && { row }), batch: index, vendor: at.sender, code: failure!.code, ...(failure!.reason !== undefined && { reason: failure!.reason }) });
        }
      } else if (start + size > offset) {
        const record = await readJournalRecordAt(this.path, batch.offset);
        if (record.t !== 'begin') throw new Error(`${this.path}: byte ${batch.offset} is no begin record`);
        const base = this.#base(batch);
        let k = start;
        for (let j = 0; j < record.to.length && recipients.length < limit; j++) {
          const to = record.to[j]!;
          const { state, failure } = this.#deliveries.standing(index, to, base.vendor) ?? base;
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

/** Where one recipient of a chain's batch stands: at which sender, how, and why where it is not sent. */
function standing(chain: readonly string[], attempts: ReadonlyArray<FailoverAttempt>, state: RecipientState, to: string): ChainStanding {
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

/**
 * The providers that accepted each recipient of a chain's batch: those whose attempt to it was
 * sent and did not refuse it. Each one charged for its message (a refusal before acceptance costs
 * nothing; an unknown send is the unknown outcome's to say).
 */
function acceptedBy(attempts: ReadonlyArray<FailoverAttempt>): Map<string, string[]> {
  const accepted = new Map<string, string[]>();
  for (const a of attempts) {
    if (a.outcome?.status !== 'sent') continue;
    const refused = new Set((a.outcome.refused ?? []).map((r) => r.to));
    for (const to of a.recipients) {
      if (refused.has(to)) continue;
      const senders = accepted.get(to);
      if (!senders) accepted.set(to, [a.sender]);
      else if (!senders.includes(a.sender)) senders.push(a.sender);
    }
  }
  return accepted;
}

function refusalOf(outcome: AttemptOutcome | undefined, to: string): NonNullable<ChainStanding['failure']> {
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
