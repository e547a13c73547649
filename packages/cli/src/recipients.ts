/**
 * Reads a recipients file as a stream (a list can be millions of rows): which column holds the phone
 * numbers, and which the country, is decided from the first record; every later record becomes a
 * row with its line number in the file, its phone cell and its country cell.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { csvRecords } from './csvRecords';
import { CliError } from './io';

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

/** A record the CSV parser cannot read (an unterminated quote…): the rows from `row` on cannot be read. */
export class RecipientsFileError extends CliError {
  constructor(
    readonly path: string,
    /** The line where the unreadable record starts. */
    readonly row: number,
    /** csv-parse's code, e.g. CSV_QUOTE_NOT_CLOSED. */
    readonly code: string,
    detail: string,
  ) {
    super(`${path} row ${row}: ${detail} (${code}); the rows from ${row} on cannot be read. Fix the file and run again.`);
  }
}

const PARSE_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opens here and never closes',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell goes on after its closing quote',
};

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
    throw new CliError(`cannot read ${path}: ${error.code ?? 'unreadable'}`);
  });
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  } finally {
    await handle.close();
  }
}

export interface RecipientsFile {
  layout: RecipientsLayout;
  rows(): AsyncGenerator<Row>;
}

/** Opens a recipients file: decides its layout now (so a bad file fails before anything else), streams its rows on demand. */
export async function openRecipientsFile(path: string, column?: string): Promise<RecipientsFile> {
  const firstLine = await firstLineOf(path);
  if (firstLine === '') return { layout: { delimiter: ',', header: false, phoneColumn: 0, columns: [] }, rows: async function* () {} };
  const delimiter = detectDelimiter(firstLine);
  const parseOptions = { delimiter, relax_column_count: true, relax_quotes: true, trim: true, bom: true };
  const records = () => createReadStream(path).pipe(parse(parseOptions));
  let first: string[] | undefined;
  for await (const record of records()) {
    if (record.length === 1 && record[0] === '') continue;
    first = record as string[];
    break;
  }
  const layout = decideLayout(first ?? [], delimiter, column);
  return {
    layout,
    async *rows() {
      // Line numbers are counted here (csv-parse's own `info` is several times slower): a record
      // ends one line after the previous one, plus the line breaks inside its quoted cells; blank
      // lines are records of one empty cell, counted and skipped.
      let line = 0;
      let headerSeen = !layout.header;
      try {
        for await (const record of csvRecords(path, parseOptions)) {
          line++;
          for (const cell of record) if (cell.includes('\n')) line += cell.split('\n').length - 1;
          // A blank line is no row; an empty phone cell in a row with other cells is one (and invalid).
          if (record.length === 1 && record[0] === '') continue;
          if (!headerSeen) {
            headerSeen = true;
            continue;
          }
          const country = layout.countryColumn === undefined ? undefined : record[layout.countryColumn];
          yield { row: line, input: record[layout.phoneColumn] ?? '', ...(country ? { country } : {}), cells: record };
        }
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !code.startsWith('CSV_')) throw error;
        // The bad record starts on the line after the last one read.
        throw new RecipientsFileError(path, line + 1, code, PARSE_ERRORS[code] ?? (error as Error).message);
      }
    },
  };
}
