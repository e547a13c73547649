import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CliError } from './io';

const PHONE_HEADERS = ['phone', 'phone_number', 'number', 'msisdn', 'mobile', 'to', 'recipient'];

/**
 * Reads recipients from a file: a CSV whose header names a phone column (phone, number, msisdn,
 * mobile, to, recipient), or one number per line (then the first column of each row is taken).
 */
export function readRecipientsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const rows: string[][] = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
  if (rows.length === 0) return [];
  const header = rows[0]!.map((cell) => cell.toLowerCase());
  const column = header.findIndex((cell) => PHONE_HEADERS.includes(cell));
  const body = column >= 0 ? rows.slice(1) : rows;
  const index = Math.max(column, 0);
  return body.map((row) => row[index] ?? '').filter((cell) => cell !== '');
}
