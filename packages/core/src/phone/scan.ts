// One pass over an input, without allocating, deciding whether libphonenumber-js can take it
// as it is. Building a cleaned copy of every input cost more than the library's own parse saves,
// so only inputs with unusual characters (NBSP, bidi marks, fullwidth digits, letters) get one.

/** What the last scan found; reused so that scanning allocates nothing. */
export const scanned = {
  /** Only ASCII digits, one leading `+`, and the separators `space - . ( )`. */
  plain: false,
  plus: false,
  digits: 0,
  /** Index just after a leading `00` international prefix, or -1. */
  afterIdd: -1,
  /** The first three digits as numbers (-1 when absent), for the calling-code lookup. */
  d0: -1,
  d1: -1,
  d2: -1,
};

export function scan(input: string): boolean {
  const s = scanned;
  s.plus = false;
  s.digits = 0;
  s.afterIdd = -1;
  s.d0 = s.d1 = s.d2 = -1;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      const d = c - 0x30;
      if (s.digits === 0) s.d0 = d;
      else if (s.digits === 1) {
        s.d1 = d;
        if (s.d0 === 0 && d === 0 && !s.plus) s.afterIdd = i + 1;
      } else if (s.digits === 2) s.d2 = d;
      s.digits++;
    } else if (c === 0x2b) {
      if (s.plus || s.digits > 0) return (s.plain = false);
      s.plus = true;
    } else if (c !== 0x20 && c !== 0x2d && c !== 0x2e && c !== 0x28 && c !== 0x29) return (s.plain = false);
  }
  // Leading or trailing spaces make libphonenumber-js reject otherwise plain input.
  return (s.plain = n > 0 && input.charCodeAt(0) !== 0x20 && input.charCodeAt(n - 1) !== 0x20);
}

// Whitespace and invisible formatting people paste from documents, chat and spreadsheets.
const INVISIBLE = /[\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\ufeff]+/g;
const DASHES = /[\u2010-\u2015\u2212\ufe63\uff0d]/g;
const FULLWIDTH = /[\uff10-\uff19\uff0b]/g;

/** Best-effort cleanup of pasted text; the result may still not be plain (letters, `tel:`). */
export function clean(input: string): string {
  return input
    .replace(INVISIBLE, ' ')
    .replace(DASHES, '-')
    .replace(FULLWIDTH, (c) => (c === '\uff0b' ? '+' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30)))
    .trim();
}
