// Full metadata: the small one accepts `12345` under DE (it went out as +4912345) and cannot tell
// a landline from a mobile outside NANP.
import { normalizePhone, type NormalizePhoneOptions, type PhoneNumberType } from '@msgkit/core/max';
import { E164Set } from './e164Set';
import type { WrittenChunk } from './judgeChunk';
import type { Row } from './recipients';

export type RowStatus = 'valid' | 'invalid' | 'duplicate';

export interface ClassifiedRow extends Row {
  status: RowStatus;
  e164: string | undefined;
  /** What the number is (MOBILE, FIXED_LINE, …), where the metadata tells. */
  type: PhoneNumberType | undefined;
  /** The number's country (ISO 3166), where the metadata tells. */
  region?: string | undefined;
  /** Why an invalid row is invalid (normalizePhone's code, `empty`, or `not_mobile`). */
  code: string | undefined;
}

export interface Tally {
  rows: number;
  valid: number;
  /** Every row not sent to: unusable numbers, and numbers refused as not mobile. */
  invalid: number;
  duplicates: number;
  /** The invalid rows that are valid numbers of a type that is not mobile (refused without --allow-landline). */
  notMobile: number;
  /** Rows whose country came from the file's country column. */
  countryFromColumn: number;
}

export const newTally = (): Tally => ({ rows: 0, valid: 0, invalid: 0, duplicates: 0, notMobile: 0, countryFromColumn: 0 });

/**
 * Number types known not to be mobiles: an SMS to them is refused unless --allow-landline.
 * Kept: MOBILE; FIXED_LINE_OR_MOBILE, where the numbering plan itself does not tell (all of
 * NANP: refusing it would refuse every US number); and no type, where the metadata does not
 * say. VOIP is refused: a VoIP range (GB 056, FR 09) is a fixed service that may or may not take
 * texts, the same doubt as a landline. The CLI knows no vendor: whether a vendor delivers to
 * landlines (some convert the text to speech) is in each spec, and --allow-landline is the user's say.
 */
