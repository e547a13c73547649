/**
 * The rows of `msgkit normalize --csv`, encoded straight into bytes. Building a string per row and
 * converting each chunk's string to bytes for the write cost the CLI more than the reading of its
 * rows (issue 20): here an ASCII cell is copied character by character into one buffer per chunk,
 * and only a cell that needs quoting or holds other characters goes through a string.
 */

const NEEDS_QUOTES = /[",\n\r]/;

/** A cell as RFC 4180 writes it: quoted when it holds a quote, a comma or a line break. */
const csvCell = (value: string) => (NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

const COMMA = 44;
const VALID = 'valid';
const DUPLICATE = 'duplicate';
const NEWLINE = 10;

export class CsvRows {
  #bytes: Buffer;
  #at = 0;
  // The digits of the last row number written: the next row is nearly always the one after, so its
  // digits are those with one added, where dividing every number down to its digits cost more per row.
  #label = -1;
  #digits = new Uint8Array(20);
  #digitCount = 0;
  // Where the last row's status starts, and the status of each row checked (checkLast) since the last settle.
  #statusAt = 0;
  #checked = new Int32Array(1024);
  #checkedCount = 0;
  #tailType: string | undefined;
  #tail: Buffer | undefined;

  constructor(capacity = 1 << 17) {
    this.#bytes = Buffer.allocUnsafe(capacity);
  }

  /**
   * Adds a line of cells; `label` is a row number or a label (msgkit's own words). The cells other
   * than `input` are msgkit's own words and E.164 numbers: nothing in them needs quoting.
   */
  row(label: number | string, input: string, e164: string | undefined, status: string, code: string | undefined, type: string | undefined): void {
    let at = this.#head(label, input, 64);
    const bytes = this.#bytes;
    if (e164 !== undefined) at = writeAscii(bytes, at, e164);
    bytes[at++] = COMMA;
    this.#statusAt = at;
    at = writeAscii(bytes, at, status);
    bytes[at++] = COMMA;
    if (code !== undefined) at = writeAscii(bytes, at, code);
    bytes[at++] = COMMA;
    if (type !== undefined) at = writeAscii(bytes, at, type);
    bytes[at++] = NEWLINE;
    this.#at = at;
  }

  /**
   * Adds the row of a usable number whose duplicate check waits (`valid`, no code, marked as by
   * `checkLast`), and returns the value of `e164` as E164Set reads it (see e164Value), read from its
   * characters as they are written: reading the number twice, for the set and for the row, cost as
   * much as writing the row.
   */
  validRow(label: number | string, input: string, e164: string, type: string | undefined): number {
    let at = this.#head(label, input, e164.length + 64);
    const bytes = this.#bytes;
    const length = e164.length;
    let value = length < 2 || length > 21 || e164.charCodeAt(0) !== 43 || e164.charCodeAt(1) === 48 ? -1 : 0;
    for (let i = 0; i < length; i++) {
      const c = e164.charCodeAt(i);
      bytes[at++] = c;
      if (i > 0) {
        const digit = c - 48;
        if (digit < 0 || digit > 9) value = -1;
        else if (value >= 0) value = value * 10 + digit;
      }
    }
    if (value > 0 && length > 16) value = 0;
    this.#validTail(bytes, at, type);
    return value;
  }

  /**
   * `validRow` for a number given as its digits' value (1 to 10^15 - 1, the number "+" and those
   * digits), as the phone worker hands it over (phoneWorker.ts): making a string of each number on
   * the main thread would cost it more than the row.
   */
  validRowOfDigits(label: number, input: string, value: number, type: string | undefined): void {
    const at = this.#head(label, input, 80);
    const bytes = this.#bytes;
    this.#validTail(bytes, writeE164(bytes, at, value), type);
  }

  /** `row` of an invalid number whose E.164 number, if any, is given as its digits' value (0: none; see validRowOfDigits). */
  invalidRowOfDigits(label: number, input: string, value: number, code: string, type: string | undefined): void {
    let at = this.#head(label, input, 80);
    const bytes = this.#bytes;
    if (value > 0) at = writeE164(bytes, at, value);
    bytes[at++] = COMMA;
    this.#statusAt = at;
    at = writeAscii(bytes, at, 'invalid');
    bytes[at++] = COMMA;
    at = writeAscii(bytes, at, code);
    bytes[at++] = COMMA;
    if (type !== undefined) at = writeAscii(bytes, at, type);
    bytes[at++] = NEWLINE;
    this.#at = at;
  }

  /**
   * Reserves room for a row of `input` and `extra` more bytes, then writes its label and input cells
   * (each with its comma) and returns where the next cell starts. A UTF-16 unit is at most 3 bytes
   * of UTF-8, and quoting at most doubles the input. The position lives in a local while a row is
   * written: a field updated per byte cost more than the bytes.
   */
  #head(label: number | string, input: string, extra: number): number {
    this.#reserve(6 * input.length + (typeof label === 'string' ? label.length : 16) + extra);
    const bytes = this.#bytes;
    let at = typeof label === 'number' ? this.#number(bytes, this.#at, label) : writeAscii(bytes, this.#at, label);
    bytes[at++] = COMMA;
    const plain = writePlain(bytes, at, input);
    at = plain >= 0 ? plain : at + bytes.write(csvCell(input), at, 'utf8');
    bytes[at++] = COMMA;
    return at;
  }

  /** Ends a valid row after its E.164 cell at `at`: `,valid,,TYPE` and the line end (bytes made once per type), marked by `checkLast`. */
  #validTail(bytes: Buffer, at: number, type: string | undefined): void {
    bytes[at++] = COMMA;
    this.#statusAt = at;
    if (type !== this.#tailType || this.#tail === undefined) {
      this.#tail = Buffer.from(`${VALID},,${type ?? ''}\n`, 'latin1');
      this.#tailType = type;
    }
    const tail = this.#tail;
    for (let i = 0; i < tail.length; i++) bytes[at++] = tail[i]!;
    this.#at = at;
    this.checkLast();
  }

  /**
   * Marks the last row, written as `valid`, as one whose number waits for a duplicate check; `settle`
   * then writes the answers of the rows marked since the last settle.
   */
  checkLast(): void {
    const count = this.#checkedCount++;
    if (count === this.#checked.length) {
      const bigger = new Int32Array(2 * count);
      bigger.set(this.#checked);
      this.#checked = bigger;
    }
    this.#checked[count] = this.#statusAt;
  }

  /**
   * Writes `duplicate` instead of `valid` in the k-th row marked since the last settle when
   * `fresh[k]` is 0 (its number was seen before); 1 leaves it valid. Before a take.
   */
  settle(fresh: Uint8Array): void {
    const checked = this.#checked;
    const count = this.#checkedCount;
    this.#checkedCount = 0;
    let seen = 0;
    for (let k = 0; k < count; k++) if (fresh[k] === 0) seen++;
    if (seen === 0) return;
    // Each `duplicate` is 4 bytes longer than `valid`: the bytes after the k-th of them move 4·(k+1)
    // to the right. From the last one back, every byte moves once, and none onto one not yet moved.
    this.#reserve(4 * seen);
    const bytes = this.#bytes;
    let end = this.#at;
    this.#at += 4 * seen;
    for (let k = count - 1; k >= 0; k--) {
      if (fresh[k] !== 0) continue;
      const status = checked[k]!;
      const shift = 4 * seen;
      bytes.copyWithin(status + VALID.length + shift, status + VALID.length, end);
      seen--;
      writeAscii(bytes, status + 4 * seen, DUPLICATE);
      end = status;
    }
  }

  /**
   * `take` for rows written elsewhere than where they are checked (ChunkWriter, judgeChunk.ts): the
   * bytes, and where the status of each row marked since the last settle starts in them, in order;
   * the marks are handed over with the bytes (no settle for them here).
   */
  takeMarked(): { bytes: Buffer; statusAt: Int32Array } {
    const statusAt = this.#checked.slice(0, this.#checkedCount);
    this.#checkedCount = 0;
    return { bytes: this.take(), statusAt };
  }

  /**
   * Adds rows another CsvRows wrote (`takeMarked`'s bytes and marks), as if written here: their
   * marked rows wait for the next `settle` after those marked before them.
   */
  append(bytes: Uint8Array, statusAt: Int32Array): void {
    this.#reserve(bytes.length);
    const at = this.#at;
    this.#bytes.set(bytes, at);
    this.#at = at + bytes.length;
    const count = this.#checkedCount;
    const needed = count + statusAt.length;
    if (needed > this.#checked.length) {
      const bigger = new Int32Array(Math.max(needed, 2 * this.#checked.length));
      bigger.set(this.#checked.subarray(0, count));
      this.#checked = bigger;
    }
    const checked = this.#checked;
    for (let k = 0; k < statusAt.length; k++) checked[count + k] = statusAt[k]! + at;
    this.#checkedCount = needed;
  }

  /**
   * The bytes of the rows added since the last take, handed over (a stream may hold them until it
   * writes them); the next rows go to a new buffer.
   */
  take(): Buffer {
    const taken = this.#bytes.subarray(0, this.#at);
    this.#bytes = Buffer.allocUnsafe(Math.max(this.#bytes.length, this.#at + (this.#at >> 2)));
    this.#at = 0;
    return taken;
  }

  /** Writes the digits of the row number `value` at `at`; returns where they end. */
  #number(bytes: Buffer, at: number, value: number): number {
    const digits = this.#digits;
    let count = this.#digitCount;
    if (value === this.#label + 1 && count > 0) {
      // Add one to the decimal digits, carrying; a carry out of the first digit makes one more digit.
      let i = count - 1;
      while (i >= 0 && digits[i] === 57) digits[i--] = 48;
      if (i >= 0) digits[i]!++;
      else {
        digits.copyWithin(1, 0, count);
        digits[0] = 49;
        count++;
      }
    } else {
      count = 0;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) count++;
      count++;
      let rest = value;
      for (let i = count - 1; i >= 0; i--) {
        digits[i] = 48 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
    }
    this.#label = value;
    this.#digitCount = count;
    for (let i = 0; i < count; i++) bytes[at++] = digits[i]!;
    return at;
  }

  #reserve(bytes: number): void {
    if (this.#at + bytes <= this.#bytes.length) return;
    const bigger = Buffer.allocUnsafe(2 * (this.#at + bytes));
    this.#bytes.copy(bigger, 0, 0, this.#at);
    this.#bytes = bigger;
  }
}

/** Copies `text` at `at` when it is printable ASCII with nothing to quote and returns where it ends; -1 otherwise. */
function writePlain(bytes: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 126 || c < 32 || c === 34 || c === COMMA) return -1;
    bytes[at++] = c;
  }
  return at;
}

/** Copies text of msgkit's own (ASCII) at `at`; returns where it ends. */
function writeAscii(bytes: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  return at;
}

/** Writes "+" and the decimal digits of `value` (1 to 10^15 - 1) at `at`; returns where they end. */
function writeE164(bytes: Buffer, at: number, value: number): number {
  bytes[at++] = 43;
  // Two halves that fit 32-bit integers: dividing a double digit by digit cost more.
  const high = Math.floor(value / 1e8);
  let low = value - high * 1e8;
  if (high === 0) return writeInteger(bytes, at, low);
  at = writeInteger(bytes, at, high);
  for (let i = 7; i >= 0; i--) {
    const rest = (low / 10) | 0;
    bytes[at + i] = 48 + low - rest * 10;
    low = rest;
  }
  return at + 8;
}

/** Writes the decimal digits of `value` (0 to 2^31 - 1) at `at`; returns where they end. */
function writeInteger(bytes: Buffer, at: number, value: number): number {
  let count = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) count++;
  for (let i = count - 1; i >= 0; i--) {
    const rest = (value / 10) | 0;
    bytes[at + i] = 48 + value - rest * 10;
    value = rest;
  }
  return at + count;
}
