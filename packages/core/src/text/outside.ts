// What forces UCS-2, apart from the national tables (national.ts) so that counting with the default
// alphabet alone, as every provider's text rule does, does not bring the tables into an app.

// Dedupe without allocating per call: per table of widths and mask, a stamp per code unit, where
// MEMBER marks the units of the alphabet and any other value is the generation of the pass that
// last met the unit, so that each unit costs one read and one comparison (`stamp >= generation`:
// a member, or met already in this pass). Safe because counting is synchronous and not re-entrant.
// A surrogate pair is stamped in the table of its high surrogate (its 1024 low surrogates, then the
// high surrogate alone), made on first use. 128 KiB per table of widths and mask met (the default
// alphabet; a national profile that met UCS-2 text), 2 KiB per high surrogate met (emoji use a
// handful); the strings reported are cut from the text each time.
const MEMBER = 0xffff;

interface Stamps {
  mask: number;
  units: Uint16Array;
  pairs: Uint16Array[];
  generation: number;
}

// Held weakly by the table of widths: a profile dropped (a vendor's billing built by a caller and
// let go) takes its stamps with it.
const byWidths = new WeakMap<Uint8Array, Stamps[]>();

function stampsFor(widths: Uint8Array, mask: number): Stamps {
  let list = byWidths.get(widths);
  if (list === undefined) byWidths.set(widths, (list = []));
  for (const stamps of list) if (stamps.mask === mask) return stamps;
  const units = new Uint16Array(0x10000);
  for (let c = 0; c < widths.length; c++) if ((widths[c]! & mask) !== 0) units[c] = MEMBER;
  const stamps = { mask, units, pairs: [], generation: 0 };
  list.push(stamps);
  return stamps;
}

/**
 * @internal Distinct characters from `from` on whose widths under `mask` are all 0, in order of
 * first appearance: one pass, deduped by stamps, so linear however many distinct characters the
 * text holds.
 */
export function collectOutside(text: string, from: number, widths: Uint8Array, mask: number): string[] {
  const stamps = stampsFor(widths, mask);
  const seen = stamps.units;
  if (++stamps.generation === MEMBER) {
    for (let c = 0; c < 0x10000; c++) if (seen[c] !== MEMBER) seen[c] = 0;
    for (const table of stamps.pairs) table?.fill(0);
    stamps.generation = 1;
  }
  const gen = stamps.generation;
  const n = text.length;
  const out: string[] = [];
  for (let i = from; i < n; i++) {
    // Two known units a turn: a turn of the loop costs about as much as a unit (measured: a third
    // less time on the bench's texts than one unit a turn; four a turn is no better).
    while (i + 1 < n && seen[text.charCodeAt(i)]! >= gen && seen[text.charCodeAt(i + 1)]! >= gen) i += 2;
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (seen[c]! >= gen) continue;
    if ((c & 0xfc00) !== 0xd800) {
      seen[c] = gen;
      out.push(text[i]!);
      continue;
    }
    // A high surrogate is never stamped in `seen`: what it stands for depends on the unit after it.
    const low = text.charCodeAt(i + 1);
    const slot = (low & 0xfc00) === 0xdc00 ? low - 0xdc00 : 0x400;
    const table = (stamps.pairs[c - 0xd800] ??= new Uint16Array(0x401));
    if (table[slot] !== gen) {
      table[slot] = gen;
      out.push(slot === 0x400 ? text[i]! : text.slice(i, i + 2));
    }
    if (slot !== 0x400) i++;
  }
  return out;
}
