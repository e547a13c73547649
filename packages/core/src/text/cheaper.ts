import { NATIONAL_LANGUAGES, type SegmentOptions } from './national-count';
import type { NationalLanguage } from './national-tables';
import { countSegments, notAString, type SegmentCount } from './segments';

/** What a substitution of `suggestCheaper` replaces: typography (quotes, dashes, `…`), spaces, invisible characters, or accented letters (transliteration). */
export type SubstitutionKind = 'typography' | 'space' | 'invisible' | 'transliteration';

/** One substitution that lowers a text's part count: what to replace with what, how often, and the parts before and after. */
export interface CheaperSubstitution {
  from: string;
  to: string;
  kind: SubstitutionKind;
  /** How many times `from` occurs in the text. */
  occurrences: number;
  /** Parts of the text as given, and with this substitution alone. */
  before: number;
  after: number;
}

/** What `suggestCheaper` found: the count as given, the substitutions that help, the text with all of them, and the languages whose tables would help. */
export interface CheaperSuggestions {
  before: SegmentCount;
  /** The substitutions of `combined`, each measured alone; empty when nothing lowers the count. */
  substitutions: CheaperSubstitution[];
  /** The text with every substitution of the list applied, and its count. */
  combined: { text: string; count: SegmentCount };
  /** Without a `language`: the languages whose national tables would send the text in fewer parts. */
  languages: Array<{ language: NationalLanguage; segments: number }>;
}

// Replacements a reader takes for the same text; each maps to characters of the default alphabet.
const TYPOGRAPHY = '‘\'’\'‚\'‛\'′\'´\'`\'“"”"„"‟"″"«"»"–-—-‒-―-‐-‑-−-•-·.';
const SPACES = '\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000';
const INVISIBLE = '\u200b\u200c\u200d\u2060\ufeff\u00ad';
// Letters outside the default alphabet, to the nearest letter inside it (Ç for ç, as handsets do).
const LETTERS =
  'áaâaãaāaăaąaÁAÂAÃAĀAĂAĄAçÇćcčcĆCČCďdĐDđdêeëeēeėeęeěeÊEËEĒEĖEĘEĚEğgĞGíiîiïiīiįiıiÍIÎIÏIİIłlŁLńnňnŃNŇNóoôoõoōoőöÓOÔOÕOŐÖœoeŒOEřrŘRśsšsşsșsŚSŠSŞSȘSťtţtțtŤTŢTȚTúuûuūuůuűüųuÚUÛUŪUŮUŰÜýyÿyÝYžzźzżzŽZŹZŻZ';

// Built by a call marked pure: loops at the top of the module would keep this table (and, through
// suggestCheaper, the national tables) in every app bundling @msgkit/core, used or not.
const REPLACEMENTS = /* @__PURE__ */ replacements();

function replacements(): Map<string, { to: string; kind: SubstitutionKind }> {
  const map = new Map<string, { to: string; kind: SubstitutionKind }>();
  for (let i = 0; i < TYPOGRAPHY.length; i += 2) map.set(TYPOGRAPHY[i]!, { to: TYPOGRAPHY[i + 1]!, kind: 'typography' });
  map.set('…', { to: '...', kind: 'typography' });
  for (const c of SPACES) map.set(c, { to: ' ', kind: 'space' });
  for (const c of INVISIBLE) map.set(c, { to: '', kind: 'invisible' });
  for (const [, from, to] of LETTERS.matchAll(/(.)((?:OE|oe|.))/gu)) map.set(from!, { to: to!, kind: 'transliteration' });
  return map;
}

const replace = (text: string, from: string, to: string) => text.split(from).join(to);

/**
 * The substitutions and transliterations that would send `text` in fewer parts (typographic quotes
 * and dashes, the ellipsis, non-breaking and other spaces, invisible characters, accented letters
 * that have a plain one in the default alphabet), each with the parts before and after it alone,
 * and the text with the smallest set of them that reaches the lowest count. With `{ language }`
 * the counts use that language's national tables, so a letter those tables have is left alone.
 */
export function suggestCheaper(text: string, options: SegmentOptions = {}): CheaperSuggestions {
  if (typeof text !== 'string') throw notAString();
  const count = (t: string) => countSegments(t, options);
  const before = count(text);
  const candidates = [...new Set(text)].filter((c) => REPLACEMENTS.has(c));
  let combined = candidates.reduce((t, c) => replace(t, c, REPLACEMENTS.get(c)!.to), text);
  let best = count(combined);
  // Undo each substitution that the lowest count does not need: the text keeps what it can.
  const kept: string[] = [];
  for (const c of candidates) {
    const undone = kept.concat(candidates.slice(candidates.indexOf(c) + 1)).reduce((t, k) => replace(t, k, REPLACEMENTS.get(k)!.to), text);
    if (count(undone).segments <= best.segments) {
      combined = undone;
      best = count(undone);
    } else kept.push(c);
  }
  const substitutions = kept.map((c): CheaperSubstitution => {
    const { to, kind } = REPLACEMENTS.get(c)!;
    return { from: c, to, kind, occurrences: text.split(c).length - 1, before: before.segments, after: count(replace(text, c, to)).segments };
  });
  const languages =
    options.language === undefined
      ? NATIONAL_LANGUAGES.map((language) => ({ language, segments: countSegments(text, { language }).segments })).filter((l) => l.segments < before.segments)
      : [];
  return { before, substitutions, combined: { text: combined, count: best }, languages };
}
