// What forces UCS-2, apart from the national tables (national.ts) so that counting with the default
// alphabet alone, as every provider's text rule does, does not bring the tables into an app.

// Dedupe of BMP characters without allocating per call: a stamp per code unit, valid only when it
// equals the current generation. Safe because counting is synchronous and not re-entrant. Fixed
// size (128 KiB): the strings reported are cut from the text each time, nothing else is kept.
let stamps: Uint16Array | undefined;
let generation = 0;

/**
 * @internal Distinct characters from `from` on whose widths under `mask` are all 0, in order of
 * first appearance: one pass, deduped by stamps (BMP) or a Set (astral), so linear however many
 * distinct characters the text holds.
 */
export function collectOutside(text: string, from: number, widths: Uint8Array, mask: number): string[] {
  if (stamps === undefined) stamps = new Uint16Array(0x10000);
  if (++generation === 0x10000) {
    stamps.fill(0);
    generation = 1;
  }
  const seen = stamps;
  const gen = generation;
  const size = widths.length;
  const out: string[] = [];
  let astral: Set<number> | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < size && (widths[c]! & mask) !== 0) continue;
    if ((c & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = ((c - 0xd800) << 10) + text.charCodeAt(i + 1) - 0xdc00 + 0x10000;
      astral ??= new Set();
      const before = astral.size;
      if (astral.add(cp).size !== before) out.push(text.slice(i, i + 2));
      i++;
    } else if (seen[c] !== gen) {
      seen[c] = gen;
      out.push(text[i]!);
    }
  }
  return out;
}
