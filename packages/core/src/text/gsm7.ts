// GSM 03.38 default alphabet as a table indexed by UTF-16 code unit, so that classifying a
// character is one bounds check and one array read (no Set, Map or regex in the hot loop).
// Width 1 = basic table, 2 = extension table (ESC + char), 0 = not encodable in GSM-7.

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

// The form feed is the extension table's page break (0x1B 0x0A), hence two septets.
const EXTENSION = '\f^{}\\[~]|€';

const EURO = 0x20ac;

/** @internal Highest code unit in either table other than the euro sign, which is handled separately. */
export const TABLE_SIZE = 0x3aa;

/** @internal */
export const GSM_WIDTH: Uint8Array = /* @__PURE__ */ buildTable(TABLE_SIZE);

/**
 * @internal The same widths up to the euro sign included: the default alphabet's profile (scheme
 * 0 of national.ts's profiles), for listing what forces UCS-2 without the national tables. Its
 * size 0x20ad is EURO + 1 written out: a bundler keeps an unused pure call whose argument is
 * `EURO + 1` (an addition may run code), and with it the tables, in apps that never count.
 */
export const DEFAULT_WIDTHS: Uint8Array = /* @__PURE__ */ buildTable(0x20ad);

function buildTable(size: number): Uint8Array {
  const table = new Uint8Array(size);
  for (let i = 0; i < BASIC.length; i++) table[BASIC.charCodeAt(i)] = 1;
  for (let i = 0; i < EXTENSION.length; i++) {
    const code = EXTENSION.charCodeAt(i);
    if (code < size) table[code] = 2;
  }
  return table;
}

/** @internal Septets needed for one UTF-16 code unit, or 0 when GSM-7 cannot encode it. */
export function gsmWidth(code: number): number {
  return code < TABLE_SIZE ? GSM_WIDTH[code]! : code === EURO ? 2 : 0;
}

/** @internal */
export const GSM_ALPHABET = { basic: BASIC, extension: EXTENSION } as const;

/** @internal Limits of one SMS: a single message, and each part of a concatenated one (UDH takes the rest). */
/**
 * @internal The limits of each encoding as constants of their own: read as `LIMITS['GSM-7']` at a
 * module's top level, a bundler keeps the read (a property access may run code) and with it this
 * module, in every app that has core's text code in its chunk without using it.
 */
export const GSM_LIMITS = { single: 160, multi: 153 } as const;
/** @internal See GSM_LIMITS. */
export const UCS_LIMITS = { single: 70, multi: 67 } as const;

export const LIMITS = {
  'GSM-7': GSM_LIMITS,
  'UCS-2': UCS_LIMITS,
} as const;
