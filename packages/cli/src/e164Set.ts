/**
 * A set of E.164 numbers for de-duplicating lists of millions: each number is held as the double
 * of its digits (at most 15 digits, exact below 2^53) in an open-addressing table, 8 bytes a slot,
 * where a Set of strings costs several times that per entry.
 */
export class E164Set {
  #slots = new Float64Array(1 << 16);
  #size = 0;

  get size(): number {
    return this.#size;
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

  /** Adds `e164` ("+" and 1–15 digits); false when it was already there. */
  add(e164: string): boolean {
    const value = digitsOf(e164);
    if (value <= 0) throw new RangeError(`not an E.164 number: ${e164}`);
    // Linear probing stays short up to about 70 % full; growing at that point keeps 5 M numbers in 64 MB.
    if ((this.#size + 1) * 10 > this.#slots.length * 7) this.#grow(this.#slots.length * 2);
    if (!insert(this.#slots, value)) return false;
    this.#size++;
    return true;
  }

  #grow(length: number): void {
    const old = this.#slots;
    this.#slots = new Float64Array(length);
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) insert(this.#slots, old[i]!);
  }
}

/** The number "+" and 1–15 digits stand for (read digit by digit, no string made); -1 for anything else. */
function digitsOf(e164: string): number {
  const length = e164.length;
  if (length < 2 || length > 16 || e164.charCodeAt(0) !== 43) return -1;
  let value = 0;
  for (let i = 1; i < length; i++) {
    const digit = e164.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function insert(slots: Float64Array, value: number): boolean {
  const mask = slots.length - 1;
  const high = Math.floor(value / 4294967296);
  let i = (Math.imul((value >>> 0) ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
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
