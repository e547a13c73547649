// 25 000 recipient inputs the way they arrive from spreadsheets and forms, generated from a seed,
// each with the number it was made from (its truth), so answers are scored against how the set
// was built and never against either implementation. One list per sender country, since a
// recipient list has one default country for its national-format numbers.
//
// Numbers: the example mobile (libphonenumber-js) or example landline (google-libphonenumber's
// data) of a country with its last six digits randomised, kept when max metadata calls the result
// valid for that country. Writings:
// - own numbers written nationally (as formatted, with dots, dashes, digits only, and with the
//   trunk prefix dropped as spreadsheets do), and internationally (`+`, `00`, tel:, NBSP,
//   `+44 (0)…`, and without `+`: bare `447400123456` or grouped `44 7400 123456`);
// - other countries' numbers written internationally, the same ways;
// - in lists of non-NANP countries, a US or Canadian number written the US way
//   (`(646) 555-0199`, `646-555-0199`, `6465550199`): its truth is the NANP number, which no reading without a
//   country code can reach, so the only right answer is a refusal and any number is wrong. Where
//   the same string is also the list country's own writing of a valid number, it is labelled
//   and scored apart (see alsoWrittenThisWay);
// - junk and verbatim repeats.
import examples from 'libphonenumber-js/mobile/examples';
import { parsePhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parsePhoneNumberFromString as parseWithMin } from 'libphonenumber-js/min';
import google from 'google-libphonenumber';
import { pick, seeded } from './harness.mjs';

export const COUNTRIES = ['US', 'IT', 'CN', 'CO', 'DE', 'GB', 'MX', 'FR', 'ES', 'BR', 'IN', 'AU', 'JP', 'NL', 'PL', 'ZA', 'CH', 'AT', 'SE', 'BE'];
/** Countries whose numbers appear only as foreign numbers, among them the ones issue 8 names (BZ, GM, NZ, EG). */
const ELSEWHERE = ['BZ', 'GM', 'NZ', 'EG', 'NG', 'KE', 'PH', 'VN', 'TR', 'AR', 'RU', 'CA', 'SG', 'AE', 'ID', 'PT'];
const NANP = new Set(['US', 'CA']);

const NBSP = '\u00a0';
const util = google.PhoneNumberUtil.getInstance();

const bases = new Map();
function basesOf(country) {
  let known = bases.get(country);
  if (!known) {
    known = [parsePhoneNumber(examples[country], country).nationalNumber];
    const landline = util.getExampleNumberForType(country, google.PhoneNumberType.FIXED_LINE);
    if (landline) known.push(util.getNationalSignificantNumber(landline));
    bases.set(country, known);
  }
  return known;
}

function validNumber(random, country) {
  const national = pick(random, basesOf(country));
  const keep = Math.max(2, national.length - 6);
  for (;;) {
    let digits = national.slice(0, keep);
    while (digits.length < national.length) digits += Math.floor(random() * 10);
    const phone = parsePhoneNumber(`+${parsePhoneNumber(examples[country], country).countryCallingCode}${digits}`);
    if (phone.isValid() && phone.country === country) return phone;
  }
}

const INTERNATIONAL = {
  e164: (p) => p.number,
  international: (p) => p.formatInternational(),
  idd00: (p) => p.formatInternational().replace('+', '00'),
  tel: (p) => p.format('RFC3966'),
  nbsp: (p) => p.formatInternational().replaceAll(' ', NBSP),
  trunkInParens: (p) => {
    const national = p.formatNational();
    return national.startsWith('0') ? `+${p.countryCallingCode} (0)${national.slice(1)}` : p.formatInternational();
  },
  noPlus: (p) => p.number.slice(1),
  noPlusGrouped: (p) => p.formatInternational().slice(1),
};

const NATIONAL = {
  national: (p) => p.formatNational(),
  nationalDots: (p) => p.formatNational().replace(/[\s-]+/g, '.'),
  nationalDashes: (p) => p.formatNational().replace(/\s+/g, '-'),
  nationalDigits: (p) => p.formatNational().replace(/\D/g, ''),
  trunkDropped: (p) => p.nationalNumber,
  tabbed: (p) => `\t${p.formatNational()}`,
};

const US_WAY = [(p) => p.formatNational(), (p) => p.formatNational().replace(/^\((\d+)\) /, '$1-'), (p) => p.nationalNumber];

const groups = (text) => text.split(/\D+/).filter(Boolean).join(' ');

/**
 * The string is also how `country` writes one of its own valid numbers (same digit groups):
 * `(201) 530-2899` is a Mexican landline written the Mexican way. Its truth stays the NANP number,
 * but no reading of the string can tell, so the bench counts these apart: `nanpSameAsNational`
 * when full metadata says so, `nanpSameAsNationalToMin` when only min metadata (length and
 * leading digits) does, which matters to readers bound to min metadata alone.
 */
function alsoWrittenThisWay(parse, input, country) {
  const phone = parse(input, country);
  if (phone === undefined || !phone.isValid() || phone.country !== country) return false;
  // Bare digits assert no grouping: a valid national number, trunk prefix kept or dropped, is one.
  return /^\d+$/.test(input) || groups(phone.formatNational()) === groups(input);
}

