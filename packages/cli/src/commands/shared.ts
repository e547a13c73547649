import type { Tally } from '../classify';
import { line, type Io } from '../io';
import type { RecipientsFile, Row } from '../recipients';

/** The --to numbers (rows `arg 1…`), then the file's rows. */
export async function* sourceRows(args: readonly string[], file: RecipientsFile | undefined): AsyncGenerator<Row> {
  for (let i = 0; i < args.length; i++) yield { row: i + 1, input: args[i]!, arg: true };
  if (file) yield* file.rows();
}

/** Progress for long runs: one line on stderr each time, so it reads the same in a terminal and in a log. */
export const progressLine = (io: Io) => (text: string) => line(io.stderr, text);

/** Says which country national numbers were read in, since none is ever assumed. */
export function countryNote(country: string | undefined, tally: Tally): string {
  const column = tally.countryFromColumn > 0 ? `${tally.countryFromColumn} rows by their country column` : '';
  if (country) return `national numbers read as ${country} (--country)${column ? `, ${column}` : ''}`;
  if (column) return `national numbers read in ${column}; other national numbers are invalid_country (no --country)`;
  return 'no country assumed: national numbers are invalid_country (give --country or a country column)';
}
