// normalizeRecipients against the anchors of DESIGN.md "Performance targets", on the same lists:
// a bare libphonenumber-js loop (parse, isValid, format E.164; same min metadata) and
// google-libphonenumber. Then every input's answer scored against the number it was made from
// (data-phones.mjs), for msgkit (min and max), the bare libphonenumber-js parse and google.
import { normalizePhone, normalizeRecipients } from '@msgkit/core';
import { normalizePhone as normalizePhoneMax } from '@msgkit/core/max';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import google from 'google-libphonenumber';
import { phoneLists } from './data-phones.mjs';
import { race, ratio } from './harness.mjs';

const util = google.PhoneNumberUtil.getInstance();
const E164 = google.PhoneNumberFormat.E164;

function bareLibrary(input, country) {
  const phone = parsePhoneNumberFromString(input, country);
  return phone && phone.isValid() ? phone.format('E.164') : undefined;
}

function googleParse(input, country) {
  try {
    const phone = util.parse(input, country);
    return util.isValidNumber(phone) ? util.format(phone, E164) : undefined;
  } catch {
    return undefined; // unparsable: skipped, as the bare loop does
  }
}

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
          const e164 = bareLibrary(input, country);
          if (e164 !== undefined) out.push(e164);
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
          const e164 = googleParse(input, country);
          if (e164 !== undefined) out.push(e164);
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
  console.log(
    `msgkit result: ${count('valid')} unique valid, ${count('duplicates')} duplicates, ${count('invalid')} invalid (each with index and code), ` +
      `${count('alternatives')} with a second reading named`,
  );
  console.log(`median ms per pass: msgkit ${times.msgkit.toFixed(1)}, libphonenumber-js ${times.libphonenumberJs.toFixed(1)}, google-libphonenumber ${times.google.toFixed(1)}`);
  console.log(`normalizeRecipients ÷ bare libphonenumber-js loop: ${ratio(times.msgkit, times.libphonenumberJs)}  (target ≤ 1.10)`);
  console.log(`normalizeRecipients ÷ google-libphonenumber:      ${ratio(times.msgkit, times.google)}  (target < 1)`);

  // Which label marks a string that the reader's own metadata holds to be the list country's writing.
  const apartForMin = new Set(['nanpSameAsNational', 'nanpSameAsNationalToMin']);
  const apartForMax = new Set(['nanpSameAsNational']);
  const readers = {
    'msgkit (min)': [(input, country) => normalizePhone(input, { defaultCountry: country }), apartForMin],
    'msgkit/max': [(input, country) => normalizePhoneMax(input, { defaultCountry: country }), apartForMax],
    'libphonenumber-js (min)': [(input, country) => answer(bareLibrary(input, country)), apartForMin],
    'google-libphonenumber': [(input, country) => answer(googleParse(input, country)), apartForMax],
  };
  console.log('\nevery input against the number it was made from:');
  const wrongKinds = {};
  const indistinguishable = [];
  for (const [name, [read, apart]] of Object.entries(readers)) {
    const score = { right: 0, silentlyWrong: 0, named: 0, namedRight: 0, refused: 0, junkAccepted: 0, indistinguishable: 0, readAsNational: 0 };
    for (const { country, inputs, truths, kinds } of lists) {
      for (let i = 0; i < inputs.length; i++) {
        const result = read(inputs[i], country);
        const truth = truths[i];
        if (apart.has(kinds[i])) {
          score.indistinguishable++;
          if (result.ok) score.readAsNational++;
        } else if (truth === null) {
          if (result.ok) score.junkAccepted++;
        } else if (!result.ok) score.refused++;
        else if (result.e164 === truth) score.right++;
        else if (result.alternative !== undefined) {
          score.named++;
          if (result.alternative === truth) score.namedRight++;
        } else {
          score.silentlyWrong++;
          const key = `${name}: ${country} ${kinds[i]}`;
          wrongKinds[key] = (wrongKinds[key] ?? 0) + 1;
        }
      }
    }
    console.log(
      `  ${name.padEnd(24)} right E.164 ${score.right}, silently a different valid number ${score.silentlyWrong}` +
        `, a different number with the right one named as alternative ${score.namedRight}` +
        (score.named > score.namedRight ? ` (other alternative ${score.named - score.namedRight})` : '') +
        `, refused ${score.refused}, junk accepted ${score.junkAccepted}`,
    );
    indistinguishable.push(`${name} ${score.readAsNational} of ${score.indistinguishable}`);
  }
  console.log(
    'NANP numbers written the US way that are also a valid national writing of the list country to the reader’s metadata ' +
      `(no reading can tell; scored apart), read as the list country's number: ${indistinguishable.join(', ')}`,
  );
  const msgkitWrong = Object.entries(wrongKinds).filter(([key]) => key.startsWith('msgkit'));
  console.log(`msgkit silently wrong (target 0): ${msgkitWrong.length === 0 ? 'none' : msgkitWrong.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  const top = Object.entries(wrongKinds).filter(([key]) => key.startsWith('libphonenumber-js')).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`bare libphonenumber-js silently wrong, largest groups: ${top.map(([k, n]) => `${k.split(': ')[1]} ×${n}`).join(', ')}`);
}

const answer = (e164) => (e164 === undefined ? { ok: false } : { ok: true, e164 });
