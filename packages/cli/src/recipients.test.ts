import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
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

describe('scanning a recipients file', () => {
  /** Each row as scan() hands it, and as rows() makes it (its phone cell, country cell and line). */
  async function both(text: string, chunkSize: number, column?: string) {
    const path = join(dir, `scan-${scans++}.csv`);
    writeFileSync(path, text);
    const settle = async (read: () => Promise<unknown[]>) => read().then((value) => ({ value }), (error: Error) => ({ error: error.message }));
    const file = await openRecipientsFile(path, column, { chunkSize }).catch(() => undefined);
    if (!file) return undefined;
    const scanned = await settle(async () => {
      const out: unknown[] = [];
      for await (const _ of file.scan((input, country, row) => out.push({ row, input, country }))) void _;
      return out;
    });
    const rows = await settle(async () => {
      const out: unknown[] = [];
      for await (const r of file.rows()) out.push({ row: r.row, input: r.input, country: r.country });
      return out;
    });
    return { scanned, rows };
  }
  let scans = 0;

  it('hands out the phone cell, country cell and line that rows() gives, for quoted cells, CRLF, a BOM, line breaks in cells, blank lines, split into chunks anywhere', async () => {
    const text = fc
      .record({
        delimiter: fc.constantFrom(',', ';', '\t'),
        newline: fc.constantFrom('\n', '\r\n', '\r'),
        header: fc.constantFrom('name,phone,country', 'phone', 'country;name;mobile', '"phone"\tcountry', 'Name,"Mobile",x,ISO'),
        tokens: fc.array(fc.constantFrom('a', '07400 1234', '+44', 'GB', ' GB', ' ', '\t', '"', '""', ',', ';', 'NL', 'NL', 'é', '\u00a0', '\ufeff'), { maxLength: 80 }),
        bom: fc.boolean(),
        chunkSize: fc.integer({ min: 1, max: 32 }),
      })
      .map(({ delimiter, newline, header, tokens, bom, chunkSize }) => ({
        chunkSize,
        text: (bom ? '\ufeff' : '') + header.replace(/[,;\t]/g, delimiter) + newline + tokens.map((t) => (t === 'NL' ? newline : t)).join(''),
      }));
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(text, async ({ chunkSize, text }) => {
        const got = await both(text, chunkSize);
        if (!got) return;
        compared++;
        expect(got.scanned).toEqual(got.rows);
      }),
      { numRuns: 400, seed: 20 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it('reads the phone and country columns wherever they are, quoted or not, across chunks', async () => {
    const text = '\ufeffcountry;name;phone\r\n GB ;Ada;07400 000001\r\n\r\n"GB";"Bob\r\nB";" 07400 000002 "\r\nFR;Cy\r\n;Di;07400 000003;extra\r\n  \r\nGB;Ed;07400 000004';
    const got = await both(text, 5);
    const expected = [
      { row: 2, input: '07400 000001', country: 'GB' },
      // Inside quotes, spaces are the cell's own (csv-parse's trim stops at the quotes).
      { row: 5, input: ' 07400 000002 ', country: 'GB' },
      { row: 6, input: '', country: 'FR' },
      { row: 7, input: '07400 000003', country: undefined },
      { row: 9, input: '07400 000004', country: 'GB' },
    ];
    expect(got).toEqual({ scanned: { value: expected }, rows: { value: expected } });
    // The phone column chosen by name or number, the country column's own included.
    for (const column of ['country', 'name', '3', '1', '2']) {
      const chosen = await both(text, 5, column);
      expect(chosen!.scanned, column).toEqual(chosen!.rows);
      expect(chosen!.scanned, column).toHaveProperty('value');
    }
  });

  it('hands out every row before an unreadable row late in the file, then an error naming that row', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `Customer ${i},0740${String(i).padStart(7, '0')},GB`);
    const got = await both(`name,phone,country\n${good.join('\n')}\nLate,"07400 999999" x,GB\nAfter,07400 999998,GB\n`, 1 << 16);
    expect(got!.scanned).toEqual(got!.rows);
    const path = join(dir, 'late.csv');
    writeFileSync(path, `name,phone,country\n${good.join('\n')}\nLate,"07400 999999" x,GB\nAfter,07400 999998,GB\n`);
    const file = await openRecipientsFile(path);
    const rows: number[] = [];
    const error = await (async () => {
      for await (const _ of file.scan((_input, _country, row) => rows.push(row))) void _;
    })().catch((e: unknown) => e);
    expect(rows).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 2));
    expect(error).toBeInstanceOf(RecipientsFileError);
    expect(error).toMatchObject({ row: 20_002, code: 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' });
    expect((error as Error).message).toContain(`${path} row 20002: malformed CSV`);
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

  it('holds each number once when room was reserved first, and still grows past it', () => {
    const set = new E164Set();
    set.reserve(1000);
    let added = 0;
    for (let i = 0; i < 5000; i++) if (set.add(`+4474${String(i % 3000).padStart(8, '0')}`)) added++;
    expect(added).toBe(3000);
    expect(set.size).toBe(3000);
    expect(set.add('+1')).toBe(true);
    expect(set.add('+999999999999999')).toBe(true);
    expect(set.add('+999999999999999')).toBe(false);
  });

  it('refuses what is not "+" and digits, or starts with a 0', () => {
    const set = new E164Set();
    for (const bad of ['', '+', '447400000001', '+44 7400', '+0', '+01', '+044', '+44a', '+-1', '+1e5', `+${'1'.repeat(21)}`]) expect(() => set.add(bad), bad).toThrow(RangeError);
    expect(set.size).toBe(0);
  });

  // The full metadata calls +49 30 1234567890123 valid (17 digits): E.164's 15 is not what numbers are read to.
  it('holds numbers of 16 to 20 digits apart from each other and from their 15-digit heads', () => {
    const set = new E164Set();
    expect(set.add('+493012345678901')).toBe(true);
    expect(set.add('+4930123456789012')).toBe(true);
    expect(set.add('+4930123456789013')).toBe(true);
    expect(set.add('+49301234567890123')).toBe(true);
    expect(set.add('+4930123456789012')).toBe(false);
    expect(set.add('+493012345678901')).toBe(false);
    expect(set.size).toBe(4);
  });

  it('tells a batch of numbers by their values as add tells them one by one, in order, long ones included', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.integer({ min: 1, max: 60 }).map((n) => `+4474000000${n}`), fc.constantFrom('+4930123456789012', '+49301234567890123', '+1', '+999999999999999')), { maxLength: 40 }), { maxLength: 6 }), (batches) => {
        const one = new E164Set();
        const batched = new E164Set();
        const check = batched.batch();
        for (const numbers of batches) {
          const expected = numbers.map((e164) => one.add(e164));
          for (const e164 of numbers) check.push(e164);
          const fresh = check.settle();
          expect(Array.from(fresh.subarray(0, numbers.length), (f) => f === 1)).toEqual(expected);
          expect(batched.size).toBe(one.size);
        }
      }),
      { numRuns: 200, seed: 20 },
    );
  });
});
