/**
 * A chunk of `msgkit normalize --csv` rows judged and written at once (see phoneWorker.ts): what the
 * worker thread sends back, and what the main thread makes itself of a chunk read while the worker
 * has enough waiting. The rows are the bytes the single-thread path writes, each usable number
 * written `valid`; the duplicate check, which depends on every row before, stays with the main
 * thread's Classifier (Classifier.countChunk, CsvRows.append): it rewrites the few rows it finds
 * to be duplicates. The judging is Classifier.judge's and the writing CsvRows', the ones the
 * single-thread path uses; this Classifier's duplicate set is unused.
 */
import { Classifier } from './classify';
import { CsvRows } from './csvRows';

/** The worker's first message: it has loaded, and judges the chunks sent from now on without waiting for its start. */
export const READY = 'ready';

/** A chunk's rows, written. */
export interface WrittenChunk {
  /** The rows as `msgkit normalize --csv` writes them, each usable number `valid`. */
  bytes: Uint8Array;
  /** Where the status of each usable number's row starts in `bytes`, in the rows' order. */
  statusAt: Int32Array;
  /** Each usable number, as e164Value reads it, in the same order (0: more than 15 digits, see `longs`). */
  values: Float64Array;
  /** k, E.164 pairs (in k order) for the numbers `values` cannot hold. */
  longs: Array<number | string> | undefined;
  /** The chunk's counts, as Classifier.judge keeps them (valid and duplicates wait for the check). */
  rows: number;
  countryFromColumn: number;
  invalid: number;
  notMobile: number;
}

export class ChunkWriter {
  readonly #classifier: Classifier;
  readonly #out = new CsvRows();

  constructor(defaultCountry: string | undefined, allowLandline: boolean) {
    this.#classifier = new Classifier(defaultCountry, { allowLandline });
  }

  /** Judges and writes the rows of `inputs` (phone cells), each with its country cell and its line. */
  write(inputs: readonly string[], countries: ReadonlyArray<string | undefined>, lines: ArrayLike<number>): WrittenChunk {
    const classifier = this.#classifier;
    const out = this.#out;
    const { last, tally } = classifier;
    const { rows, countryFromColumn, invalid, notMobile } = tally;
    const values = new Float64Array(inputs.length);
    let count = 0;
    let longs: Array<number | string> | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      if (classifier.judge(input, countries[i])) {
        const e164 = last.e164!;
        const value = out.validRow(lines[i]!, input, e164, last.type);
        if (value <= 0) (longs ??= []).push(count, e164);
        values[count++] = value;
      } else out.row(lines[i]!, input, last.e164, last.status, last.code, last.type);
    }
    const { bytes, statusAt } = out.takeMarked();
    return {
      bytes,
      statusAt,
      values: values.subarray(0, count),
      longs,
      rows: tally.rows - rows,
      countryFromColumn: tally.countryFromColumn - countryFromColumn,
      invalid: tally.invalid - invalid,
      notMobile: tally.notMobile - notMobile,
    };
  }
}
