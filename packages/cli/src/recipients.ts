/**
 * Reads a recipients file as a stream (a list can be millions of rows): which column holds the phone
 * numbers, and which the country, is decided from the first record; every later record becomes a
 * row with its line number in the file, its phone cell and its country cell.
 */
import { open, stat } from 'node:fs/promises';
import { CliError } from './io';
import { readRecords } from './records';

export { RecipientsFileError } from './records';

/** Header names taken as the phone column (compared lowercased, without spaces, `_` and `-`). */
const PHONE_HEADERS = ['phone', 'phonenumber', 'number', 'msisdn', 'mobile', 'mobilenumber', 'mobilephone', 'cell', 'cellphone', 'tel', 'telephone', 'to', 'recipient', 'destination', 'e164'];
const COUNTRY_HEADERS = ['country', 'countrycode', 'iso', 'isocountry', 'region'];

export interface Row {
  /** The line in the file where the record ends (1 = the first line), or the position of a --to argument. */
  row: number;
  input: string;
  /** The record's country cell, when the file has a country column and the cell is not empty. */
  country?: string;
  /** A --to argument rather than a file row. */
  arg?: boolean;
  /** Every cell of the record, for the results file (absent for a --to argument). */
  cells?: string[];
}

export interface RecipientsLayout {
  delimiter: string;
  header: boolean;
  phoneColumn: number;
  countryColumn?: number;
  /** The header's names (or `column 1…` without a header), for messages. */
  columns: string[];
}

const key = (cell: string) => cell.toLowerCase().replace(/[\s_-]/g, '');

/** The separator of the first line: the most frequent of `,` `;` tab outside quotes (`,` when none). */
export function detectDelimiter(firstLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : ',';
}

const looksLikePhone = (cell: string) => /\d/.test(cell) && /^[\s\d+().\-/]+$|^tel:/i.test(cell);

/**
 * Decides the layout from the first record. `column` (a header name, or a 1-based number for a
 * file without header) overrides the guess. A file whose phone column cannot be identified is
 * refused with the columns found: a name or a header is never read as a number.
 */
export function decideLayout(first: string[], delimiter: string, column?: string): RecipientsLayout {
  const keys = first.map(key);
  const countryAt = keys.findIndex((k) => COUNTRY_HEADERS.includes(k));
  const headerNames = first.map((c, i) => c || `column ${i + 1}`);
  if (column !== undefined) {
    if (/^\d+$/.test(column)) {
      const index = Number(column) - 1;
      if (index < 0 || index >= first.length) throw new CliError(`--column ${column}: the file has ${first.length} column(s)`, 2);
      return { delimiter, header: false, phoneColumn: index, columns: first.map((_, i) => `column ${i + 1}`) };
    }
    const index = keys.indexOf(key(column));
    if (index < 0) throw new CliError(`--column "${column}" is not a column of the file; columns found: ${headerNames.join(', ')}`, 2);
    return { delimiter, header: true, phoneColumn: index, ...(countryAt >= 0 && { countryColumn: countryAt }), columns: headerNames };
  }
  const phoneAt = keys.findIndex((k) => PHONE_HEADERS.includes(k));
  if (phoneAt >= 0) return { delimiter, header: true, phoneColumn: phoneAt, ...(countryAt >= 0 && { countryColumn: countryAt }), columns: headerNames };
  if (first.length === 1 && looksLikePhone(first[0]!)) return { delimiter, header: false, phoneColumn: 0, columns: ['column 1'] };
  throw new CliError(
    `cannot tell which column holds the phone numbers; columns found: ${headerNames.map((c) => `"${c}"`).join(', ')}. ` +
      `Name the phone column "phone" (or number, mobile, msisdn, to), or choose it with --column <name or number>`,
  );
}

