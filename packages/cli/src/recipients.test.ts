import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { E164Set } from './e164Set';
import { decideLayout, detectDelimiter, openRecipientsFile, RecipientsFileError, type Row } from './recipients';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-recipients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a recipients file', () => {
  it('takes the separator of the first line, ignoring those inside quotes', () => {
    expect(detectDelimiter('name;phone;country')).toBe(';');
    expect(detectDelimiter('name\tphone')).toBe('\t');
    expect(detectDelimiter('"Doe; Jane",phone')).toBe(',');
    expect(detectDelimiter('+447400123456')).toBe(',');
  });

  it('finds the phone and country columns by name, and refuses to guess otherwise', () => {
    expect(decideLayout(['Name', 'Mobile Number', 'Country'], ',')).toMatchObject({ header: true, phoneColumn: 1, countryColumn: 2 });
    expect(decideLayout(['+44 7400 123456'], ',')).toMatchObject({ header: false, phoneColumn: 0 });
    expect(() => decideLayout(['name'], ',')).toThrow('columns found: "name"');
    expect(() => decideLayout(['Ada', '+447400123456'], ',')).toThrow(/cannot tell which column/);
    expect(decideLayout(['Ada', '+447400123456'], ',', '2')).toMatchObject({ header: false, phoneColumn: 1 });
  });

  it('gives every row its line in the file, across blank lines and quoted line breaks', async () => {
    const path = join(dir, 'list.csv');
    writeFileSync(path, 'name,phone\r\n"Ada\r\nLovelace",+447400000001\r\n\r\nBob,+447400000002\r\nCy,\r\n');
    const file = await openRecipientsFile(path);
    const rows = [];
    for await (const row of file.rows()) rows.push(row);
    expect(rows).toEqual([
      { row: 3, input: '+447400000001', cells: ['Ada\r\nLovelace', '+447400000001'] },
      { row: 5, input: '+447400000002', cells: ['Bob', '+447400000002'] },
      { row: 6, input: '', cells: ['Cy', ''] },
    ]);
  });
});

describe('a recipients file with an unreadable row', () => {
  it('hands out every row before it, then a RecipientsFileError naming the row where the record starts', async () => {
    const path = join(dir, 'bad.csv');
    // Larger than one read chunk, so the rows before the bad one come from several chunks.
    const good = Array.from({ length: 5000 }, (_, i) => `+4474${String(i).padStart(8, '0')}`);
    writeFileSync(path, `phone\n${good.join('\n')}\n"+447400000001\n+447400000002\n`);
    const file = await openRecipientsFile(path);
    const rows: Row[] = [];
    const error = await (async () => {
      for await (const row of file.rows()) rows.push(row);
    })().catch((e: unknown) => e);
    expect(rows).toHaveLength(5000);
    expect(rows.at(-1)).toMatchObject({ row: 5001, input: good.at(-1) });
    expect(error).toBeInstanceOf(RecipientsFileError);
    expect(error).toMatchObject({ row: 5002, code: 'CSV_QUOTE_NOT_CLOSED' });
    expect((error as Error).message).toContain(`${path} row 5002: a quoted cell opened on this row is never closed (CSV_QUOTE_NOT_CLOSED)`);
  });
});

describe('E164Set', () => {
  it('holds each number once, through growth', () => {
    const set = new E164Set();
    let added = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(`+4474${String(i).padStart(8, '0')}`)) added++;
    expect(added).toBe(200_000);
    expect(set.add('+447400000007')).toBe(false);
    expect(set.add('+1447400000007')).toBe(true);
    expect(set.size).toBe(200_001);
  });
});
