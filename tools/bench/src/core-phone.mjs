// normalizeRecipients against the anchors of DESIGN.md "Performance targets", on the same lists:
// a bare libphonenumber-js loop (parse, isValid, format E.164; same min metadata) and
// google-libphonenumber. Also counts wrong answers on "country code without +" inputs.
import { normalizePhone, normalizeRecipients } from '@msgkit/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import google from 'google-libphonenumber';
import { countryCodeWithoutPlusCases, phoneLists } from './data-phones.mjs';
import { race, ratio } from './harness.mjs';

const util = google.PhoneNumberUtil.getInstance();
const E164 = google.PhoneNumberFormat.E164;

export function run() {
  const lists = phoneLists();
  const total = lists.reduce((n, list) => n + list.inputs.length, 0);

  const contenders = {
    msgkit: () => {
      let valid = 0;
      for (const { country, inputs } of lists) valid += normalizeRecipients(inputs, { defaultCountry: country }).valid.length;
      return valid;
    },
    libphonenumberJs: () => {
      let valid = 0;
      for (const { country, inputs } of lists) {
        const out = [];
        for (const input of inputs) {
          const phone = parsePhoneNumberFromString(input, country);
          if (phone && phone.isValid()) out.push(phone.format('E.164'));
        }
        valid += out.length;
      }
      return valid;
    },
    google: () => {
      let valid = 0;
      for (const { country, inputs } of lists) {
        const out = [];
        for (const input of inputs) {
          try {
            const phone = util.parse(input, country);
            if (util.isValidNumber(phone)) out.push(util.format(phone, E164));
          } catch {
            // unparsable: skipped, as the bare loop does
          }
        }
        valid += out.length;
      }
      return valid;
    },
  };
  const times = race(contenders, { warmup: 3, rounds: 15 });

  const summary = lists.map(({ country, inputs }) => normalizeRecipients(inputs, { defaultCountry: country }));
  const count = (key) => summary.reduce((n, s) => n + (key === 'duplicates' ? s.duplicates : s[key].length), 0);
  console.log(`inputs: ${total} in ${lists.length} lists (one per default country)`);
  console.log(`msgkit result: ${count('valid')} unique valid, ${count('duplicates')} duplicates, ${count('invalid')} invalid (each with index and code)`);
  console.log(`median ms per pass: msgkit ${times.msgkit.toFixed(1)}, libphonenumber-js ${times.libphonenumberJs.toFixed(1)}, google-libphonenumber ${times.google.toFixed(1)}`);
  console.log(`normalizeRecipients ÷ bare libphonenumber-js loop: ${ratio(times.msgkit, times.libphonenumberJs)}  (target ≤ 1.10)`);
  console.log(`normalizeRecipients ÷ google-libphonenumber:      ${ratio(times.msgkit, times.google)}  (target < 1)`);

  const cases = countryCodeWithoutPlusCases();
  let libraryWrong = 0;
  let libraryNotFound = 0;
  let oursWrong = 0;
  let oursAmbiguous = 0;
  let oursRight = 0;
  for (const { input, defaultCountry, intended } of cases) {
    const phone = parsePhoneNumberFromString(input, defaultCountry);
    if (phone && phone.isValid()) {
      if (phone.number !== intended) libraryWrong++;
    } else libraryNotFound++;
    const ours = normalizePhone(input, { defaultCountry });
    if (ours.ok) ours.e164 === intended ? oursRight++ : oursWrong++;
    else if (ours.code === 'ambiguous') oursAmbiguous++;
    else oursWrong++;
  }
  console.log(
    `country code without +: ${cases.length} inputs; bare libphonenumber-js: ${libraryWrong} a different valid number, ` +
      `${libraryNotFound} rejected; msgkit: ${oursRight} intended, ${oursAmbiguous} ambiguous, ${oursWrong} wrong (target 0)`,
  );
}
