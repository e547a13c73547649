/**
 * The per-row results file: one row per input row, in input order, msgkit's columns then the
 * input's own. Rows are known in two streams: at once (invalid, duplicate) and per batch, when
 * the batch settles, batches settling in any order. Each stream goes to its own file beside the
 * results, in bounded memory; at the end the two are merged by input position into a new file,
 * synced and renamed over the results path, so a run never leaves a half-written results file
 * and never truncates one.
 *
 * A write that fails (disk full, EFBIG, EIO) is kept as `failure` and stops the campaign like a
 * journal error; nothing more is written.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RecipientOutcome, RecipientTry } from '@msgkit/core';
import { INTERRUPTED_ATTEMPT, sendingTry } from '@msgkit/core/internal';

export type ResultStatus = 'sent' | 'invalid' | 'refused' | 'unknown' | 'duplicate';

export interface ResultRow {
  /** The row's line in the file, or `arg N` for the N-th --to number. */
  row: string;
  input: string;
  e164?: string;
  /** The number's type (MOBILE, FIXED_LINE, …) where the metadata tells. */
  type?: string;
  status: ResultStatus;
  /** The vendor that sent it, or the one at which its outcome is unknown. */
  provider?: string;
  vendorId?: string;
  error?: string;
  /** Every vendor tried, in order, with how it ended (`smscx:refused:no_route smsworks:sent`). */
  tries?: string;
  /** The input record's own cells, written after msgkit's columns. */
  cells?: string[];
}

export const RESULT_COLUMNS = ['row', 'input', 'e164', 'status', 'provider', 'vendor_id', 'error', 'tries', 'type', 'campaign'];

