// countSegments against getCharCount of @trt2/gsm-charset-utils (throughput, target ≥ 5×, with and
// without national language tables) and splitSegments against split-sms (same part texts, target 0
// differences), on the same texts; then what the national tables save on Turkish and Portuguese.
import { readFileSync } from 'node:fs';
import { countSegments, splitSegments, suggestCheaper } from '@msgkit/core';
import { getCharCount } from '@trt2/gsm-charset-utils';
import splitSms from 'split-sms';
import { texts } from './data-texts.mjs';
import { race, ratio } from './harness.mjs';

export function run() {
  const corpus = texts();
  const units = corpus.reduce((n, t) => n + t.length, 0);
  const times = race(
    {
      msgkit: () => {
        let segments = 0;
        for (const text of corpus) segments += countSegments(text).segments;
        return segments;
      },
      msgkitTurkish: () => {
        let segments = 0;
        for (const text of corpus) segments += countSegments(text, TURKISH).segments;
        return segments;
      },
      gsmCharsetUtils: () => {
        let segments = 0;
        for (const text of corpus) segments += getCharCount(text).msgCount;
        return segments;
      },
    },
    { warmup: 5, rounds: 15 },
  );

  let differ = 0;
  let countsDiffer = 0;
  let ucs2 = 0;
  for (const text of corpus) {
    const ours = splitSegments(text);
    const theirs = splitSms.split(text).parts.map((part) => part.content);
    if (ours.length !== theirs.length || ours.some((part, i) => part !== theirs[i])) differ++;
    if (countSegments(text).segments !== getCharCount(text).msgCount) countsDiffer++;
    if (countSegments(text).encoding === 'UCS-2') ucs2++;
  }

  console.log(`texts: ${corpus.length} (${ucs2} need UCS-2), ${units} UTF-16 units`);
  console.log(`median ms per pass: msgkit countSegments ${times.msgkit.toFixed(2)}, getCharCount ${times.gsmCharsetUtils.toFixed(2)}`);
  console.log(`countSegments throughput ÷ getCharCount: ${ratio(times.gsmCharsetUtils, times.msgkit)}×  (target ≥ 5)`);
  console.log(`countSegments(text, { language: 'tr' }) throughput ÷ getCharCount: ${ratio(times.gsmCharsetUtils, times.msgkitTurkish)}×  (target ≥ 5)`);
  console.log(`texts whose segment texts differ from split-sms: ${differ}  (target 0)`);
  console.log(`texts whose segment count differs from getCharCount: ${countsDiffer}  (information only)`);
  const tables = tableDifferences();
  console.log(`GSM 03.38 table differences with split-sms: ${tables}  (0 = same basic and extension tables)`);

  // A bench that only prints its targets passes whatever it measures: misses fail the run.
  const speedup = times.gsmCharsetUtils / times.msgkit;
  const nationalSpeedup = times.gsmCharsetUtils / times.msgkitTurkish;
  const misses = [];
  if (speedup < 5) misses.push(`countSegments is ${speedup.toFixed(2)}× getCharCount, below the 5× target`);
  if (nationalSpeedup < 5) misses.push(`countSegments with a language is ${nationalSpeedup.toFixed(2)}× getCharCount, below the 5× target`);
  misses.push(...nationalSavings());
  if (differ > 0) misses.push(`${differ} texts split differently from split-sms`);
  if (tables > 0) misses.push(`${tables} characters classified differently from split-sms`);
  for (const miss of misses) console.log(`MISSED: ${miss}`);
  if (misses.length > 0) process.exitCode = 1;
}

const TURKISH = { language: 'tr' };

// Sentences written for msgkit (packages/core/src/text/testdata); a message is k consecutive ones.
// Target: mean parts with the national tables ≤ 0.5 × the parts the same messages need in UCS-2.
function nationalSavings() {
  const misses = [];
  for (const [file, language] of [['turkish.txt', 'tr'], ['portuguese.txt', 'pt']]) {
    const url = new URL(`../../../packages/core/src/text/testdata/${file}`, import.meta.url);
    const sentences = readFileSync(url, 'utf8').trim().split('\n');
    const row = [];
    for (let k = 1; k <= 5; k++) {
      const texts = sentences.map((_, i) => Array.from({ length: k }, (_, j) => sentences[(i + j) % sentences.length]).join(' '));
      const national = texts.reduce((n, t) => n + countSegments(t, { language }).segments, 0) / texts.length;
      // The same message forced into UCS-2 (a character outside the default alphabet appended counts the same units).
      const ucs2 = texts.reduce((n, t) => n + ucs2Parts(t.length, t), 0) / texts.length;
      row.push(`${k}: ${national.toFixed(2)} vs ${ucs2.toFixed(2)} = ${(national / ucs2).toFixed(3)}`);
      if (k === 2 && national / ucs2 > 0.5) {
        misses.push(`${language}: national tables ${(national / ucs2).toFixed(3)}× UCS-2 parts on 2-sentence messages, above the 0.5 target`);
        // Information only, not the target: which characters no table of the language has, and
        // what the messages would need after the substitutions suggestCheaper lists.
        const outside = new Map();
        for (const t of texts) for (const c of countSegments(t, { language }).nonGsm) outside.set(c, (outside.get(c) ?? 0) + 1);
        const suggested = texts.reduce((n, t) => n + suggestCheaper(t, { language }).combined.count.segments, 0) / texts.length;
        console.log(`${language} 2-sentence messages: characters in no ${language} table: ${[...outside].map(([c, n]) => `${c} in ${n}`).join(', ')}; after suggestCheaper's substitutions ${(suggested / ucs2).toFixed(3)}× UCS-2 parts (information only)`);
      }
    }
    console.log(`${language} mean parts, national tables vs UCS-2, by sentences per message (${sentences.length} messages each): ${row.join(' · ')}`);
  }
  return misses;
}

function ucs2Parts(units, text) {
  if (units <= 70) return 1;
  let parts = 0;
  for (let start = 0; start < units; parts++) {
    let end = start + 67;
    if (end < units && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    start = end;
  }
  return parts;
}

// split-sms's own validator, compared with our split over every BMP code unit: characters it
// treats as GSM-7 (and how wide) that we do not, or the other way round.
function tableDifferences() {
  let differences = 0;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCharCode(code);
    const theirs = splitSms.split(char);
    const ours = countSegments(char);
    const theirsGsm = theirs.characterSet === 'GSM';
    if (theirsGsm !== (ours.encoding === 'GSM-7') || (theirsGsm && theirs.bytes !== ours.units)) differences++;
  }
  return differences;
}
