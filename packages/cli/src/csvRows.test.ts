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

  it('writes duplicate for the checked rows a settle says were seen before, byte for byte as rows written with their status', () => {
    const row = fc.record({
      label: fc.nat(),
      input: fc.string({ unit: fc.constantFrom('0', '7', ' ', '"', ',', 'é', '\n'), maxLength: 20 }),
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
          let checked = 0;
          for (const r of chunk) {
            if (r.checked) {
              rows.row(r.label, r.input, '+447400123456', 'valid', undefined, 'MOBILE');
              rows.checkLast();
              fresh[checked++] = r.seen ? 0 : 1;
              expected += asString(r.label, r.input, '+447400123456', r.seen ? 'duplicate' : 'valid', undefined, 'MOBILE');
            } else {
              rows.row(r.label, r.input, undefined, r.status, 'too_short', undefined);
              expected += asString(r.label, r.input, undefined, r.status, 'too_short', undefined);
            }
          }
          rows.settle(fresh);
          written.push(rows.take());
        }
        expect(Buffer.concat(written).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300, seed: 20 },
    );
  });

  it('writes a valid row as row and checkLast do, and reads its number as e164Value does', () => {
    const e164 = fc.oneof(
      fc.stringMatching(/^\+[1-9][0-9]{0,19}$/),
      fc.constantFrom('+', '+0', '+044', '+44 74', '447400123456', `+${'9'.repeat(21)}`, '+4474a', '+99999999999999999999'),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ label: fc.oneof(fc.nat(), fc.constant('arg 1')), input: fc.string({ maxLength: 12 }), e164, type: fc.option(fc.constantFrom('MOBILE', 'FIXED_LINE_OR_MOBILE'), { nil: undefined }), seen: fc.boolean() }), { maxLength: 30 }), (rows) => {
        const valid = new CsvRows(16);
        const plain = new CsvRows(16);
        const fresh = Uint8Array.from(rows, (r) => (r.seen ? 0 : 1));
        for (const r of rows) {
          expect(valid.validRow(r.label, r.input, r.e164, r.type), r.e164).toBe(e164Value(r.e164));
          plain.row(r.label, r.input, r.e164, 'valid', undefined, r.type);
          plain.checkLast();
        }
        valid.settle(fresh);
        plain.settle(fresh);
        expect(valid.take().toString('utf8')).toBe(plain.take().toString('utf8'));
      }),
      { numRuns: 300, seed: 20 },
    );
  });

  it('appends the rows and marks another CsvRows wrote (takeMarked) after its own, and settles them all in order as if written here', () => {
    const row = fc.record({ label: fc.nat(), input: fc.string({ unit: fc.constantFrom('0', '7', ' ', '"', ',', 'é'), maxLength: 12 }), checked: fc.boolean(), seen: fc.boolean() });
    // Each part of a take: rows written here, or by the other CsvRows and appended.
    const part = fc.record({ elsewhere: fc.boolean(), rows: fc.array(row, { maxLength: 12 }) });
    fc.assert(
      fc.property(fc.array(fc.array(part, { maxLength: 4 }), { maxLength: 4 }), fc.integer({ min: 1, max: 64 }), (takes, capacity) => {
        const here = new CsvRows(capacity);
        const other = new CsvRows(capacity);
        const written: Buffer[] = [];
        let expected = '';
        for (const parts of takes) {
          const fresh: number[] = [];
          for (const { elsewhere, rows } of parts) {
            const to = elsewhere ? other : here;
            for (const r of rows) {
              if (r.checked) {
                to.validRow(r.label, r.input, '+447400123456', 'MOBILE');
                fresh.push(r.seen ? 0 : 1);
                expected += asString(r.label, r.input, '+447400123456', r.seen ? 'duplicate' : 'valid', undefined, 'MOBILE');
              } else {
                to.row(r.label, r.input, undefined, 'invalid', 'too_short', undefined);
                expected += asString(r.label, r.input, undefined, 'invalid', 'too_short', undefined);
              }
            }
            if (elsewhere) {
              const { bytes, statusAt } = other.takeMarked();
              here.append(bytes, statusAt);
            }
          }
          here.settle(Uint8Array.from(fresh));
          written.push(here.take());
        }
        expect(Buffer.concat(written).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300, seed: 20 },
    );
  });

  it('writes a cell longer than its buffer, and the row number of the millionth row', () => {
    const rows = new CsvRows(8);
    rows.row(1_000_001, `07400 ${'é'.repeat(100_000)}`, undefined, 'invalid', 'not_a_number', undefined);
    expect(rows.take().toString('utf8')).toBe(`1000001,07400 ${'é'.repeat(100_000)},,invalid,not_a_number,\n`);
  });
});
