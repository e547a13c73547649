/**
 * The journal file as the record of a failover chain (core's `FailoverJournal`): a journal opened
 * with `{ chain }` holds, after its header (`v: 2`), two records per attempt of a batch:
 * - `attempt`: attempt `a` of batch `i` is about to be sent to sender `s`: its recipients `to` (and
 *   their input rows), its key `k`, `r` when it resends attempt `r` (unknown) with that key, `p`
 *   the proofs of recipients an earlier vendor sent that it moves on, and when it was begun (`at`);
 * - `done`: how attempt `a` of batch `i` ended (`o`: core's AttemptOutcome). An attempt the vendor
 *   accepted without naming it (no id, no message id: Octopush's code 120 to a resend, which proves
 *   the first send was accepted and gives no ticket) is recorded with `code: 'ticket_unknown'` beside
 *   `status: 'sent'` (see `ticketUnknown`); journals written before that mark have the same `sent`
 *   outcome without it, and `ticketUnknown` reads them alike. Readers that do not know the mark read
 *   such an attempt as sent, which it is.
 * Each is appended and fdatasynced before its promise resolves (FileJournal.append), so the request
 * of an attempt leaves only once its record would survive a crash, and a write error rejects it,
 * which stops the chain before that request.
 *
 * Only where each batch's records lie in the file is kept in memory (a few numbers per attempt);
 * a batch's attempts are read back from the file when a run reaches it, so a journal of millions
 * of recipients resumes in bounded memory.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { AttemptOutcome, FailoverAttempt, FailoverJournal, MoveProof } from '@msgkit/core';
import type { FileJournal } from './fileJournal';

/** A chain journal's (v2) record of one attempt, written before its request leaves: batch `i`, attempt `a`, sender `s`, recipients `to`. */
export interface AttemptLine {
  t: 'attempt';
  i: number;
  a: number;
  s: string;
  to: string[];
  /** Where each recipient came from (its row in the input), in the order of `to`. */
  rows?: number[];
  k?: string;
  r?: number;
  /** The recipients an earlier vendor sent that this attempt moves on, each with its proof (a final negative report, or a timer asked for by name). */
  p?: MoveProof[];
  /** When the attempt was begun (ISO 8601): reconcile judges by it whether the vendor still keeps the send. Absent in older journals. */
  at?: string;
}

/** A chain journal's (v2) record of how attempt `a` of batch `i` ended (`o`), written after its answer. */
export interface DoneLine {
  t: 'done';
  i: number;
  a: number;
  o: RecordedOutcome;
}

/**
 * The mark of recipients a vendor accepted without naming the send: it answered no id and no
 * message id. Octopush answers a resend whose request_id it already accepted with code 120 and no
 * ticket, and documents no lookup of a send by request_id: the first send was accepted, its ticket
 * stays unknown, and nothing can be looked up by it (msgkit reconcile). The word is the queue's
 * (`reports: 'ticket_unknown'` on a batch), so the user meets one word for one state.
 */
export const TICKET_UNKNOWN = 'ticket_unknown';

/** An attempt's outcome as the journal records it: core's, and a `sent` one may carry the `ticket_unknown` mark. */
export type RecordedOutcome = AttemptOutcome | (Extract<AttemptOutcome, { status: 'sent' }> & { code: typeof TICKET_UNKNOWN });

/**
 * Whether the vendor accepted this attempt without naming it (see TICKET_UNKNOWN): a `sent` outcome
 * with the mark, or, as in journals written before the mark and in a run's own answers, a `sent`
 * outcome with no id, no message id and no recipient refused in it.
 */
export function ticketUnknown(outcome: RecordedOutcome | undefined): boolean {
  if (outcome?.status !== 'sent') return false;
  if ((outcome as { code?: unknown }).code === TICKET_UNKNOWN) return true;
  return outcome.ids.length === 0 && !outcome.messages?.length && !outcome.refused?.length;
}

/** An attempt as recorded, with the input rows of its recipients where the writer gave them. */
export interface RecordedAttempt extends FailoverAttempt {
  rows?: number[];
  /** When it was begun (ISO 8601), where the journal recorded it. */
  at?: string;
}

/** Where one attempt's records lie in the file: [offset, length] of its `attempt` line and, once settled, of its `done` line. */
export interface AttemptLocation {
  begin: readonly [number, number];
  done?: readonly [number, number];
}

/** Where each batch's attempt records lie in the journal file, by batch index. */
export class AttemptIndex {
  readonly #batches = new Map<number, AttemptLocation[]>();
  #reader: { path: string; fd: number } | undefined;

  get size(): number {
    return this.#batches.size;
  }

  /** Where the attempts of `batch` lie in the file, oldest first; undefined for a batch never begun. */
  get(batch: number): readonly AttemptLocation[] | undefined {
    return this.#batches.get(batch);
  }

  /** Every batch that has an attempt, in the order first begun. */
  keys(): IterableIterator<number> {
    return this.#batches.keys();
  }

