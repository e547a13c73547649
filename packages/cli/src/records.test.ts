import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORD, readRecords, RecipientsFileError } from './records';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function ours(text: string, delimiter: string, chunkSize?: number) {
  const path = join(dir, `${files++}.csv`);
  writeFileSync(path, text);
  const out: Array<{ cells: string[]; line: number }> = [];
  for await (const batch of readRecords(path, delimiter, (cells, line) => ({ cells, line }), chunkSize ? { chunkSize } : {})) out.push(...batch);
  return out;
}

/**
 * What csv-parse makes of the whole text with the options the CLI used to read every line with,
 * each record's line counted as the CLI counted it: one more than the record before, plus the
 * line breaks inside its cells (csv-parse's own `info.lines` counts a quoted `\r\n` twice).
 */
async function csvParse(text: string, delimiter: string, newline: string) {
  const out: Array<{ cells: string[]; line: number }> = [];
  const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, trim: true, bom: true });
  parser.end(text);
  const breakChar = newline === '\r' ? '\r' : '\n';
  let line = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    line += 1 + record.reduce((n, cell) => n + cell.split(breakChar).length - 1, 0);
    out.push({ cells: record, line });
  }
  return out;
}

type Records = Array<{ cells: string[]; line: number }>;
// A blank line is no row to the CLI (csv-parse itself gives one for some and not for others); its line still counts.
const rows = (records: Records) => records.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
const settle = (p: Promise<Records>) => p.then((value) => ({ value: rows(value) }), (error: Error) => ({ error: error.message }));

describe('reading CSV records', () => {
  it('gives the rows and line numbers csv-parse gives, for any text, split into chunks anywhere', async () => {
    const text = fc
      .record({
        delimiter: fc.constantFrom(',', ';', '\t'),
        newline: fc.constantFrom('\n', '\r\n', '\r'),
        tokens: fc.array(fc.constantFrom('a', '07400 1234', '+44', ' ', '\t', '"', '""', ',', ';', 'NL', 'é', '\u00a0', '\ufeff'), { maxLength: 60 }),
        bom: fc.boolean(),
        chunkSize: fc.integer({ min: 1, max: 24 }),
      })
      .map(({ delimiter, newline, tokens, bom, chunkSize }) => ({ delimiter, newline, chunkSize, text: (bom ? '\ufeff' : '') + tokens.map((t) => (t === 'NL' ? newline : t)).join('') }));
    await fc.assert(
      fc.asyncProperty(text, async ({ delimiter, newline, chunkSize, text }) => {
        const expected = await settle(csvParse(text, delimiter, newline));
        const got = await settle(ours(text, delimiter, chunkSize));
        if ('error' in expected) expect(got).toHaveProperty('error');
        else expect(got).toEqual(expected);
      }),
      { numRuns: 400, seed: 20 },
    );
  });

  it('reads a quoted cell across lines and chunk ends, counting every line', async () => {
    const text = 'name,phone\r\n"Ada\r\nLovelace",+447400000001\r\n\r\n"Bob ""B""",  +447400000002 \r\n';
    expect(await ours(text, ',', 3)).toEqual([
      { cells: ['name', 'phone'], line: 1 },
      { cells: ['Ada\r\nLovelace', '+447400000001'], line: 3 },
      { cells: [''], line: 4 },
      { cells: ['Bob "B"', '+447400000002'], line: 5 },
    ]);
  });

  it('names the row of a quoted cell that is never closed', async () => {
    const text = `phone\n+447400000001\n"+447400000002\n${'+447400000003\n'.repeat(1000)}`;
    await expect(ours(text, ',', 64)).rejects.toThrow('row 3: a quoted cell opened on this row is never closed');
  });

  it('stops waiting for a quoted cell past the longest record it takes, naming its row', async () => {
    const text = `phone\n"${'7'.repeat(MAX_RECORD + 10)}\n+447400000001\n`;
    await expect(ours(text, ',')).rejects.toThrow(/row 2: a quoted cell opened on this row is not closed within 1 MB/);
  });

  it('names the row of a cell with text after its closing quote, with csv-parse\'s code', async () => {
    const error = await ours('phone,name\n+447400000001,"Ada" Lovelace\n', ',').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientsFileError);
    const { path } = error as RecipientsFileError;
    expect(path.startsWith(dir)).toBe(true);
    expect(error).toMatchObject({
      row: 2,
      code: 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE',
      message: `${path} row 2: malformed CSV: a quoted cell is followed by other characters before the separator (CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE); the rows from 2 on cannot be read. Fix the file and run again.`,
    });
  });

  it('hands out every record before an unreadable one read in the same chunk, then the error', async () => {
    const path = join(dir, `${files++}.csv`);
    writeFileSync(path, 'phone,name\n+447400000001,Ada\n+447400000002,Bob\n+447400000003,"Cy" Lane\n+447400000004,Di\n');
    const records: Array<{ cells: string[]; line: number }> = [];
    const error = await (async () => {
      for await (const batch of readRecords(path, ',', (cells, line) => ({ cells, line }))) records.push(...batch);
    })().catch((e: unknown) => e);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(RecipientsFileError);
    expect(error).toMatchObject({ path, row: 4, code: 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' });
  });
});
