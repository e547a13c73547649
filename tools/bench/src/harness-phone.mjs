// What the phone benches share (core-phone: 25 000 mixed inputs; core-phone-million: 1 000 000
// national GB rows): the anchors, msgkit's contenders, and the reference every msgkit answer is held
// to. The reference is msgkit's own reading rules over libphonenumber-js as published, every number
// read through the library alone: core's source (packages/core/src/phone) bundled here by esbuild
// against this package's libphonenumber-js, with the digit reader switched off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { normalizePhone, normalizeRecipients } from '@msgkit/core';
import { normalizePhone as normalizePhoneMax, normalizeRecipients as normalizeRecipientsMax } from '@msgkit/core/max';
import { build } from 'esbuild';
import { parsePhoneNumberFromString as parseMin } from 'libphonenumber-js/min';
import { parsePhoneNumberFromString as parseMax } from 'libphonenumber-js/max';

/** The anchor for min metadata: parse, isValid, format E.164. */
export function bareMin(input, country) {
  const phone = parseMin(input, country);
  return phone && phone.isValid() ? phone.format('E.164') : undefined;
}

/** The anchor for max metadata: the same and the number type, as msgkit/max reports it. */
export function bareMax(input, country) {
  const phone = parseMax(input, country);
  if (!phone || !phone.isValid()) return undefined;
  phone.getType();
  return phone.format('E.164');
}

export const msgkit = {
  min: { phone: normalizePhone, list: normalizeRecipients },
  max: { phone: normalizePhoneMax, list: normalizeRecipientsMax },
};

/**
 * Timed passes over `lists` ({ country, inputs }[]), each returning a count so the work cannot be
 * dropped. `reference` adds msgkit through the library alone (how msgkit read numbers before the
 * digit reader).
 */
export function phoneContenders(lists, reference) {
  const bare = (read) => () => {
    let valid = 0;
    for (const { country, inputs } of lists) for (const input of inputs) if (read(input, country) !== undefined) valid++;
    return valid;
  };
  const list = (normalize) => () => {
    let valid = 0;
    for (const { country, inputs } of lists) valid += normalize(inputs, { defaultCountry: country }).valid.length;
    return valid;
  };
  const one = (normalize) => () => {
    let typed = 0;
    for (const { country, inputs } of lists) for (const input of inputs) if (normalize(input, { defaultCountry: country }).type !== undefined) typed++;
    return typed;
  };
  const contenders = {
    'bare min': bare(bareMin),
    'bare max': bare(bareMax),
    'normalizeRecipients (min)': list(msgkit.min.list),
    'normalizePhone (min)': one(msgkit.min.phone),
    'normalizePhone (max, with type)': one(msgkit.max.phone),
  };
  if (reference) {
    contenders['before: normalizeRecipients (min)'] = list(reference.min.list);
    contenders['before: normalizePhone (max, with type)'] = one(reference.max.phone);
  }
  return contenders;
}

/** Which anchor each msgkit figure is measured against: the same work on the same metadata. */
export const ANCHOR_OF = {
  'normalizeRecipients (min)': 'bare min',
  'normalizePhone (min)': 'bare min',
  'normalizePhone (max, with type)': 'bare max',
  'before: normalizeRecipients (min)': 'bare min',
  'before: normalizePhone (max, with type)': 'bare max',
};
export const TARGET = 4;

/** Prints "N× faster" per msgkit figure; returns the figures under TARGET (the before-figures excepted). */
export function printRatios(times) {
  const short = [];
  for (const [name, anchor] of Object.entries(ANCHOR_OF)) {
    if (times[name] === undefined) continue;
    const speedUp = times[anchor] / times[name];
    const target = name.startsWith('before') ? '' : `  (target ≥ ${TARGET})`;
    console.log(`  ${name.padEnd(40)} ${(times[name]).toFixed(0).padStart(7)} ms  ${speedUp.toFixed(2).padStart(6)}× faster than ${anchor}${target}`);
    if (!name.startsWith('before') && !(speedUp >= TARGET)) short.push(name);
  }
  return short;
}

/** msgkit's reading rules over the published libphonenumber-js, through the library alone. */
export async function referenceReaders() {
  const normalize = fileURLToPath(new URL('../../../packages/core/src/phone/normalize.ts', import.meta.url));
  const contents = `
    import min from 'libphonenumber-js/min/metadata';
    import max from 'libphonenumber-js/max/metadata';
    import { normalizePhoneWith, normalizeRecipientsWith } from ${JSON.stringify(normalize)};
    const readers = (metadata) => ({
      phone: (input, options) => normalizePhoneWith(metadata, input, options, true),
      list: (inputs, options) => normalizeRecipientsWith(metadata, inputs, options, true),
    });
    export const reference = { min: readers(min), max: readers(max) };
  `;
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-'));
  try {
    const outfile = join(dir, 'reference.mjs');
    await build({ stdin: { contents, resolveDir: import.meta.dirname, loader: 'js' }, bundle: true, platform: 'node', format: 'esm', target: 'es2022', outfile, logLevel: 'error' });
    return (await import(pathToFileURL(outfile).href)).reference;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIELDS = ['ok', 'e164', 'code', 'country', 'type', 'alternative'];

/** One answer as a string, field by field, to compare and to keep for a million rows. */
export const answerKey = (result) => FIELDS.map((field) => result[field] ?? '').join('|');

/** Counts, per field, the answers of `read` that differ from the keys `expected` holds (in list order). */
export function differences(lists, read, expected) {
  const byField = Object.fromEntries(FIELDS.map((field) => [field, 0]));
  let differing = 0;
  let at = 0;
  const examples = [];
  for (const { country, inputs } of lists) {
    for (const input of inputs) {
      const key = answerKey(read(input, { defaultCountry: country }));
      const want = expected[at++];
      if (key === want) continue;
      differing++;
      const got = key.split('|');
      want.split('|').forEach((value, i) => value !== got[i] && byField[FIELDS[i]]++);
      if (examples.length < 3) examples.push(`${JSON.stringify(input)} under ${country}: ${key} instead of ${want}`);
    }
  }
  return { differing, byField, examples };
}

export function expectedKeys(lists, read) {
  const keys = [];
  for (const { country, inputs } of lists) for (const input of inputs) keys.push(answerKey(read(input, { defaultCountry: country })));
  return keys;
}

export function printDifferences(label, { differing, byField, examples }) {
  const fields = Object.entries(byField).filter(([, n]) => n > 0).map(([field, n]) => `${field} ${n}`);
  console.log(`  ${label.padEnd(40)} differing answers ${differing}${fields.length ? ` (${fields.join(', ')})` : ''}`);
  for (const example of examples) console.log(`    ${example}`);
  return differing;
}
