import { normalizePhone, type NormalizePhoneOptions } from '@msgkit/core';
import { E164Set } from './e164Set';
import type { Row } from './recipients';

export type RowStatus = 'valid' | 'invalid' | 'duplicate';

export interface ClassifiedRow extends Row {
  status: RowStatus;
  e164?: string;
  /** Why an invalid row is invalid (normalizePhone's code, or `empty`). */
  code?: string;
}

export interface Tally {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  /** Rows whose country came from the file's country column. */
  countryFromColumn: number;
}

export const newTally = (): Tally => ({ rows: 0, valid: 0, invalid: 0, duplicates: 0, countryFromColumn: 0 });

/**
 * Normalizes rows one by one as they stream, keeping only a compact set of the numbers seen: a row
 * is `valid` (first time its E.164 is seen), `duplicate`, or `invalid`. A row's country cell, when
 * present, is its default country; else `defaultCountry`; with neither, a national number is
 * `invalid_country` (no country is ever assumed).
 */
export async function* classify(rows: AsyncIterable<Row> | Iterable<Row>, defaultCountry: string | undefined, tally: Tally = newTally()): AsyncGenerator<ClassifiedRow> {
  const seen = new E164Set();
  const options = new Map<string | undefined, NormalizePhoneOptions>();
  const optionsFor = (country: string | undefined) => {
    let o = options.get(country);
    if (!o) options.set(country, (o = country ? { defaultCountry: country } : {}));
    return o;
  };
  for await (const row of rows) {
    tally.rows++;
    if (row.country) tally.countryFromColumn++;
    if (row.input.trim() === '') {
      tally.invalid++;
      yield { ...row, status: 'invalid', code: 'empty' };
      continue;
    }
    const result = normalizePhone(row.input, optionsFor(row.country ?? defaultCountry));
    if (!result.ok) {
      tally.invalid++;
      yield { ...row, status: 'invalid', code: result.code };
    } else if (seen.add(result.e164)) {
      tally.valid++;
      yield { ...row, status: 'valid', e164: result.e164 };
    } else {
      tally.duplicates++;
      yield { ...row, status: 'duplicate', e164: result.e164 };
    }
  }
}

/** True when `country` is an ISO 3166 code the phone metadata knows (`UK` is taken as `GB`). */
export function knownCountry(country: string): boolean {
  // A national number under an unknown default country is the one answer that says so.
  const probe = normalizePhone('0', { defaultCountry: country });
  return /^[a-z]{2}$/i.test(country) && !(probe.ok === false && probe.code === 'invalid_country');
}
