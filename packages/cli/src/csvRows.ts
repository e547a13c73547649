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
const NEWLINE = 10;

export class CsvRows {
  #bytes: Buffer;
  #at = 0;

  constructor(capacity = 1 << 17) {
    this.#bytes = Buffer.allocUnsafe(capacity);
  }

  /**
   * Adds a line of cells; `label` is a row number or a label (msgkit's own words). The cells other
   * than `input` are msgkit's own words and E.164 numbers: nothing in them needs quoting.
   */
  row(label: number | string, input: string, e164: string | undefined, status: string, code: string | undefined, type: string | undefined): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8; quoting at most doubles the input.
    this.#reserve(6 * input.length + (typeof label === 'string' ? label.length : 16) + 64);
    if (typeof label === 'number') this.#number(label);
    else this.#ascii(label);
    this.#bytes[this.#at++] = COMMA;
    if (!this.#plain(input)) this.#at += this.#bytes.write(csvCell(input), this.#at, 'utf8');
    this.#bytes[this.#at++] = COMMA;
    if (e164 !== undefined) this.#ascii(e164);
    this.#bytes[this.#at++] = COMMA;
    this.#ascii(status);
    this.#bytes[this.#at++] = COMMA;
    if (code !== undefined) this.#ascii(code);
    this.#bytes[this.#at++] = COMMA;
    if (type !== undefined) this.#ascii(type);
    this.#bytes[this.#at++] = NEWLINE;
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

  #reserve(bytes: number): void {
    if (this.#at + bytes <= this.#bytes.length) return;
    const bigger = Buffer.allocUnsafe(2 * (this.#at + bytes));
    this.#bytes.copy(bigger, 0, 0, this.#at);
    this.#bytes = bigger;
  }

  /** Copies `text` when it is printable ASCII with nothing to quote; false (nothing written) otherwise. */
  #plain(text: string): boolean {
    const bytes = this.#bytes;
    const start = this.#at;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 126 || c < 32 || c === 34 || c === COMMA) {
        this.#at = start;
        return false;
      }
      bytes[this.#at++] = c;
    }
    return true;
  }

  /** Text of msgkit's own (ASCII), copied as it is. */
  #ascii(text: string): void {
    const bytes = this.#bytes;
    for (let i = 0; i < text.length; i++) bytes[this.#at++] = text.charCodeAt(i);
  }

  #number(value: number): void {
    const bytes = this.#bytes;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let end = this.#at + digits;
    this.#at = end;
    let rest = value;
    do {
      bytes[--end] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }
}
