/**
 * The records of a CSV file, streamed in batches, each with the line where it ends. A line with no
 * quote character is split at the separator as it stands: that is all RFC 4180 makes of it, and
 * it is nearly every line of a recipient list. Any line with a quote goes to csv-parse, with
 * the lines after it while a quoted cell runs on, so quoting means exactly what csv-parse makes of it.
 * Reading every line through csv-parse cost more than the phone numbers' own checks (issue 20).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse, type Options } from 'csv-parse/sync';
import { CliError } from './io';

/**
 * A record of the recipients file that cannot be read (a quoted cell never closed, text after a
 * closing quote…): the rows from `row` on cannot be told apart. Exit 1, naming the file and the row.
 */
export class RecipientsFileError extends CliError {
  constructor(
    readonly path: string,
    /** The line where the unreadable record starts. */
    readonly row: number,
    /** csv-parse's code (CSV_QUOTE_NOT_CLOSED, CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE…), or CSV_RECORD_TOO_LONG. */
    readonly code: string,
    detail: string,
  ) {
    super(`${path} row ${row}: ${detail} (${code}); the rows from ${row} on cannot be read. Fix the file and run again.`);
  }
}

/**
 * Hears each record as it is parsed: its cells, trimmed of surrounding whitespace as csv-parse's
 * `trim` does, and the line in the file where it ends (1 = the first line).
 */
export type OnRecord = (cells: string[], line: number) => void;

/**
 * Two cells of every record, for a reader of millions of rows that needs no others (`msgkit
 * normalize --csv`): `onRow` hears the cell at `phone` ('' when the record is shorter) and the one at
 * `country` (undefined when empty or absent), each trimmed as in `OnRecord`, and the record's line.
 * A blank line is no record and is not heard. A quote-free line is read where its separators are, up
 * to the last column picked, with no array or string per cell it does not need; a line with a quote
 * goes through csv-parse as every record does, and its cells are picked from what csv-parse made.
 */
export interface PickedColumns {
  phone: number;
  country: number | undefined;
  onRow(phone: string, country: string | undefined, line: number): void;
}

/** A quoted cell still open after this many characters is an error, not a cell to wait for. */
export const MAX_RECORD = 1 << 20;

// 64 kB: about 2 000 rows in flight, few enough to die young instead of being promoted by the GC.
const CHUNK = 1 << 16;

/** Whitespace csv-parse's `trim` removes before a cell (after one, it removes what trimEnd does). */
const LEADING_WHITESPACE = /^[\t\n\f\r ]+/;

export function trimCell(cell: string): string {
  const length = cell.length;
  if (length === 0) return cell;
  const last = cell.charCodeAt(length - 1);
  // Printable ASCII is never whitespace: most cells skip the builtins entirely.
  const right = last > 32 && last < 127 ? cell : cell.trimEnd();
  const first = right.charCodeAt(0);
  return first === 32 || first === 9 || first === 10 || first === 12 || first === 13 ? right.replace(LEADING_WHITESPACE, '') : right;
}

const QUOTE = 34;

/**
 * The record delimiter, as csv-parse discovers it: the first line break, `\n` or `\r\n` (split
 * at `\n`; trimming removes the `\r`) or a lone `\r`. Undecided while the text holds none, or
 * ends on a `\r` that a `\n` may follow.
 */
function newlineOf(text: string, final: boolean): string | undefined {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr < 0 || (lf >= 0 && lf < cr)) return lf < 0 ? undefined : '\n';
  if (cr + 1 < text.length) return text.charCodeAt(cr + 1) === 10 ? '\n' : '\r';
  return final ? '\r' : undefined;
}

export class RecordParser {
  #line = 0;
  #newline: string | undefined;
  #options: Options;
  readonly #pick: PickedColumns | undefined;
  // The last country cell as it stood in the text and trimmed: a list's country column repeats one
  // value, so it is compared in place and the same string is handed on (no copy, its hash kept).
  #countryText = '';
  #country: string | undefined;

  constructor(
    readonly delimiter: string,
    /** The file read, for errors. */
    readonly path: string,
    /** When given, quote-free lines go to it (see PickedColumns) instead of to `parse`'s onRecord. */
    pick?: PickedColumns,
  ) {
    this.#options = { delimiter, relax_column_count: true, relax_quotes: true, trim: true };
    this.#pick = pick;
  }

