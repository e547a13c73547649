#!/usr/bin/env node
// Derives the phone metadata of `@msgkit/core`'s default entry (src/phone/send-metadata.json) from
// the "min" metadata of the libphonenumber-js version core bundles, keeping only what that entry
// reads. `node scripts/send-metadata.mjs` writes it; `--check` fails (exit 1) when the committed
// file is not what the installed library gives; `--from <metadata.min.json>` derives from another
// copy of the library's metadata (to see the check fail on a changed library).
//
// What the default entry reads of a country's numbering plan (metadata version 4: an array per
// country), and so what is kept:
// - the parse and validity path (libphonenumber-js's parse, isValid and getType, and the digit
//   reader that follows them, src/phone/digits.ts): [0] calling code, [1] international prefix,
//   [2] national number pattern, [3] possible lengths, [5] national prefix, [7] national prefix for
//   parsing, [8] its transform rule, [10] leading digits, [11] number types;
// - rule 4 of src/phone/read.ts (a grouping that contradicts the national format, through
//   src/phone/plan.ts): of [4], the formats, each format's pattern, its last (most detailed)
//   leading-digits pattern, its national prefix formatting rule and its "national prefix optional"
//   flag, with the country's defaults for both, [6] and [9].
// What nothing in that entry reads, and so is left out: each format's output template
// ("$1 $2 $3") and international template, its less detailed leading-digits patterns, the
// preferred international prefix [12] and the extension prefix [13] (formatting only), and the
// formats of non-geographic numbering plans (+800, …), whose numbers rule 4 never sees.
//
// Then the formats of a country are cut down to the ones whose answer to rule 4 differs from the
// answer without them (exact for every number, see `answersOf`); no format is changed otherwise.
// The same-answers tests (src/phone/send-metadata.test.ts and the metadata-wide tests) hold the
// result to the library's metadata, and the drift test to this script.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(PACKAGE, 'src/phone/send-metadata.json');

// Positions in a version 4 numbering plan and in a format.
const FORMATS = 4;
const NATIONAL_PREFIX = 5;
const PREFIX_FORMATTING_RULE = 6;
const PREFIX_OPTIONAL = 9;
const TYPES = 11;
const FIRST_FORMATTING_ONLY = 12;
const FORMAT_LEADING = 2;
const FORMAT_RULE = 3;
const FORMAT_OPTIONAL = 4;

/** The installed library's min metadata, read as the file it ships (not through a bundler). */
export function libraryMetadataPath() {
  const require = createRequire(join(PACKAGE, 'package.json'));
  return join(dirname(require.resolve('libphonenumber-js/package.json')), 'metadata.min.json');
}

/** The send metadata of `library` (a parsed metadata.min.json), as its committed text. */
export function deriveSendMetadata(library) {
  if (library.version !== 4) throw new Error(`libphonenumber-js metadata version ${library.version}: this script reads version 4`);
  const byCode = library.country_calling_codes;
  // A country without formats of its own reads the formats (and the default formatting rule and
  // flag) of the first country of its calling code: those lists are only stripped, never cut down,
  // since their answers would have to be the same for every country that reads them.
  const shared = new Set();
  for (const countries of Object.values(byCode)) {
    for (const country of countries.slice(1)) if (!Array.isArray(library.countries[country]?.[FORMATS])) shared.add(countries[0]);
  }
  const countries = {};
  for (const [country, plan] of Object.entries(library.countries)) {
    const kept = plan.slice(0, FIRST_FORMATTING_ONLY);
    if (Array.isArray(plan[FORMATS])) {
      const main = library.countries[byCode[plan[0]][0]];
      kept[FORMATS] = shared.has(country) ? plan[FORMATS].map(stripped) : answersOf(plan, main);
    }
    countries[country] = kept;
  }
  const nonGeographic = {};
  for (const [code, plan] of Object.entries(library.nonGeographic ?? {})) {
    const kept = plan.slice(0, FIRST_FORMATTING_ONLY);
    if (kept.length > FORMATS) kept[FORMATS] = 0;
    nonGeographic[code] = kept;
  }
  // One numbering plan a line, so that a library update shows as a readable diff.
  const lines = Object.entries(countries).map(([country, plan]) => `${JSON.stringify(country)}:${JSON.stringify(plan)}`);
  const geographic = Object.entries(nonGeographic).map(([code, plan]) => `${JSON.stringify(code)}:${JSON.stringify(plan)}`);
  return (
    `{"version":4,\n"country_calling_codes":${JSON.stringify(byCode)},\n"countries":{\n${lines.join(',\n')}\n},\n` +
    `"nonGeographic":{\n${geographic.join(',\n')}\n}}\n`
  );
}