  /** What is wrong with `record` as the next record of its batch, if anything. */
  check(record: AttemptLine | DoneLine): string | undefined {
    if (!Number.isSafeInteger(record.i) || !Number.isSafeInteger(record.a)) return 'a record without a batch and attempt number';
    const list = this.#batches.get(record.i) ?? [];
    if (record.t === 'attempt') return record.a === list.length ? undefined : `attempt ${record.a} of batch ${record.i} comes after ${list.length} attempts`;
    const attempt = list[record.a];
    return !attempt || attempt.done ? `settles attempt ${record.a} of batch ${record.i}, which was not begun or was settled before` : undefined;
  }

  /** Adds a record found at `offset`; returns what is wrong with it (and adds nothing) when it does not follow the batch's record. */
  add(record: AttemptLine | DoneLine, offset: number, length: number): string | undefined {
    const problem = this.check(record);
    if (problem) return problem;
    const list = this.#batches.get(record.i) ?? [];
    if (record.t === 'attempt') {
      list.push({ begin: [offset, length] });
      this.#batches.set(record.i, list);
    } else {
      list[record.a]!.done = [offset, length];
    }
    return undefined;
  }

  /** The attempts of `batch`, oldest first, read from the file at `path` (one begun and never settled has no outcome). */
  read(path: string, batch: number): RecordedAttempt[] {
    const list = this.#batches.get(batch);
    if (!list) return [];
    const fd = this.#fd(path);
    return list.map(({ begin, done }) => {
      const line = readLine(fd, begin) as AttemptLine;
      const attempt: RecordedAttempt = { batch: line.i, attempt: line.a, sender: line.s, recipients: line.to };
      if (line.k !== undefined) attempt.dedupeKey = line.k;
      if (line.r !== undefined) attempt.resendOf = line.r;
      if (line.p !== undefined) attempt.proofs = line.p;
      if (line.rows !== undefined) attempt.rows = line.rows;
      if (line.at !== undefined) attempt.at = line.at;
      if (done) attempt.outcome = (readLine(fd, done) as DoneLine).o;
      return attempt;
    });
  }

  /** Closes the file descriptor `read` keeps open; the next `read` opens it again. */
  closeReader(): void {
    if (this.#reader) closeSync(this.#reader.fd);
    this.#reader = undefined;
  }

  #fd(path: string): number {
    if (this.#reader?.path !== path) {
      this.closeReader();
      this.#reader = { path, fd: openSync(path, 'r') };
    }
    return this.#reader.fd;
  }
}

function readLine(fd: number, [offset, length]: readonly [number, number]): unknown {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, offset + read);
    if (n === 0) break;
    read += n;
  }
  return JSON.parse(buffer.toString('utf8', 0, read));
}

/** What `FileJournal.failover()` records with each attempt beyond core's record. */
export interface FailoverJournalOptions {
  /** The input rows of an attempt's recipients, recorded with it (so a report can name the rows). */
  rows?: (attempt: Omit<FailoverAttempt, 'outcome'>) => readonly number[] | undefined;
}

/** A FileJournal (opened with `{ chain }`) as core's FailoverJournal; see the module comment. */
export class FileFailoverJournal implements FailoverJournal {
  constructor(
    private readonly file: FileJournal,
    private readonly index: AttemptIndex,
    private readonly options: FailoverJournalOptions,
  ) {}

  attempts(batch: number): RecordedAttempt[] {
    return this.index.read(this.file.path, batch);
  }

  async begin(attempt: Omit<FailoverAttempt, 'outcome'>): Promise<void> {
    const rows = this.options.rows?.(attempt);
    const line: AttemptLine = {
      t: 'attempt',
      i: attempt.batch,
      a: attempt.attempt,
      s: attempt.sender,
      to: attempt.recipients,
      ...(rows && { rows: [...rows] }),
      ...(attempt.dedupeKey !== undefined && { k: attempt.dedupeKey }),
      ...(attempt.resendOf !== undefined && { r: attempt.resendOf }),
      ...(attempt.proofs !== undefined && { p: attempt.proofs }),
      at: new Date().toISOString(),
    };
    await this.#write(line);
  }

  async settle(batch: number, attempt: number, outcome: AttemptOutcome): Promise<void> {
    // Accepted without an id: the mark is written as data, so no reader has to infer it.
    const o: RecordedOutcome = outcome.status === 'sent' && ticketUnknown(outcome) ? { ...outcome, code: TICKET_UNKNOWN } : outcome;
    await this.#write({ t: 'done', i: batch, a: attempt, o });
  }

  async #write(line: AttemptLine | DoneLine): Promise<void> {
    // Out of order is a caller's bug: refused before it is written, not found as damage on resume.
    const problem = this.index.check(line);
    if (problem) throw new RangeError(problem);
    const text = JSON.stringify(line);
    const offset = await this.file.append(text);
    this.index.add(line, offset, Buffer.byteLength(text));
  }
}