  /**
   * Parses the complete records of `text`, each to `onRecord`, and returns how many characters it used;
   * the rest (an unfinished line, or a quoted cell that runs past the end) waits for more text.
   * `final`: nothing follows, so what is left is the last record.
   */
  parse(text: string, final: boolean, onRecord: OnRecord): number {
    this.#newline ??= newlineOf(text, final);
    const newline = this.#newline ?? '\n';
    if (this.#newline === undefined && !final) return 0;
    const { delimiter } = this;
    // Nearly every chunk of a recipient list has no quote at all: its complete lines in one pass.
    if (!text.includes('"')) {
      const stop = final ? text.length : text.lastIndexOf(newline) + newline.length;
      if (this.#pick) this.#picked(text, 0, stop, this.#pick);
      else this.#plain(text, 0, stop, onRecord);
      return stop;
    }
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf(newline, start);
      if (end < 0) {
        if (!final) break;
        end = text.length;
      }
      const line = text.slice(start, end);
      if (!line.includes('"')) {
        if (this.#pick) {
          // An empty line is a blank record: counted, not heard (#picked counts only lines it reads).
          if (line === '') this.#line++;
          else this.#picked(line, 0, line.length, this.#pick);
          start = end + newline.length;
          continue;
        }
        const cells = line.split(delimiter);
        for (let i = 0; i < cells.length; i++) cells[i] = trimCell(cells[i]!);
        onRecord(cells, ++this.#line);
        start = end + newline.length;
        continue;
      }
      const next = this.#quoted(text, start, final, onRecord);
      if (next < 0) break;
      start = next;
    }
    return Math.min(start, text.length);
  }

  /**
   * The records of the lines of text[start, stop), which holds no quote (`stop` is a line's end or
   * the start of the next line), each split at the separator with its cells trimmed. Cells are cut
   * from the text where the separators are, found once each: splitting every line, then every line
   * into cells, cost the CLI more than a third of the time it spent on phone numbers (issue 20).
   */
  #plain(text: string, start: number, stop: number, onRecord: OnRecord): void {
    const { delimiter } = this;
    const newline = this.#newline ?? '\n';
    let separator = text.indexOf(delimiter, start);
    while (start < stop) {
      let end = text.indexOf(newline, start);
      if (end < 0 || end > stop) end = stop;
      const cells: string[] = [];
      while (separator >= 0 && separator < end) {
        cells.push(trimCell(text.slice(start, separator)));
        start = separator + delimiter.length;
        separator = text.indexOf(delimiter, start);
      }
      cells.push(trimCell(text.slice(start, end)));
      onRecord(cells, ++this.#line);
      start = end + newline.length;
    }
  }

  /**
   * The lines of text[start, stop), which holds no quote, as #plain reads them, each handed to
   * `pick` with only its picked cells cut from the text (see PickedColumns).
   */
  #picked(text: string, start: number, stop: number, pick: PickedColumns): void {
    const { delimiter } = this;
    const newline = this.#newline ?? '\n';
    const phoneAt = pick.phone;
    const countryAt = pick.country ?? -1;
    const lastAt = Math.max(phoneAt, countryAt);
    // The next separator at or after `start`, found once: a file of one column has none to find per line.
    let separator = text.indexOf(delimiter, start);
    while (start < stop) {
      let end = text.indexOf(newline, start);
      if (end < 0 || end > stop) end = stop;
      const line = ++this.#line;
      if (separator >= 0 && separator < start) separator = text.indexOf(delimiter, start);
      if (separator < 0 || separator >= end) {
        // One cell: a blank line when it trims to nothing.
        const cell = trimCell(text.slice(start, end));
        if (cell !== '') pick.onRow(phoneAt === 0 ? cell : '', countryAt === 0 ? cell : undefined, line);
      } else {
        let phone = '';
        let country: string | undefined;
        let cellStart = start;
        for (let column = 0; column <= lastAt; column++) {
          const cellEnd = separator >= 0 && separator < end ? separator : end;
          if (column === phoneAt) phone = trimCell(text.slice(cellStart, cellEnd));
          if (column === countryAt) country = this.#countryCell(text, cellStart, cellEnd);
          if (cellEnd === end) break;
          cellStart = cellEnd + delimiter.length;
          separator = text.indexOf(delimiter, cellStart);
        }
        pick.onRow(phone, country, line);
      }
      start = end + newline.length;
    }
  }

  /** The country cell text[start, end), trimmed, undefined when empty; the last one's string when it is the same text. */
  #countryCell(text: string, start: number, end: number): string | undefined {
    const last = this.#countryText;
    if (end - start === last.length && text.startsWith(last, start)) return this.#country;
    this.#countryText = text.slice(start, end);
    return (this.#country = trimCell(this.#countryText) || undefined);
  }

  /** The record with quotes at `start`, parsed by csv-parse. Returns where the next record starts, or -1 to wait for more text. */
  #quoted(text: string, start: number, final: boolean, onRecord: OnRecord): number {
    const newline = this.#newline ?? '\n';
    let end = this.#recordEnd(text, start, final);
    const row = this.#line + 1;
    if (end < 0) {
      if (text.length - start > MAX_RECORD) throw new RecipientsFileError(this.path, row, 'CSV_RECORD_TOO_LONG', `a quoted cell opened on this row is not closed within ${MAX_RECORD / 1024 / 1024} MB`);
      if (!final) return -1;
      end = text.length;
    }
    let records: string[][];
    try {
      records = parse(text.slice(start, end), this.#options) as string[][];
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') throw new RecipientsFileError(this.path, row, error.code, 'a quoted cell opened on this row is never closed');
      throw new RecipientsFileError(this.path, row, error.code, `malformed CSV: ${MALFORMED[error.code] ?? error.code}`);
    }
    if (records.length !== 1) throw new RecipientsFileError(this.path, row, 'CSV_NOT_ONE_RECORD', 'malformed CSV: not one record');
    let lines = 1;
    for (let i = text.indexOf(newline, start); i >= 0 && i < end; i = text.indexOf(newline, i + newline.length)) lines++;
    this.#line += lines;
    onRecord(records[0]!, this.#line);
    return end + newline.length;
  }

  /**
   * Where the record at `start` ends: the first line break outside a quoted cell, or -1 when the
   * text ends first. Quotes count as csv-parse counts them with `relax_quotes` and `trim`: one opens
   * a quoted cell only at the start of a cell (after spaces), `""` inside is a quote, and the
   * next lone quote closes it; csv-parse then judges the record itself.
   */
  #recordEnd(text: string, start: number, final: boolean): number {
    const newline = (this.#newline ?? '\n').charCodeAt(0);
    const delimiter = this.delimiter.charCodeAt(0);
    let cellStart = true;
    let quoted = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c !== QUOTE) continue;
        if (i + 1 === text.length && !final) return -1;
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else quoted = false;
        continue;
      }
      if (c === newline) return i;
      if (c === delimiter) {
        cellStart = true;
        continue;
      }
      if (cellStart) {
        if (c === 32 || c === 9 || c === 12 || c === 13) continue;
        cellStart = false;
        if (c === QUOTE) quoted = true;
      }
    }
    return -1;
  }
}

