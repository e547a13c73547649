import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRows } from './csvRows';
import { e164Value } from './e164Set';

// The line normalize --csv wrote as a string before it wrote bytes (RFC 4180 quoting of the input only).
const asString = (label: number | string, input: string, e164?: string, status = 'valid', code?: string, type?: string) =>
  `${label},${/[",\n\r]/.test(input) ? `"${input.replace(/"/g, '""')}"` : input},${e164 ?? ''},${status},${code ?? ''},${type ?? ''}\n`;

describe('CsvRows', () => {
  it('writes the bytes of the string lines, for any input cell, across buffer growth and takes', () => {
    const row = fc.record({
      label: fc.oneof(fc.nat(), fc.nat().map((n) => `arg ${n}`)),
      input: fc.string({ unit: fc.constantFrom('0', '7', ' ', '+', '"', ',', '\n', '\r', '\t', 'é', '\u00a0', '\u{1F600}', '\x7f'), maxLength: 40 }),
      e164: fc.option(fc.constant('+447400123456'), { nil: undefined }),
      status: fc.constantFrom('valid', 'invalid', 'duplicate'),
      code: fc.option(fc.constantFrom('not_mobile', 'too_short', 'empty'), { nil: undefined }),
      type: fc.option(fc.constantFrom('MOBILE', 'FIXED_LINE'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 20 }), { maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (chunks, capacity) => {
        const rows = new CsvRows(capacity);
        const written: Buffer[] = [];
        let expected = '';
        for (const chunk of chunks) {
          for (const r of chunk) {
            rows.row(r.label, r.input, r.e164, r.status, r.code, r.type);
            expected += asString(r.label, r.input, r.e164, r.status, r.code, r.type);
          }
          written.push(rows.take());
        }
        expect(Buffer.concat(written).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300, seed: 20 },
    );
  });

  it('writes valid rows with their numbers filled in and duplicate where a settle says seen, byte for byte as string lines, across growth and takes', () => {
    const e164 = fc.oneof(fc.stringMatching(/^\+[1-9][0-9]{0,19}$/), fc.constant('+447400123456'));
    const row = fc.record({
      label: fc.oneof(fc.nat(), fc.constant('arg 1')),
      input: fc.string({ unit: fc.constantFrom('0', '7', ' ', '"', ',', 'é', '\n'), maxLength: 20 }),
      e164,
      type: fc.option(fc.constantFrom('MOBILE', 'FIXED_LINE_OR_MOBILE'), { nil: undefined }),
      checked: fc.boolean(),
      seen: fc.boolean(),
      status: fc.constantFrom('valid', 'invalid'),
    });
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 30 }), { maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (chunks, capacity) => {
        const rows = new CsvRows(capacity);
        const written: Buffer[] = [];
        let expected = '';
        for (const chunk of chunks) {
          const fresh = new Uint8Array(chunk.length + 3).fill(7);
          const numbers: string[] = [];
          for (const r of chunk) {
            if (r.checked) {
              rows.validRow(r.label, r.input, r.e164, r.type);
              fresh[numbers.length] = r.seen ? 0 : 1;
              numbers.push(r.e164);
              expected += asString(r.label, r.input, r.e164, r.seen ? 'duplicate' : 'valid', undefined, r.type);
            } else {
              rows.row(r.label, r.input, undefined, r.status, 'too_short', undefined);
              expected += asString(r.label, r.input, undefined, r.status, 'too_short', undefined);
            }
          }
          expect(rows.checked).toBe(numbers.length);
          const values = rows.numbers();
          expect(Array.from(values.subarray(0, numbers.length))).toEqual(numbers.map(e164Value));
          expect(numbers.map((_, k) => rows.numberAt(k))).toEqual(numbers);
          rows.settle(fresh);
          written.push(rows.take());
        }
        expect(Buffer.concat(written).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300, seed: 20 },
    );
  });

  it('refuses to hand out rows whose numbers or duplicate checks are still to come', () => {
    const rows = new CsvRows();
    rows.validRow(2, '07400 123456', '+447400123456', 'MOBILE');
    expect(() => rows.take()).toThrow(/before settle/);
    expect(() => rows.settle(new Uint8Array([1]))).toThrow(/before numbers/);
    rows.numbers();
    rows.settle(new Uint8Array([1]));
    expect(rows.take().toString()).toBe('2,07400 123456,+447400123456,valid,,MOBILE\n');
  });

  it('writes a cell longer than its buffer, and the row number of the millionth row', () => {
    const rows = new CsvRows(8);
    rows.row(1_000_001, `07400 ${'é'.repeat(100_000)}`, undefined, 'invalid', 'not_a_number', undefined);
    expect(rows.take().toString('utf8')).toBe(`1000001,07400 ${'é'.repeat(100_000)},,invalid,not_a_number,\n`);
  });
});
