// Test-only oracle, deliberately simple and written differently from national.ts: it encodes the
// text into real septet values by looking characters up by position in the tables, for every
// pair of tables, builds each part septet by septet against a capacity computed from bits, and
// compares the candidates afterwards. Quadratic-looking and slow on purpose; never shipped.
import { GSM_ALPHABET } from './gsm7';
import { NATIONAL_TABLES, type NationalLanguage } from './national-tables';

type Shift = 'single' | 'locking' | 'single+locking';
export interface OracleResult {
  encoding: 'GSM-7' | 'UCS-2';
  units: number;
  segments: number;
  perSegment: number;
  remaining: number;
  lockingShift: boolean;
  singleShift: boolean;
  parts: string[];
}

const ESC = 0x1b;
// The default alphabet by position (6.2.1), ESC at 0x1B; the extension's members are enough here.
const DEFAULT_LOCKING = GSM_ALPHABET.basic.slice(0, 27) + '\uffff' + GSM_ALPHABET.basic.slice(27);

/** Septet values for `text` with these two tables, or null when a character is in neither. */
function encode(text: string, locking: string, single: string | null): number[][] | null {
  const out: number[][] = [];
  for (const char of text) {
    const at = char.length === 1 ? locking.indexOf(char) : -1;
    if (at >= 0 && char !== '\uffff') {
      out.push([at]);
      continue;
    }
    const ext = char.length === 1 ? (single === null ? GSM_ALPHABET.extension.indexOf(char) : single.indexOf(char)) : -1;
    if (ext >= 0 && char !== '\uffff') out.push([ESC, ext]);
    else return null;
  }
  return out;
}

/** Bits of the user data header: length octet + 8-bit concatenation IE (5) + 3 per national IE. */
function capacity(ies: number, concatenated: boolean): number {
  const headerOctets = ies === 0 && !concatenated ? 0 : 1 + 3 * ies + (concatenated ? 5 : 0);
  const bits = 140 * 8 - headerOctets * 8;
  return Math.floor(bits / 7);
}

export function oracle(text: string, language: NationalLanguage, shifts: readonly Shift[] = ['single', 'locking', 'single+locking']): OracleResult {
  const tables = NATIONAL_TABLES[language];
  const locking = 'locking' in tables ? tables.locking : null;
  const candidates: Array<{ lockingShift: boolean; singleShift: boolean; chars: number[][] }> = [];
  const add = (lockingShift: boolean, singleShift: boolean) => {
    const chars = encode(text, lockingShift ? locking! : DEFAULT_LOCKING, singleShift ? tables.single : null);
    if (chars) candidates.push({ lockingShift, singleShift, chars });
  };
  add(false, false);
  if (shifts.includes('single')) add(false, true);
  if (locking !== null && shifts.includes('locking')) add(true, false);
  if (locking !== null && shifts.includes('single+locking')) add(true, true);

  let best: OracleResult | null = null;
  for (const c of candidates) {
    const ies = (c.lockingShift ? 1 : 0) + (c.singleShift ? 1 : 0);
    const septets = c.chars.reduce((n, ch) => n + ch.length, 0);
    const chars = [...text];
    let result: OracleResult;
    if (septets <= capacity(ies, false)) {
      result = { encoding: 'GSM-7', units: septets, segments: septets === 0 ? 0 : 1, perSegment: capacity(ies, false), remaining: capacity(ies, false) - septets, lockingShift: c.lockingShift, singleShift: c.singleShift, parts: septets === 0 ? [] : [text] };
    } else {
      const cap = capacity(ies, true);
      const parts: string[] = [''];
      let used = 0;
      c.chars.forEach((ch, i) => {
        if (used + ch.length > cap) {
          parts.push('');
          used = 0;
        }
        parts[parts.length - 1] += chars[i];
        used += ch.length;
      });
      result = { encoding: 'GSM-7', units: septets, segments: parts.length, perSegment: cap, remaining: cap - used, lockingShift: c.lockingShift, singleShift: c.singleShift, parts };
    }
    const better =
      best === null ||
      result.segments < best.segments ||
      (result.segments === best.segments && result.remaining > best.remaining) ||
      (result.segments === best.segments && result.remaining === best.remaining && ies < Number(best.lockingShift) + Number(best.singleShift));
    if (better) best = result;
  }
  const ucs2 = ucs2Oracle(text);
  if (best === null || ucs2.segments < best.segments) return ucs2;
  return best;
}

function ucs2Oracle(text: string): OracleResult {
  const units = text.length;
  const base = { encoding: 'UCS-2' as const, units, lockingShift: false, singleShift: false };
  if (units <= 70) return { ...base, segments: units === 0 ? 0 : 1, perSegment: 70, remaining: 70 - units, parts: units === 0 ? [] : [text] };
  const parts: string[] = [''];
  for (const char of text) {
    if (parts[parts.length - 1]!.length + char.length > 67) parts.push('');
    parts[parts.length - 1] += char;
  }
  return { ...base, segments: parts.length, perSegment: 67, remaining: 67 - parts[parts.length - 1]!.length, parts };
}