const MALFORMED: Record<string, string> = {
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted cell is followed by other characters before the separator',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell is followed by other characters before the separator',
};

export interface ReadOptions {
  /** Hears how many bytes have been read so far, for progress. */
  onRead?: (bytes: number) => void;
  /**
   * Picks two cells of quote-free records instead of mapping them (see PickedColumns); records with
   * quotes still go to `map`. A chunk with records heard, picked or mapped, yields (an empty batch when `map` kept none).
   */
  pick?: PickedColumns;
  /** Bytes read at a time (tests make it small to put chunk ends everywhere). */
  chunkSize?: number;
}

/**
 * Streams the records of the file at `path`, each turned by `map` into what the caller keeps (or
 * skipped when it gives undefined), a batch per chunk read: the caller awaits once per chunk, not
 * once per row, and a record's cells live only as long as what `map` made of them, so a chunk in
 * flight holds no more than the caller's own objects. A byte order mark at the start is dropped.
 * An unreadable record ends the stream with a RecipientsFileError, after every record before it.
 */
export async function* readRecords<T>(path: string, delimiter: string, map: (cells: string[], line: number) => T | undefined, { onRead, chunkSize = CHUNK, pick }: ReadOptions = {}): AsyncGenerator<T[]> {
  let picked = 0;
  const parser = new RecordParser(
    delimiter,
    path,
    pick && {
      phone: pick.phone,
      country: pick.country,
      onRow: (phone, country, line) => {
        picked++;
        pick.onRow(phone, country, line);
      },
    },
  );
  let batch: T[] = [];
  const onRecord: OnRecord = (cells, line) => {
    // A record with quotes, in a read that picks cells, is heard through `map` (which keeps nothing):
    // its chunk must yield too, or rows heard in the last chunks would never be written out.
    if (pick) picked++;
    const kept = map(cells, line);
    if (kept !== undefined) batch.push(kept);
  };
  let rest = '';
  let first = true;
  let failure: { error: unknown } | undefined;
  // The records parsed before an unreadable one are handed out before its error: they are rows to account for.
  const parseText = (text: string, final: boolean) => {
    try {
      return parser.parse(text, final, onRecord);
    } catch (error) {
      failure = { error };
      return text.length;
    }
  };
  // Read a chunk at a time into one buffer, without a stream: its machinery cost more than the
  // reading (issue 20). The event loop gets a turn between chunks (timers, signals, sockets).
  const handle = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkSize);
  const decoder = new StringDecoder('utf8');
  let bytesRead = 0;
  try {
    for (;;) {
      const count = readSync(handle, buffer, 0, chunkSize, null);
      bytesRead += count;
      // A character cut by the chunk's end waits in the decoder for the next chunk's bytes.
      const chunk = count === 0 ? decoder.end() : decoder.write(buffer.subarray(0, count));
      if (count === 0) {
        rest += chunk;
        break;
      }
      // A byte order mark cut by the chunk's end decodes to nothing yet: it is looked for in the first text.
      let text = rest + chunk;
      if (first && text !== '') {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      rest = text.slice(parseText(text, false));
      onRead?.(bytesRead);
      if (batch.length > 0 || picked > 0) {
        yield batch;
        batch = [];
        picked = 0;
      }
      if (failure) throw failure.error;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (rest !== '') parseText(rest, true);
    if (batch.length > 0 || picked > 0) yield batch;
    if (failure) throw failure.error;
  } finally {
    closeSync(handle);
  }
}
