/**
 * A set of E.164 numbers for de-duplicating lists of millions: each number of up to 15 digits is
 * held as the double of its digits (exact below 2^53) in an open-addressing table, 8 bytes a slot,
 * where a Set of strings costs several times that per entry. The few longer numbers the full
 * metadata calls valid (+49 30 1234567890123: 17 digits) are held as strings beside it.
 */
export class E164Set {
  #slots = new Float64Array(1 << 16);
  #size = 0;
  #long: Set<string> | undefined;

  get size(): number {
    return this.#size + (this.#long?.size ?? 0);
  }

  /**
   * Makes room for `count` numbers in all, so that adding them does not grow the table step by step
   * (each step puts every number in again); more can still be added.
   */
  reserve(count: number): void {
    let length = this.#slots.length;
    while (count * 10 > length * 7) length *= 2;
    if (length > this.#slots.length) this.#grow(length);
  }

  /** Adds `e164` ("+" and 1–20 digits, the first not 0); false when it was already there. */
  add(e164: string): boolean {
    const value = e164Value(e164);
    if (value < 0) throw new RangeError(`not an E.164 number: ${e164}`);
    if (value === 0) return this.#addLong(e164);
    // Linear probing stays short up to about 70 % full; growing at that point keeps 5 M numbers in 64 MB.
    if ((this.#size + 1) * 10 > this.#slots.length * 7) this.#grow(this.#slots.length * 2);
    if (!insert(this.#slots, value)) return false;
    this.#size++;
    return true;
  }

  /**
   * A check of many numbers at once, as `add` would tell them one by one in the order pushed (see
   * E164Batch): a number's slot is a read from a table of megabytes, which waits for memory when
   * it comes between two numbers' parsing, and overlaps with the next ones' when the checks come in
   * a row (the processor runs ahead into the next iterations while a read is pending).
   */
  batch(): E164Batch {
    return new E164Batch((values, longs, count, fresh) => this.#addAll(values, longs, count, fresh));
  }

  #addAll(values: Float64Array, longs: ReadonlyArray<string | undefined>, count: number, fresh: Uint8Array): void {
    let length = this.#slots.length;
    while ((this.#size + count) * 10 > length * 7) length *= 2;
    if (length > this.#slots.length) this.#grow(length);
    const slots = this.#slots;
    let size = this.#size;
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      let added: boolean;
      if (value > 0) {
        added = insert(slots, value);
        if (added) size++;
      } else added = this.#addLong(longs[i]!);
      fresh[i] = added ? 1 : 0;
    }
    this.#size = size;
  }

  #addLong(e164: string): boolean {
    const long = (this.#long ??= new Set());
    if (long.has(e164)) return false;
    long.add(e164);
    return true;
  }

  #grow(length: number): void {
    const old = this.#slots;
    this.#slots = new Float64Array(length);
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) insert(this.#slots, old[i]!);
  }
}

/**
 * Numbers pushed one by one and told apart in one go by `settle`: `fresh[i]` is 1 when the i-th
 * number pushed since the last settle was not in the set before it (it is now), 0 when it was.
 */
export class E164Batch {
  #values = new Float64Array(4096);
  #longs: Array<string | undefined> = [];
  #fresh = new Uint8Array(4096);
  #count = 0;

  constructor(private readonly addAll: (values: Float64Array, longs: ReadonlyArray<string | undefined>, count: number, fresh: Uint8Array) => void) {}

  /** Numbers pushed since the last settle. */
  get count(): number {
    return this.#count;
  }

  /** Pushes `e164` ("+" and 1–20 digits, the first not 0; a RangeError otherwise). */
  push(e164: string): void {
    this.pushValue(e164Value(e164), e164);
  }

  /** Pushes `e164` by its value as e164Value reads it, read by the caller already. */
  pushValue(value: number, e164: string): void {
    if (value < 0) throw new RangeError(`not an E.164 number: ${e164}`);
    const at = this.#count++;
    if (at === this.#values.length) {
      const values = new Float64Array(2 * at);
      values.set(this.#values);
      this.#values = values;
    }
    this.#values[at] = value;
    // A long number is held by its string, in its place in the order.
    if (value === 0) this.#longs[at] = e164;
  }

  /** Adds the numbers pushed to the set, in order; the answers are valid until the next push. */
  settle(): Uint8Array {
    const count = this.#count;
    if (this.#fresh.length < count) this.#fresh = new Uint8Array(this.#values.length);
    this.addAll(this.#values, this.#longs, count, this.#fresh);
    this.#count = 0;
    if (this.#longs.length > 0) this.#longs = [];
    return this.#fresh;
  }
}

/**
 * The number "+" and 1–15 digits stand for (read digit by digit, no string made); 0 for "+" and
 * 16–20 digits (more than a double holds exactly); -1 for anything else, a first digit 0 included.
 */
export function e164Value(e164: string): number {
  const length = e164.length;
  if (length < 2 || length > 21 || e164.charCodeAt(0) !== 43 || e164.charCodeAt(1) === 48) return -1;
  let value = 0;
  for (let i = 1; i < length; i++) {
    const digit = e164.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return length > 16 ? 0 : value;
}

function slotOf(value: number, mask: number): number {
  const high = Math.floor(value / 4294967296);
  return (Math.imul((value >>> 0) ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
}

function insert(slots: Float64Array, value: number): boolean {
  const mask = slots.length - 1;
  let i = slotOf(value, mask);
  for (;;) {
    const slot = slots[i]!;
    if (slot === 0) {
      slots[i] = value;
      return true;
    }
    if (slot === value) return false;
    i = (i + 1) & mask;
  }
}
