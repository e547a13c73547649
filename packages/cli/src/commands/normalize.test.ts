import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizePhone } from '@msgkit/core/max';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { NOT_MOBILE } from '../classify';
import { runCli } from '../testing';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-normalize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Uniform draws in [0, 1) from fast-check's seeded generator (without its bias to edge values): the same list on every run. */
function seeded(seed: number, count: number) {
  const draws = fc.sample(fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })), { seed, numRuns: count });
  let next = 0;
  return () => draws[next++ % draws.length]! / 0x80000000;
}

/** A list as spreadsheets export them: national and international writings, landlines, repeats, junk, quoted cells, CRLF. */
function list(rows: number, seed: number) {
  const random = seeded(seed, rows * 16);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const numbers = [
    () => [`07${pick(['4', '5', '7', '8', '9'])}${digits(2)} ${digits(6)}`, 'GB'],
    () => [`020 ${digits(4)} ${digits(4)}`, 'GB'],
    () => [`+44 (0)7${pick(['4', '7'])}${digits(2)} ${digits(6)}`, ''],
    () => [`0${pick(['151', '160', '170'])} ${digits(8)}`, 'DE'],
    () => [`030 ${digits(6)}`, 'DE'],
    () => [`06 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'FR'],
    () => [`(201) 555-${digits(4)}`, 'US'],
    () => [pick(['12345', 'n/a', '', 'call me', '+999 123']), pick(['DE', 'GB', ''])],
  ];
  const seen: string[][] = [];
  const lines = ['name;phone;country'];
  for (let i = 0; i < rows; i++) {
    const cells = random() < 0.05 && seen.length > 0 ? pick(seen) : pick(numbers)();
    seen.push(cells);
    const name = random() < 0.2 ? `"Doe; ""J"" ${i}"` : `Customer ${i}`;
    const phone = random() < 0.2 ? ` "${cells[0]}" ` : cells[0];
    lines.push(`${name};${phone};${cells[1]}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('msgkit normalize --csv on a list', () => {
  it('gives every row the answer of normalizePhone with full metadata, its type, and not_mobile for a landline', async () => {
    const text = list(3000, 20);
    const path = join(dir, 'list.csv');
    writeFileSync(path, text);
    const { code, stdout, stderr } = await runCli(['normalize', '--csv', '--file', path]);
    expect(code).toBe(1);
    const input = (parse(text, { delimiter: ';', trim: true, relax_column_count: true }) as string[][]).slice(1);
    const output = parse(stdout, { columns: true }) as Array<Record<string, string>>;
    expect(output).toHaveLength(input.length);
    const seen = new Set<string>();
    let notMobile = 0;
    input.forEach(([, phone, country], i) => {
      const result = normalizePhone(phone!, country ? { defaultCountry: country } : {});
      const expected = { row: String(i + 2), input: phone!, e164: '', status: 'invalid', error: '', type: '' };
      if (phone === '') expected.error = 'empty';
      else if (!result.ok) expected.error = result.code;
      else {
        expected.e164 = result.e164;
        expected.type = result.type ?? '';
        if (result.type && NOT_MOBILE.has(result.type)) {
          expected.error = 'not_mobile';
          notMobile++;
        } else {
          expected.status = seen.has(result.e164) ? 'duplicate' : 'valid';
          seen.add(result.e164);
        }
      }
      expect(output[i]).toEqual(expected);
    });
    expect(notMobile).toBeGreaterThan(500);
    expect(stderr).toContain(`${notMobile} refused as landline or other non-mobile number`);
  });

  it('writes every row when the last chunks of the file hold only quoted rows', async () => {
    // 64 kB of plain rows, then only quoted ones: the reader's last chunks pick no cell out of a plain line.
    const plain = Array.from({ length: 2500 }, (_, i) => `a${i},07400 ${100000 + i},GB`);
    const quoted = Array.from({ length: 3000 }, (_, i) => `b${i},"07500 ${100000 + i}",GB`);
    const path = join(dir, 'quoted-tail.csv');
    writeFileSync(path, `name,phone,country\n${[...plain, ...quoted].join('\n')}\n`);
    const { code, stdout, stderr } = await runCli(['normalize', '--csv', '--file', path]);
    expect(code).toBe(0);
    const output = parse(stdout, { columns: true }) as Array<Record<string, string>>;
    expect(output).toHaveLength(5500);
    expect(output.at(-1)).toEqual({ row: '5501', input: '07500 102999', e164: '+447500102999', status: 'valid', error: '', type: 'MOBILE' });
    expect(stderr).toContain('5500 inputs: 5500 unique valid');
  });
});

/** A plain list (no quote anywhere, `,`, LF) the way exports without quoting hold it: stray spaces, short and long records, a blank line, non-ASCII. */
function plainList(rows: number, seed: number) {
  const random = seeded(seed, rows * 16);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const lines = ['name,phone,country'];
  for (let i = 0; i < rows; i++) {
    const phone = pick([`07${pick(['4', '7', '9'])}${digits(2)} ${digits(6)}`, `0${digits(10)}`, `(020) ${digits(4)}-${digits(4)}`, ` 07400${digits(6)}\t`, '', 'n/a', 'é07400 123456', '+33 6 12 34 56 78']);
    const country = pick(['GB', 'GB', 'GB', ' gb', '', 'FR']);
    lines.push(pick([`Customer ${i},${phone},${country}`, `Customer ${i},${phone}`, `Customer ${i},${phone},${country},extra`, '']));
  }
  return `${lines.join('\n')}\n`;
}

describe('msgkit normalize --csv output bytes', () => {
  // The digests are of what the command wrote before its reader and writer were rewritten for speed
  // (issue 20): any change to a byte of the output (quoting, order, a label, a line end) changes them.
  it('writes byte for byte what it wrote before the reader and writer were made faster, on seeded lists', async () => {
    const quoted = `${list(3000, 20)}x;"07400, 123 456";GB\r\ny;"0740""0 123456";GB\r\nz;" 07400 123457 ";GB\r\n`;
    // On one thread, and with the phone checks in a worker thread (phoneWorker.ts), forced here for these short files.
    for (const threads of ['1', '2']) {
      const digests: string[] = [];
      for (const [name, text] of [['quoted.csv', quoted], ['plain.csv', plainList(5000, 21)]] as const) {
        const path = join(dir, name);
        writeFileSync(path, text);
        const { code, stdout, stderr } = await runCli(['normalize', '--csv', '--threads', threads, '--file', path], { MSGKIT_NORMALIZE_WORKER_BYTES: '0', MSGKIT_NORMALIZE_WORKER_START: 'wait' });
        expect(code).toBe(1);
        expect(stderr).toContain(`; --threads ${threads}\n`);
        if (name === 'quoted.csv') expect(stdout).toContain('\n3002,"07400, 123 456",,invalid,not_a_number,\n3003,"0740""0 123456",,invalid,not_a_number,\n');
        digests.push(createHash('sha256').update(stdout).digest('hex'));
      }
      expect(digests, `--threads ${threads}`).toEqual(['7c40f217a9706c93fd0ae784e90d4c5620756cf974d61ced7d17ca84112ed010', '413b7df443318c465a1d1a668757c08c751e5f2b0fa057f7b427fe993ddc5a3a']);
    }
  });
});

describe('msgkit normalize of numbers longer than 15 digits', () => {
  // The full metadata calls +49 30 1234567890123 a valid German landline: 17 digits, more than E.164's 15.
  it('tells them apart and finds their repeats, as arguments and in a file, with --allow-landline', async () => {
    const path = join(dir, 'long.csv');
    writeFileSync(path, 'phone\n+4930123456789012\n+493012345678901\n+4930123456789013\n+4930123456789012\n+49301234567890123\n');
    const { code, stdout, stderr } = await runCli(['normalize', '--csv', '--allow-landline', '--file', path, '+4930123456789012']);
    expect(stderr).toContain('6 inputs: 4 unique valid, 2 duplicates, 0 invalid');
    expect(code).toBe(0);
    const rows = (parse(stdout, { columns: true }) as Array<Record<string, string>>).map((r) => `${r.row} ${r.e164} ${r.status}`);
    expect(rows).toEqual([
      'arg 1 +4930123456789012 valid',
      '2 +4930123456789012 duplicate',
      '3 +493012345678901 valid',
      '4 +4930123456789013 valid',
      '5 +4930123456789012 duplicate',
      '6 +49301234567890123 valid',
    ]);
  });
});

describe('msgkit normalize as a process', () => {
  // bin.ts starts `normalize` with its own command alone (not the whole program): the same bytes, messages and code.
  it('writes what the whole program writes, with the same summary and exit code', async () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.mjs');
    const path = join(dir, 'process.csv');
    writeFileSync(path, `${list(2000, 23)}x;"07400, 123 456";GB\r\n`);
    for (const args of [['normalize', '--csv', '--file', path], ['normalize', '--json', '--file', path, '--country', 'FR'], ['normalize', '--country', 'GB', '07400 123456', '020 7946 0000'], ['normalize', '--nope']]) {
      const inProcess = await runCli(args);
      const child = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { maxBuffer: 1 << 26 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
      });
      // A progress line comes each second a run takes: how many there are depends on the machine's load.
      const steady = (run: typeof child) => ({ ...run, stderr: run.stderr.replace(/^normalizing: .*\n/gm, '') });
      expect(steady(child), args.join(' ')).toEqual(steady(inProcess));
    }
  });
});
