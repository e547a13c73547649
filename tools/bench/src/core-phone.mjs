// msgkit's phone path on 25 000 mixed inputs (data-phones.mjs) against the anchors measured in the
// same run: a bare libphonenumber-js loop of the same work and metadata (parse, isValid, format
// E.164; + getType for max) and google-libphonenumber. Every msgkit answer is compared with the
// reference (harness-phone.mjs: msgkit's rules read through the published library alone), and
// every input is scored against the number it was made from, for msgkit (min and max), the bare
// libphonenumber-js parse and google. Exits non-zero when a figure is under 4× its anchor, an
// answer differs from the reference, or msgkit gives a silently wrong number.
import { normalizePhone, normalizeRecipients } from '@msgkit/core';
import { normalizePhone as normalizePhoneMax } from '@msgkit/core/max';
import google from 'google-libphonenumber';
import { phoneLists } from './data-phones.mjs';
import { race, ratio } from './harness.mjs';
import { bareMin, differences, expectedKeys, msgkit, phoneContenders, printDifferences, printRatios, referenceReaders } from './harness-phone.mjs';

const util = google.PhoneNumberUtil.getInstance();
const E164 = google.PhoneNumberFormat.E164;

function googleParse(input, country) {
  try {
    const phone = util.parse(input, country);
    return util.isValidNumber(phone) ? util.format(phone, E164) : undefined;
  } catch {
    return undefined; // unparsable: skipped, as the bare loop does
  }
}

export async function run() {
  const lists = phoneLists();
  const total = lists.reduce((n, list) => n + list.inputs.length, 0);
  const reference = await referenceReaders();

  const contenders = {
    ...phoneContenders(lists, reference),
    google: () => {
      let valid = 0;
      for (const { country, inputs } of lists) for (const input of inputs) if (googleParse(input, country) !== undefined) valid++;
      return valid;
    },
  };
  const times = race(contenders, { warmup: 2, rounds: 9 });

  const summary = lists.map(({ country, inputs }) => normalizeRecipients(inputs, { defaultCountry: country }));
  const count = (key) => summary.reduce((n, s) => n + (key === 'duplicates' ? s.duplicates : s[key].length), 0);
  console.log(`inputs: ${total} in ${lists.length} lists (one per default country)`);
  console.log(
    `msgkit result: ${count('valid')} unique valid, ${count('duplicates')} duplicates, ${count('invalid')} invalid (each with index and code), ` +
      `${count('alternatives')} with a second reading named`,
  );
  console.log('median ms per pass over all inputs, and msgkit against the bare libphonenumber-js loop of the same work:');
  console.log(`  bare min: parse + isValid + format ${times['bare min'].toFixed(0)} ms; bare max: + getType ${times['bare max'].toFixed(0)} ms; google-libphonenumber ${times.google.toFixed(0)} ms`);
  const short = printRatios(times);
  console.log(`normalizeRecipients (min) ÷ google-libphonenumber: ${ratio(times['normalizeRecipients (min)'], times.google)}  (target < 1)`);

  console.log('\nevery answer against msgkit’s rules read through the published libphonenumber-js alone:');
  let differing = 0;
  for (const name of ['min', 'max']) {
    differing += printDifferences(`normalizePhone (${name})`, differences(lists, msgkit[name].phone, expectedKeys(lists, reference[name].phone)));
    let differingLists = 0;
    for (const { country, inputs } of lists) {
      const options = { defaultCountry: country };
      if (JSON.stringify(msgkit[name].list(inputs, options)) !== JSON.stringify(reference[name].list(inputs, options))) differingLists++;
    }
    console.log(`  ${`normalizeRecipients (${name})`.padEnd(40)} lists that differ ${differingLists} of ${lists.length}`);
    differing += differingLists;
  }

  // Which label marks a string that the reader's own metadata holds to be the list country's writing.
  const apartForMin = new Set(['nanpSameAsNational', 'nanpSameAsNationalToMin']);
  const apartForMax = new Set(['nanpSameAsNational']);
  const readers = {
    'msgkit (min)': [(input, country) => normalizePhone(input, { defaultCountry: country }), apartForMin],
    'msgkit/max': [(input, country) => normalizePhoneMax(input, { defaultCountry: country }), apartForMax],
    'libphonenumber-js (min)': [(input, country) => answer(bareMin(input, country)), apartForMin],
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
  if (short.length > 0 || differing > 0 || msgkitWrong.length > 0) {
    console.log(`phone bench FAILED: ${[...short.map((name) => `${name} under 4×`), differing > 0 ? `${differing} differing answers` : '', msgkitWrong.length > 0 ? 'silently wrong numbers' : ''].filter(Boolean).join(', ')}`);
    process.exitCode = 1;
  }
  const top = Object.entries(wrongKinds).filter(([key]) => key.startsWith('libphonenumber-js')).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`bare libphonenumber-js silently wrong, largest groups: ${top.map(([k, n]) => `${k.split(': ')[1]} ×${n}`).join(', ')}`);
}

const answer = (e164) => (e164 === undefined ? { ok: false } : { ok: true, e164 });
