// msgkit's phone path on 1 000 000 national GB rows (data-phones.mjs nationalRows, seeded), the size
// of campaign file issue 20 measured, against the bare libphonenumber-js loops of the same work in
// the same run, and every answer against the reference (harness-phone.mjs). The anchors and the
// reference read a million numbers through the library each, so this takes minutes: it runs in
// `pnpm bench` only. Exits non-zero when a figure is under 4× its anchor or an answer differs.
import { nationalRows } from './data-phones.mjs';
import { median } from './harness.mjs';
import { differences, expectedKeys, msgkit, phoneContenders, printDifferences, printRatios, referenceReaders } from './harness-phone.mjs';

const ROWS = 1_000_000;
const WARM_ROWS = 20_000;

function timed(pass) {
  const start = performance.now();
  const result = pass();
  return [performance.now() - start, result];
}

export async function run() {
  const rows = nationalRows('GB', ROWS);
  const lists = [{ country: 'GB', inputs: rows }];
  const reference = await referenceReaders();

  // Warm every contender on a slice, then one pass each over the million (three for msgkit's,
  // which take seconds, median kept); the anchors alternate with msgkit's passes.
  const warm = phoneContenders([{ country: 'GB', inputs: rows.slice(0, WARM_ROWS) }]);
  for (let i = 0; i < 3; i++) for (const pass of Object.values(warm)) pass();
  const contenders = phoneContenders(lists);
  const runs = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, pass] of Object.entries(contenders)) {
      if (name.startsWith('bare') && round !== 1) continue;
      runs[name].push(timed(pass)[0]);
    }
  }
  const times = Object.fromEntries(Object.entries(runs).map(([name, values]) => [name, median(values)]));

  const { valid, invalid, duplicates } = msgkit.min.list(rows, { defaultCountry: 'GB' });
  console.log(`rows: ${ROWS} national GB rows; msgkit: ${valid.length} unique valid, ${duplicates} duplicates, ${invalid.length} invalid`);
  console.log('ms per pass over the million rows, and msgkit against the bare libphonenumber-js loop of the same work:');
  console.log(`  bare min: parse + isValid + format ${times['bare min'].toFixed(0)} ms; bare max: + getType ${times['bare max'].toFixed(0)} ms`);
  const short = printRatios(times);

  // normalizePhone answers with the number type; normalizeRecipients reads each row the same way
  // without it (compared list by list on the 25 000 inputs, core-phone.mjs).
  console.log('every answer against msgkit’s rules read through the published libphonenumber-js alone:');
  let differing = 0;
  for (const name of ['min', 'max']) differing += printDifferences(`normalizePhone (${name})`, differences(lists, msgkit[name].phone, expectedKeys(lists, reference[name].phone)));
  if (short.length > 0 || differing > 0) {
    console.log(`phone million bench FAILED: ${[...short.map((name) => `${name} under 4×`), differing > 0 ? `${differing} differing answers` : ''].filter(Boolean).join(', ')}`);
    process.exitCode = 1;
  }
}