const INVALID = [
  (r) => 'n/a',
  (r) => '',
  (r) => `+${Math.floor(r() * 90 + 10)} ${Math.floor(r() * 900)}`,
  (r) => `0${Math.floor(r() * 1e14)}`.padEnd(17, '7'),
  (r) => 'call me',
  (r) => `+999 ${Math.floor(r() * 1e9)}`,
  (r) => `${Math.floor(r() * 1e5)}`,
];

/** @returns {{ country: string, inputs: string[], truths: (string | null)[], kinds: string[] }[]} truth null: junk */
export function phoneLists(total = 25_000, seed = 20240601) {
  const random = seeded(seed);
  const perList = Math.ceil(total / COUNTRIES.length);
  const lists = [];
  let made = 0;
  for (const country of COUNTRIES) {
    const inputs = [];
    const truths = [];
    const kinds = [];
    const add = (input, truth, kind) => {
      inputs.push(input);
      truths.push(truth);
      kinds.push(kind);
    };
    const size = Math.min(perList, total - made);
    while (inputs.length < size) {
      const roll = random();
      if (roll < 0.05) add(pick(random, INVALID)(random), null, 'junk');
      else if (roll < 0.12 && inputs.length > 0) {
        const i = Math.floor(random() * inputs.length);
        add(inputs[i], truths[i], kinds[i]);
      } else if (roll < 0.16 && !NANP.has(country)) {
        const nanp = validNumber(random, pick(random, ['US', 'CA']));
        const input = pick(random, US_WAY)(nanp);
        const kind = alsoWrittenThisWay(parsePhoneNumberFromString, input, country)
          ? 'nanpSameAsNational'
          : alsoWrittenThisWay(parseWithMin, input, country)
            ? 'nanpSameAsNationalToMin'
            : 'nanpWrittenTheUsWay';
        add(input, nanp.number, kind);
      } else if (roll < 0.4) {
        const kind = pick(random, Object.keys(INTERNATIONAL));
        const other = validNumber(random, pick(random, random() < 0.5 ? COUNTRIES : ELSEWHERE));
        add(INTERNATIONAL[kind](other), other.number, `foreign ${kind}`);
      } else if (roll < 0.55) {
        const kind = pick(random, Object.keys(INTERNATIONAL));
        const own = validNumber(random, country);
        add(INTERNATIONAL[kind](own), own.number, `own ${kind}`);
      } else {
        const kind = pick(random, Object.keys(NATIONAL));
        const own = validNumber(random, country);
        add(NATIONAL[kind](own), own.number, kind);
      }
    }
    made += inputs.length;
    lists.push({ country, inputs, truths, kinds });
  }
  return lists;
}

// National rows of one country as a campaign file holds them (issue 20: 1 000 000 GB rows with a
// country column): numbers of every type the country has an example for, plus a few common
// landline areas, with their last six digits randomised and written as people type them. No
// validity filter (a file holds some numbers that do not exist) and 1 % junk. Formatting follows a
// template taken once per base number from libphonenumber-js, so that a million rows are made in
// seconds rather than parsed one by one.
const EXTRA_BASES = { GB: ['7911123456', '7700900123', '2079460958', '1614960123', '2890180123'] };
const TYPES = ['MOBILE', 'FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

function rowTemplates(country) {
  const national = new Set(EXTRA_BASES[country] ?? []);
  for (const type of TYPES) {
    const example = util.getExampleNumberForType(country, google.PhoneNumberType[type]);
    if (example) national.add(util.getNationalSignificantNumber(example));
  }
  return [...national].map((number) => {
    const formatted = parsePhoneNumber(number, country).formatNational();
    const groups = formatted.replace(/^\D*/, '').split(/\D+/).map((group) => group.length);
    return { number, trunk: formatted.startsWith('0') ? '0' : '', groups, mobile: number.startsWith('7') };
  });
}

function groupsOf(digits, sizes) {
  const parts = [];
  let at = 0;
  for (const size of sizes) parts.push(digits.slice(at, (at += size)));
  return parts;
}

/** @returns {string[]} `count` rows of `country` numbers written nationally, from `seed`. */
export function nationalRows(country = 'GB', count = 1_000_000, seed = 20240620) {
  const random = seeded(seed);
  const templates = rowTemplates(country);
  const mobiles = templates.filter((t) => t.mobile);
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.01) {
      rows[i] = pick(random, INVALID)(random);
      continue;
    }
    const template = roll < 0.6 ? pick(random, mobiles) : pick(random, templates);
    let digits = template.number.slice(0, template.number.length - 6);
    while (digits.length < template.number.length) digits += Math.floor(random() * 10);
    const withTrunk = template.trunk + digits;
    const parts = groupsOf(withTrunk, template.groups);
    const style = random();
    if (style < 0.35) rows[i] = parts.join(' ');
    else if (style < 0.6) rows[i] = withTrunk;
    else if (style < 0.7) rows[i] = parts.join('-');
    else if (style < 0.75) rows[i] = parts.join('.');
    else if (style < 0.85) rows[i] = digits;
    else if (style < 0.9) rows[i] = `(${parts[0]}) ${parts.slice(1).join(' ')}`;
    else rows[i] = ` ${parts.join(' ')}\t`;
  }
  return rows;
}
