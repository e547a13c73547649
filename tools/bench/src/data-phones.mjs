// 25 000 recipient inputs the way they arrive from spreadsheets and forms, generated from a seed.
// Real numbers come from libphonenumber-js's example mobiles with randomised subscriber digits,
// kept only when max metadata calls them valid. Inputs are grouped into one list per sender
// country, since a recipient list has one default country for its national-format numbers.
import examples from 'libphonenumber-js/mobile/examples';
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { pick, seeded } from './harness.mjs';

export const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'IT', 'ES', 'NL', 'BE', 'PL', 'SE', 'BR', 'IN', 'AU', 'JP', 'MX', 'ZA', 'CH', 'AT'];

const NBSP = '\u00a0';

function validNumber(random, country) {
  const example = parsePhoneNumber(examples[country], country);
  for (;;) {
    const national = example.nationalNumber;
    const keep = Math.max(2, national.length - 6);
    let digits = national.slice(0, keep);
    while (digits.length < national.length) digits += Math.floor(random() * 10);
    const phone = parsePhoneNumber(digits, country);
    if (phone.isValid()) return phone;
  }
}

const FORMATS = {
  e164: (p) => p.number,
  international: (p) => p.formatInternational(),
  national: (p) => p.formatNational(),
  nationalDots: (p) => p.formatNational().replace(/[\s-]+/g, '.'),
  nationalDashes: (p) => p.formatNational().replace(/\s+/g, '-'),
  idd00: (p) => p.formatInternational().replace('+', '00'),
  tel: (p) => p.format('RFC3966'),
  nbsp: (p) => p.formatInternational().replaceAll(' ', NBSP),
  trunkInParens: (p) => {
    const national = p.formatNational();
    return national.startsWith('0') ? `+${p.countryCallingCode} (0)${national.slice(1)}` : p.formatInternational();
  },
  noPlus: (p) => p.number.slice(1),
};

const INVALID = [
  (r) => 'n/a',
  (r) => '',
  (r) => `+${Math.floor(r() * 90 + 10)} ${Math.floor(r() * 900)}`,
  (r) => `0${Math.floor(r() * 1e14)}`.padEnd(17, '7'),
  (r) => 'call me',
  (r) => `+999 ${Math.floor(r() * 1e9)}`,
  (r) => `${Math.floor(r() * 1e5)}`,
];

/** @returns {{ country: string, inputs: string[] }[]} */
export function phoneLists(total = 25_000, seed = 20240601) {
  const random = seeded(seed);
  const perList = Math.ceil(total / COUNTRIES.length);
  const lists = [];
  let made = 0;
  for (const country of COUNTRIES) {
    const inputs = [];
    const size = Math.min(perList, total - made);
    while (inputs.length < size) {
      const roll = random();
      if (roll < 0.05) inputs.push(pick(random, INVALID)(random));
      else if (roll < 0.12 && inputs.length > 0) inputs.push(pick(random, inputs));
      else if (roll < 0.3) {
        const other = validNumber(random, pick(random, COUNTRIES));
        inputs.push(FORMATS[pick(random, ['e164', 'international', 'idd00', 'tel', 'nbsp', 'trunkInParens'])](other));
      } else {
        const own = validNumber(random, country);
        inputs.push(FORMATS[pick(random, Object.keys(FORMATS))](own));
      }
    }
    made += inputs.length;
    lists.push({ country, inputs });
  }
  return lists;
}

/**
 * Every example mobile written as digits without `+`, read with every other default country:
 * what the issue calls "country code without +". The intended number is the example itself.
 */
export function countryCodeWithoutPlusCases(seed = 7) {
  const random = seeded(seed);
  const cases = [];
  for (const country of COUNTRIES) {
    for (let i = 0; i < 5; i++) {
      const intended = validNumber(random, country).number;
      for (const defaultCountry of COUNTRIES) cases.push({ input: intended.slice(1), defaultCountry, intended });
    }
  }
  return cases;
}
