import type { Tally } from '../classify';
import { line, type Io } from '../io';
import type { RecipientsFile, Row } from '../recipients';

/** The fields a send's JSON summary and a dry run's share: the chain, what was read, the text's segments. */
export function summaryJson(names: readonly string[], tally: Tally, segments: { encoding: string; segments: number }, personalized?: true | { total: number; min: number; max: number }) {
  const { rows: inputs, valid: recipients, duplicates, invalid, notMobile } = tally;
  // A personalized text has no one count: each row has its own (the dry run gives their total and range).
  const text = personalized === undefined ? { encoding: segments.encoding, segments: segments.segments } : { personalized: true, ...(personalized !== true && { segments: personalized }) };
  return { provider: names.join(','), chain: names, inputs, recipients, duplicates, invalid, notMobile, ...text };
}

/** The --to numbers (rows `arg 1…`) as one batch, then the file's rows a batch per chunk. */
export async function* sourceBatches(args: readonly string[], file: RecipientsFile | undefined): AsyncGenerator<Row[]> {
  if (args.length > 0) yield args.map((input, i) => ({ row: i + 1, input, arg: true }));
  if (file) yield* file.batches();
}

/** The --to numbers (rows `arg 1…`), then the file's rows. */
export async function* sourceRows(args: readonly string[], file: RecipientsFile | undefined): AsyncGenerator<Row> {
  for await (const batch of sourceBatches(args, file)) yield* batch;
}

/** Progress for long runs: one line on stderr each time, so it reads the same in a terminal and in a log. */
export const progressLine = (io: Io) => (text: string) => line(io.stderr, text);

/** `123456 rows (12 % of the file)`: how far a run has read. */
export function readSoFar(rows: number, file: RecipientsFile | undefined): string {
  if (!file || file.size === 0) return `${rows} rows`;
  return `${rows} rows (${Math.floor((100 * file.bytesRead()) / file.size)} % of the file)`;
}

/** Says which country national numbers were read in, since none is ever assumed. */
export function countryNote(country: string | undefined, tally: Tally): string {
  const column = tally.countryFromColumn > 0 ? `${tally.countryFromColumn} rows by their country column` : '';
  if (country) return `national numbers read as ${country} (--country)${column ? `, ${column}` : ''}`;
  if (column) return `national numbers read in ${column}; other national numbers are invalid_country (no --country)`;
  return 'no country assumed: national numbers are invalid_country (give --country or a country column)';
}

/** Says how many numbers were refused as landlines (or kept, with --allow-landline), since that changes who gets the text. */
export function landlineNote(tally: Tally, allowLandline: boolean | undefined): string {
  if (allowLandline) return 'landlines and other non-mobile numbers kept (--allow-landline)';
  return `${tally.notMobile} refused as landline or other non-mobile number (not_mobile; --allow-landline keeps them)`;
}
