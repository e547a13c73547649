// GSM 03.38 default alphabet as a table indexed by UTF-16 code unit, so that classifying a
// character is one bounds check and one array read (no Set, Map or regex in the hot loop).
// Width 1 = basic table, 2 = extension table (ESC + char), 0 = not encodable in GSM-7.

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

// The form feed is the extension table's page break (0x1B 0x0A), hence two septets.
const EXTENSION = '\f^{}\\[~]|€';

const EURO = 0x20ac;

/** Highest code unit in either table other than the euro sign, which is handled separately. */
const TABLE_SIZE = 0x3aa;

/** @internal */
export const GSM_WIDTH: Uint8Array = /* @__PURE__ */ buildTable(TABLE_SIZE);

/**
 * @internal The same widths up to the euro sign included: the default alphabet's profile (scheme
 * 0 of national.ts's profiles), for listing what forces UCS-2 without the national tables.
 */
export const DEFAULT_WIDTHS: Uint8Array = /* @__PURE__ */ buildTable(EURO + 1);

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
export const LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;