export const NOT_MOBILE: ReadonlySet<PhoneNumberType> = new Set<PhoneNumberType>(['FIXED_LINE', 'VOIP', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL']);

export interface ClassifyOptions {
  /** Send to numbers of a type that is not mobile too (landlines, VoIP, …). */
  allowLandline?: boolean;
}

/**
 * Classifies rows one by one, keeping only a compact set of the numbers seen: a row is `valid`
 * (first time its E.164 is seen), `duplicate`, or `invalid`. A row's country cell, when present, is
 * its default country; else `defaultCountry`; with neither, a national number is `invalid_country`
 * (no country is ever assumed). A number of a type in NOT_MOBILE is `invalid` (`not_mobile`) unless
 * `allowLandline`.
 */
export class Classifier {
  readonly tally: Tally;
  #seen = new E164Set();
  #waiting = this.#seen.batch();
  #options = new Map<string | undefined, NormalizePhoneOptions>();
  #lastKey: string | undefined;
  #lastOptions: NormalizePhoneOptions | undefined;
  #allowLandline: boolean;

  constructor(
    readonly defaultCountry: string | undefined,
    { allowLandline = false }: ClassifyOptions = {},
    tally: Tally = newTally(),
  ) {
    this.#allowLandline = allowLandline;
    this.tally = tally;
  }

  /**
   * What `read` made of the last number; the next read overwrites it. A caller that writes a row out
   * at once reads it here, where a list of millions would otherwise cost an object per row.
   */
  readonly last: { status: RowStatus; e164: string | undefined; type: PhoneNumberType | undefined; code: string | undefined; region: string | undefined } = {
    status: 'invalid',
    e164: undefined,
    type: undefined,
    code: undefined,
    region: undefined,
  };

  /** Makes room to tell duplicates among about `rows` numbers, when a caller can tell how many are coming. */
  expect(rows: number): void {
    this.#seen.reserve(rows);
  }

  /** Classifies one number, `country` being its row's country cell if any, into `last` (see `classify`). */
  read(input: string, country: string | undefined): void {
    if (this.#judge(input, country)) this.#count(this.#seen.add(this.last.e164!));
  }

  /**
   * Classifies one number as `read` does, except that a usable number's duplicate check waits: true
   * when the number is usable (`last` then says `valid`), and the caller hands it to `wait` before
   * the next judge, by its value as e164Value reads it (CsvRows.validRow reads it as it writes the
   * row); `settle` then checks the numbers waiting in one go (see E164Set.batch), for a list of millions.
   * A `read` between a judge and its settle would check its number before the waiting ones: not to be mixed.
   */
  judge(input: string, country: string | undefined): boolean {
    return this.#judge(input, country);
  }

  /** The number of the last `judge` that said true waits for `settle`, by its value as e164Value reads it. */
  wait(value: number): void {
    this.#waiting.pushValue(value, this.last.e164!);
  }

  /**
   * Counts a chunk of rows judged and written elsewhere (ChunkWriter, here or in the phone worker:
   * see phoneWorker.ts) as `judge` would have, its usable numbers waiting for `settle` in order.
   */
  countChunk(chunk: WrittenChunk): void {
    const tally = this.tally;
    tally.rows += chunk.rows;
    tally.countryFromColumn += chunk.countryFromColumn;
    tally.invalid += chunk.invalid;
    tally.notMobile += chunk.notMobile;
    const { values, longs } = chunk;
    const waiting = this.#waiting;
    // A number `values` cannot hold comes as its string, in `longs` (k, E.164 pairs).
    let nextLong = longs ? (longs[0] as number) : -1;
    let longAt = 0;
    for (let k = 0; k < values.length; k++) {
      if (k === nextLong) {
        waiting.pushValue(values[k]!, longs![longAt + 1] as string);
        longAt += 2;
        nextLong = longAt < longs!.length ? (longs![longAt] as number) : -1;
      } else waiting.pushValue(values[k]!, '');
    }
  }

  /**
   * Checks the numbers waiting (`wait`), in order, and counts them: `fresh[k]` is 1 when the
   * k-th of them is valid, 0 when it is a duplicate; valid until the next `judge`.
   */
  settle(): Uint8Array {
    const count = this.#waiting.count;
    const fresh = this.#waiting.settle();
    let valid = 0;
    for (let k = 0; k < count; k++) valid += fresh[k]!;
    this.tally.valid += valid;
    this.tally.duplicates += count - valid;
    return fresh;
  }

  #count(fresh: boolean): void {
    if (fresh) {
      this.tally.valid++;
      this.last.status = 'valid';
    } else {
      this.tally.duplicates++;
      this.last.status = 'duplicate';
    }
  }

  /** Classifies into `last`; true for a usable number, whose duplicate check is the caller's (`last.status` is then `valid`). */
  #judge(input: string, country: string | undefined): boolean {
    const tally = this.tally;
    tally.rows++;
    if (country) tally.countryFromColumn++;
    if (blank(input)) return this.#invalid('empty', undefined, undefined);
    // A list's country column repeats one string: its options are the last ones, without a lookup.
    const key = country ?? this.defaultCountry;
    let options = this.#lastOptions;
    if (key !== this.#lastKey || options === undefined) {
      options = this.#optionsFor(key);
      this.#lastKey = key;
      this.#lastOptions = options;
    }
    const result = normalizePhone(input, options);
    if (!result.ok) return this.#invalid(result.code, undefined, undefined);
    const type = result.type;
    // Most numbers of a list are mobiles: one comparison instead of a set lookup.
    if (type !== undefined && type !== 'MOBILE' && !this.#allowLandline && NOT_MOBILE.has(type)) {
      tally.notMobile++;
      return this.#invalid('not_mobile', type, result.e164, result.country);
    }
    const last = this.last;
    last.status = 'valid';
    last.e164 = result.e164;
    last.type = type;
    last.code = undefined;
    last.region = result.country;
    return true;
  }

  classify(row: Row): ClassifiedRow {
    this.read(row.input, row.country);
    const { status, e164, type, code, region } = this.last;
    return { row: row.row, input: row.input, country: row.country, arg: row.arg, cells: row.cells, status, e164, type, code, region };
  }

  #invalid(code: string, type: PhoneNumberType | undefined, e164: string | undefined, region?: string): false {
    this.tally.invalid++;
    const last = this.last;
    last.status = 'invalid';
    last.e164 = e164;
    last.type = type;
    last.code = code;
    last.region = region;
    return false;
  }

  #optionsFor(country: string | undefined): NormalizePhoneOptions {
    let options = this.#options.get(country);
    if (!options) this.#options.set(country, (options = country ? { defaultCountry: country } : {}));
    return options;
  }
}

/** True when `input` is empty or whitespace only (as `trim() === ''`), without trimming a cell that starts and ends printable. */
function blank(input: string): boolean {
  const length = input.length;
  if (length === 0) return true;
  const first = input.charCodeAt(0);
  const last = input.charCodeAt(length - 1);
  if (first > 32 && first < 127 && last > 32 && last < 127) return false;
  return input.trim() === '';
}

/** The rows classified as they stream (see Classifier). */
export async function* classify(rows: AsyncIterable<Row> | Iterable<Row>, defaultCountry: string | undefined, tally: Tally = newTally(), options: ClassifyOptions = {}): AsyncGenerator<ClassifiedRow> {
  const classifier = new Classifier(defaultCountry, options, tally);
  for await (const row of rows) yield classifier.classify(row);
}

/** True when `country` is an ISO 3166 code the phone metadata knows (`UK` is taken as `GB`). */
export function knownCountry(country: string): boolean {
  // A national number under an unknown default country is the one answer that says so.
  const probe = normalizePhone('0', { defaultCountry: country });
  return /^[a-z]{2}$/i.test(country) && !(probe.ok === false && probe.code === 'invalid_country');
}