const cell = (value: string | undefined) => {
  const v = value ?? '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** A short tag of the campaign (its id and content) in every row: how a later run knows its own results file. */
export function campaignTag(campaignId: string): string {
  return `c-${createHash('sha256').update(campaignId).digest('hex').slice(0, 12)}`;
}

export class ResultsWriteError extends Error {
  override name = 'ResultsWriteError';
  constructor(
    readonly path: string,
    readonly systemCode: string,
    options: { cause?: unknown } = {},
  ) {
    super(`the results file ${path} could not be written (${systemCode})`, options);
  }
}

/** A temporary file written through a 64 kB buffer with writeSync, short writes completed. */
class Spool {
  readonly fd: number;
  #buffer: string[] = [];
  #pending = 0;
  /** Bytes appended so far (buffered ones included): the offset of the next line. */
  size = 0;
  /** Still has a name on disk, to remove when done. */
  named: boolean;

  constructor(
    readonly path: string,
    anonymous: boolean,
  ) {
    this.fd = openSync(path, 'wx+');
    this.named = !(anonymous && unnamed(path));
  }

  append(text: string): void {
    this.#buffer.push(text);
    const bytes = Buffer.byteLength(text);
    this.#pending += bytes;
    this.size += bytes;
    if (this.#pending >= 65_536) this.flush();
  }

  flush(): void {
    if (this.#buffer.length === 0) return;
    const bytes = Buffer.from(this.#buffer.join(''));
    this.#buffer = [];
    this.#pending = 0;
    writeFully(this.fd, bytes);
  }
}

/** Unlinks an open file, which lives on until closed; false where the platform refuses (Windows). */
function unnamed(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function writeFully(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) {
    const written = writeSync(fd, bytes, offset, bytes.length - offset);
    if (!(written > 0)) throw Object.assign(new Error('short write'), { code: 'short_write' });
    offset += written;
  }
}

/** Reads a file's lines from `start` for `length` bytes (or to its end), 64 kB at a time. */
function* lines(fd: number, start = 0, length = Number.POSITIVE_INFINITY): Generator<string> {
  const chunk = Buffer.alloc(65_536);
  let position = start;
  let left = length;
  let rest = '';
  while (left > 0) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, left), position);
    if (read === 0) break;
    position += read;
    left -= read;
    const parts = (rest + chunk.toString('utf8', 0, read)).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== '') yield rest;
}

export class ResultsWriter {
  readonly counts: Record<ResultStatus, number> = { sent: 0, invalid: 0, refused: 0, unknown: 0, duplicate: 0 };
  #immediate: Spool;
  #batches: Spool;
  /** Offset and length of each batch's rows in the batch spool, by batch index (0 length: none yet). */
  #offsets = new Float64Array(64);
  #lengths = new Float64Array(64);
  #failure: ResultsWriteError | undefined;

  /**
   * `target` is where the results go (already checked by `checkResultsPath`); `columns` are the
   * input's own column names; `tag` is `campaignTag(…)` of this campaign.
   */
  constructor(
    readonly target: string,
    readonly columns: string[],
    readonly tag: string,
  ) {
    try {
      this.#immediate = new Spool(this.#spoolPath('rows'), true);
      this.#batches = new Spool(this.#spoolPath('batches'), true);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  get failure(): ResultsWriteError | undefined {
    return this.#failure;
  }

  /** A row whose status is known as it is read (invalid, duplicate), in input order; `seq` is its position in the input. */
  immediate(seq: number, row: ResultRow): void {
    this.#guard(() => this.#immediate.append(this.#line(seq, row)));
  }

  /** Every row of batch `index`, in input order, once its outcome is known (or it was not sent). */
  batch(index: number, rows: Array<{ seq: number; row: ResultRow }>): void {
    this.#guard(() => {
      const text = rows.map((r) => this.#line(r.seq, r.row)).join('');
      if (index >= this.#offsets.length) this.#grow(index);
      this.#offsets[index] = this.#batches.size;
      this.#lengths[index] = Buffer.byteLength(text);
      this.#batches.append(text);
      // Written at each batch, not each 64 kB: a full disk is seen before the next batch is sent.
      this.#immediate.flush();
      this.#batches.flush();
    });
  }

  /** Merges the two spools by input position into the results file, synced, renamed into place. */
  finish(): void {
    if (this.#failure) return this.discard();
    const out = this.#spoolPath('csv');
    this.#guard(() => {
      this.#immediate.flush();
      this.#batches.flush();
      const merged = new Spool(out, false);
      merged.append(`${[...RESULT_COLUMNS, ...this.columns].map(cell).join(',')}\n`);
      const immediate = lines(this.#immediate.fd);
      const batches = this.#batchLines();
      let a = immediate.next();
      let b = batches.next();
      const seqOf = (line: string) => Number(line.slice(0, line.indexOf(',')));
      const rest = (line: string) => `${JSON.parse(line.slice(line.indexOf(',') + 1)) as string}\n`;
      while (!a.done || !b.done) {
        if (b.done || (!a.done && seqOf(a.value) < seqOf(b.value))) {
          merged.append(rest(a.value));
          a = immediate.next();
        } else {
          merged.append(rest(b.value));
          b = batches.next();
        }
      }
      try {
        merged.flush();
        fsyncSync(merged.fd);
      } finally {
        closeSync(merged.fd);
      }
      renameSync(out, this.target);
      syncDirectory(dirname(this.target));
    });
    rmSync(out, { force: true });
    this.discard();
  }

  /** Closes and removes the spools (the results file, if renamed into place, stays). */
  discard(): void {
    for (const spool of [this.#immediate, this.#batches]) {
      try {
        closeSync(spool.fd);
      } catch {
        // Already closed.
      }
      if (spool.named) rmSync(spool.path, { force: true });
    }
  }

  #spoolPath(kind: string): string {
    return join(dirname(this.target), `.${basename(this.target)}.msgkit-${randomUUID().slice(0, 8)}.${kind}`);
  }

  *#batchLines(): Generator<string> {
    for (let index = 0; index < this.#lengths.length; index++) {
      if (this.#lengths[index]! > 0) yield* lines(this.#batches.fd, this.#offsets[index], this.#lengths[index]);
    }
  }

  #line(seq: number, row: ResultRow): string {
    this.counts[row.status]++;
    const cells = [row.row, row.input, row.e164, row.status, row.provider, row.vendorId, row.error, row.tries, row.type, this.tag, ...(this.columns.length > 0 ? (row.cells ?? []) : [])];
    // JSON-quoted in the spool: a cell's own line breaks must not split the spool's one-line records.
    return `${seq},${JSON.stringify(cells.map(cell).join(','))}\n`;
  }

  #grow(index: number): void {
    let size = this.#offsets.length;
    while (size <= index) size *= 2;
    const offsets = new Float64Array(size);
    const lengths = new Float64Array(size);
    offsets.set(this.#offsets);
    lengths.set(this.#lengths);
    this.#offsets = offsets;
    this.#lengths = lengths;
  }

  #guard(write: () => void): void {
    if (this.#failure) return;
    try {
      write();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): ResultsWriteError {
    const code = (error as { code?: unknown } | null)?.code;
    this.#failure ??= new ResultsWriteError(this.target, typeof code === 'string' ? code : 'write_failed', { cause: error });
    return this.#failure;
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory; the file's own fsync is what they offer.
  }
}

/** Clips a reason to one short line for a CSV cell or a table. */
const short = (text: string, max = 80) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
};

/** `code [vendor code]: short reason`: why a try did not send. */
export function errorCell(t: Pick<RecipientTry, 'code' | 'vendorCode' | 'reason'>): string {
  const code = t.code ?? 'error';
  const reason = t.reason ?? (code === INTERRUPTED_ATTEMPT.code ? 'the run stopped while it was being sent' : undefined);
  return `${t.vendorCode === undefined ? code : `${code} ${t.vendorCode}`}${reason ? `: ${short(reason)}` : ''}`;
}

/**
 * One try as the tries cell writes it: `sender:outcome`, with the failover class or the code of one
 * that did not send; a send moved on after it is `:moved-report-<status>` or `:moved-timer`.
 */
export function tryLabel(t: RecipientTry): string {
  if (t.outcome === 'sent') return `${t.sender}:sent${t.duplicate ? ':duplicate' : ''}${t.moved ? `:moved-${t.moved === 'report' ? `report-${t.code}` : 'timer'}` : ''}`;
  return `${t.sender}:${t.outcome}:${t.failover && t.class ? t.class : (t.code ?? 'error')}`;
}

/**
 * The provider, status, vendor id, error and tries cells of a recipient a chain has tried.
 * `ticketUnknown`: it stands sent by an attempt its vendor accepted without naming it (Octopush's
 * code 120 to a resend): that try's label ends `:ticket_unknown`, the journal's word.
 */
export function fromRecipient(r: RecipientOutcome, ticketUnknown = false): Pick<ResultRow, 'status' | 'provider' | 'vendorId' | 'error' | 'tries'> {
  const sending = ticketUnknown ? sendingTry(r) : undefined;
  const tries = r.tried.map((t) => (t === sending ? `${tryLabel(t)}:ticket_unknown` : tryLabel(t))).join(' ');
  if (r.status === 'sent') return { status: 'sent', provider: r.sentBy!, ...(r.id !== undefined && { vendorId: r.id }), tries };
  const last = r.tried.at(-1);
  if (r.status === 'unknown') {
    const at = [...r.tried].reverse().find((t) => t.outcome === 'unknown')!;
    return { status: 'unknown', provider: at.sender, error: errorCell(at), tries };
  }
  return { status: 'refused', error: last ? errorCell(last) : `${r.code ?? 'refused'}`, tries };
}