async function firstLineOf(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    // The path is an argument: a file that is not there is a usage error, like a misspelt option.
    throw new CliError(`cannot read ${path}: ${error.code ?? 'unreadable'}`, 2);
  });
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${path}: ${error.code ?? 'unreadable'}`, 2);
    });
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  } finally {
    await handle.close();
  }
}

export interface RecipientsFile {
  layout: RecipientsLayout;
  /** The file's size in bytes, and how much of it the rows read so far came from (for progress). */
  size: number;
  bytesRead(): number;
  /** The rows, a batch per chunk of the file: one await per chunk, not per row. */
  batches(): AsyncGenerator<Row[]>;
  /**
   * Hands each row's phone cell, country cell and line to `onRow` as the file is read, with no
   * object, array or unneeded cell per row (for lists of millions); yields once per chunk read that
   * held rows, for the caller to write them out and keep pace with its reader.
   */
  scan(onRow: (input: string, country: string | undefined, line: number) => void): AsyncGenerator<void>;
  rows(): AsyncGenerator<Row>;
}

const isBlank = (record: string[]) => record.length === 1 && record[0] === '';

export interface OpenOptions {
  /** Bytes read at a time (tests make it small to put chunk ends everywhere). */
  chunkSize?: number;
}

/** Opens a recipients file: decides its layout now (so a bad file fails before anything else), streams its rows on demand. */
export async function openRecipientsFile(path: string, column?: string, { chunkSize }: OpenOptions = {}): Promise<RecipientsFile> {
  const firstLine = await firstLineOf(path);
  const { size } = await stat(path);
  if (firstLine === '') {
    return { layout: { delimiter: ',', header: false, phoneColumn: 0, columns: [] }, size, bytesRead: () => size, batches: async function* () {}, scan: async function* () {}, rows: async function* () {} };
  }
  const delimiter = detectDelimiter(firstLine);
  let first: string[] | undefined;
  for await (const [record] of readRecords(path, delimiter, (cells) => (isBlank(cells) ? undefined : cells))) {
    first = record;
    break;
  }
  const layout = decideLayout(first ?? [], delimiter, column);
  const { phoneColumn, countryColumn } = layout;
  let read = 0;
  // A blank line is no row; an empty phone cell in a row with other cells is one (and invalid).
  const onRead = (bytes: number) => (read = bytes);
  const rowsOf = <T>(make: (record: string[], line: number) => T) => {
    let headerSeen = !layout.header;
    const toRow = (record: string[], line: number): T | undefined => {
      if (isBlank(record)) return undefined;
      if (!headerSeen) {
        headerSeen = true;
        return undefined;
      }
      return make(record, line);
    };
    return readRecords(path, delimiter, toRow, { onRead, ...(chunkSize && { chunkSize }) });
  };
  const countryOf = (record: string[]) => (countryColumn === undefined ? undefined : record[countryColumn] || undefined);
  // One shape for every row (country undefined when there is none): the classifier stays monomorphic.
  const batches = () => rowsOf<Row>((record, line) => ({ row: line, input: record[phoneColumn] ?? '', country: countryOf(record), cells: record }));
  return {
    layout,
    size,
    bytesRead: () => read,
    batches,
    async *scan(onRow) {
      // The header, quoted or not, is the first record that is not blank: one flag for both paths.
      let headerSeen = !layout.header;
      const quoted = (record: string[], line: number): undefined => {
        if (isBlank(record)) return;
        if (!headerSeen) headerSeen = true;
        else onRow(record[phoneColumn] ?? '', countryOf(record), line);
      };
      const pick = {
        phone: phoneColumn,
        country: countryColumn,
        onRow: (input: string, country: string | undefined, line: number) => {
          if (!headerSeen) headerSeen = true;
          else onRow(input, country, line);
        },
      };
      for await (const _ of readRecords(path, delimiter, quoted, { onRead, pick, ...(chunkSize && { chunkSize }) })) yield;
    },
    async *rows() {
      for await (const batch of batches()) yield* batch;
    },
  };
}
