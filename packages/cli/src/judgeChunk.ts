/**
 * A chunk of phone cells judged at once, the answers as typed arrays (see Judged in phoneWorker.ts):
 * what the worker thread of `msgkit normalize --csv` sends back, and what the main thread makes
 * itself of a chunk read while the worker has enough waiting. The judging is Classifier.judge's,
 * the one the single-thread path uses; this Classifier's tally and duplicate set are unused (the
 * main thread's Classifier counts the rows and checks duplicates in order: Classifier.count).
 */
import { Classifier } from './classify';
import { e164Value } from './e164Set';
import type { Judged } from './phoneWorker';

/** The worker's first message: it has loaded, and judges the chunks sent from now on without waiting for its start. */
export const READY = 'ready';

export class ChunkJudge {
  readonly #classifier: Classifier;
  // Codes and types travel as small numbers: 1 + their index in this table, each name sent once.
  readonly #names = new Map<string, number>();
  #fresh: string[] = [];

  constructor(defaultCountry: string | undefined, allowLandline: boolean) {
    this.#classifier = new Classifier(defaultCountry, { allowLandline });
  }

  #nameOf(name: string): number {
    let index = this.#names.get(name);
    if (index === undefined) {
      index = this.#names.size + 1;
      if (index > 255) throw new RangeError('more than 255 codes and types');
      this.#names.set(name, index);
      this.#fresh.push(name);
    }
    return index;
  }

  judge(inputs: readonly string[], countries: ReadonlyArray<string | undefined>): Judged {
    const count = inputs.length;
    const digits = new Float64Array(count);
    const codes = new Uint8Array(count);
    const types = new Uint8Array(count);
    let odd: Array<number | string> | undefined;
    const classifier = this.#classifier;
    const last = classifier.last;
    let lastType: string | undefined;
    let lastTypeIndex = 0;
    for (let i = 0; i < count; i++) {
      if (!classifier.judge(inputs[i]!, countries[i])) codes[i] = this.#nameOf(last.code!);
      const type = last.type;
      if (type !== undefined) {
        // Most rows repeat the last row's type: one comparison instead of a map lookup.
        if (type !== lastType) {
          lastType = type;
          lastTypeIndex = this.#nameOf(type);
        }
        types[i] = lastTypeIndex;
      }
      const e164 = last.e164;
      if (e164 !== undefined) {
        // Its digits' value gives "+" and the digits back (e164Value: 0 for more than 15 digits, -1 for none).
        const value = e164Value(e164);
        if (value > 0) digits[i] = value;
        else (odd ??= []).push(i, e164);
      }
    }
    const names = this.#fresh;
    this.#fresh = [];
    return { digits, codes, types, names, odd };
  }
}