/** A format with only what rule 4 reads: its pattern, last leading-digits pattern, formatting rule and optional flag. */
function stripped(format) {
  const leading = Array.isArray(format[FORMAT_LEADING]) && format[FORMAT_LEADING].length > 0 ? [format[FORMAT_LEADING].at(-1)] : 0;
  const kept = [format[0], 0, leading, format[FORMAT_RULE] || 0, format[FORMAT_OPTIONAL] || 0];
  while (kept.length > 1 && kept.at(-1) === 0) kept.pop();
  return kept;
}

/**
 * The formats of a country that no other country reads, cut down to the ones rule 4's answer
 * depends on. plan.ts asks for the first format whose leading digits and pattern match the
 * national number; read.ts's writtenAgainstFormat then answers "contradicts" for a format that
 * starts with a required trunk prefix, "does not" for one without a trunk prefix, compares the
 * first group for an optional one, and, when no format matches, answers "contradicts" only where
 * the metadata has no number types for the country. A last format whose answer is that same
 * no-match answer changes nothing, so it goes, and again for the new last one. When every format
 * goes:
 * - with number types (the answer is "does not"), an empty list: plan.ts then answers `unknown`
 *   ("does not"), and no format starts with a trunk prefix, as before;
 * - without (the answer is "contradicts"), one format that every national number matches and
 *   that starts with the required trunk prefix.
 */
function answersOf(plan, main) {
  const formats = plan[FORMATS];
  // An empty list is its own answer (`unknown`); a catch-all would change it.
  if (formats.length === 0) return [];
  const trunk = plan[NATIONAL_PREFIX] || undefined;
  const typed = Array.isArray(plan[TYPES]) ? plan[TYPES].length > 0 : Boolean(plan[TYPES]);
  const optionalByDefault = Boolean(plan[PREFIX_OPTIONAL]) || Boolean(main[PREFIX_OPTIONAL]);
  // As plan.ts's compileFormats classes a format.
  const trunkOf = (format) => {
    const rule = format[FORMAT_RULE] || plan[PREFIX_FORMATTING_RULE] || main[PREFIX_FORMATTING_RULE];
    const before = typeof rule === 'string' ? rule.slice(0, Math.max(0, rule.indexOf('$1'))).replace(/\D/g, '') : '';
    if (trunk === undefined || before.length === 0 || !before.startsWith(trunk)) return 'absent';
    return format[FORMAT_OPTIONAL] || optionalByDefault ? 'optional' : 'required';
  };
  let count = formats.length;
  while (count > 0) {
    const kind = trunkOf(formats[count - 1]);
    if (kind === 'optional' || (kind === 'required') !== !typed) break;
    count--;
  }
  if (count > 0) return formats.slice(0, count).map(stripped);
  if (typed) return [];
  const everyNumber = ['\\d+', 0, 0, `${trunk}$1`];
  if (trunkOf(everyNumber) !== 'required') throw new Error(`country ${plan[0]}: no format could stand for its formats`);
  return [everyNumber];
}

function main() {
  const args = process.argv.slice(2);
  const from = args.includes('--from') ? args[args.indexOf('--from') + 1] : libraryMetadataPath();
  const text = deriveSendMetadata(JSON.parse(readFileSync(from, 'utf8')));
  if (args.includes('--check')) {
    const committed = readFileSync(OUTPUT, 'utf8');
    if (committed !== text) {
      console.error(`send-metadata: ${OUTPUT} is not what ${from} gives; run \`pnpm --filter @msgkit/core generate:metadata\` and commit the result`);
      process.exit(1);
    }
    console.log(`send-metadata: ${OUTPUT} is what ${from} gives`);
    return;
  }
  writeFileSync(OUTPUT, text);
  console.log(`send-metadata: wrote ${OUTPUT} from ${from}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
