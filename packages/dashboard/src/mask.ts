/**
 * Phone numbers are masked on the page unless the user asks to see the numbers of a campaign of
 * their own: `+44 74•• •••456` keeps the country, the first two digits (the operator range) and the
 * last three, enough to tell numbers apart and find one in a results file, not enough to call it.
 */

// ITU-T E.164 country calling codes are prefix-free: these are the one- and two-digit ones
// (ITU-T E.164 Annex to Operational Bulletin); every other code has three digits.
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGITS = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58',
  '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

const DOT = '•';

function callingCodeLength(digits: string): number {
  if (ONE_DIGIT.has(digits.slice(0, 1))) return 1;
  return TWO_DIGITS.has(digits.slice(0, 2)) ? 2 : 3;
}

/** `+447400123456` → `+44 74•• •••456`; anything that is not E.164 keeps only its last three characters. */
export function maskNumber(value: string): string {
  const match = /^\+(\d{7,15})$/.exec(value);
  if (!match) return value.length <= 3 ? DOT.repeat(value.length) : `${DOT.repeat(value.length - 3)}${value.slice(-3)}`;
  const digits = match[1]!;
  const code = digits.slice(0, callingCodeLength(digits));
  const national = digits.slice(code.length);
  if (national.length <= 5) return `+${code} ${DOT.repeat(national.length - 2)}${national.slice(-2)}`;
  const hidden = national.length - 5;
  const first = Math.min(2, hidden);
  return `+${code} ${national.slice(0, 2)}${DOT.repeat(first)} ${DOT.repeat(hidden - first)}${national.slice(-3)}`;
}

// A run of 7 or more digits, possibly with a leading + and single spaces, dots or dashes inside.
const NUMBER_IN_TEXT = /\+?\d(?:[ .-]?\d){6,}/g;

/** Masks every phone-number-like run of digits inside a text (a vendor's error message may quote one). */
export function maskText(text: string): string {
  return text.replace(NUMBER_IN_TEXT, (run) => {
    const digits = run.replace(/\D/g, '');
    return maskNumber(run.startsWith('+') ? `+${digits}` : digits);
  });
}

/** A copy of a JSON value with every string masked by `maskText` (job data shown by the queue board). */
export function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  return value;
}
