// A campaign from a CSV file, sent through SMS.CX in batches with a journal on disk: kill it at any
// instant and run the same command again, and only what was not sent is sent.
//
//   SMSCX_API_KEY=… node dist/campaign.js --file list.csv --country GB --from Shop --text "Sale today" --journal spring.journal
//
// The file needs a `phone` column; other columns are ignored. SMSCX_BASE_URL points the client
// elsewhere than SMS.CX's API (the sandbox, in the tests). Exit 0 when every batch is sent, 1 not.
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { normalizeRecipients, sendInBatches } from '@msgkit/core';
import { openFileJournal, recipientsHasher } from '@msgkit/journal';
import { MAX_RECIPIENTS, SmscxClient } from '@msgkit/smscx';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    country: { type: 'string' },
    from: { type: 'string' },
    text: { type: 'string' },
    journal: { type: 'string' },
    'batch-size': { type: 'string', default: String(MAX_RECIPIENTS) },
  },
});
const apiKey = process.env.SMSCX_API_KEY;
const batchSize = Number(values['batch-size']);
if (!values.file || !values.from || !values.text || !values.journal || !apiKey || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_RECIPIENTS) {
  console.error(`usage: SMSCX_API_KEY=… node dist/campaign.js --file <csv> --from <sender> --text <text> --journal <file> [--country <ISO code>] [--batch-size 1-${MAX_RECIPIENTS}]`);
  process.exit(2);
}
const { file, from, text, journal: journalPath, country } = values;

const phones: string[] = [];
const lines: number[] = [];
const csv = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, info: true }));
for await (const { record, info } of csv as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
  if (record.phone === undefined) {
    console.error(`${file} has no "phone" column`);
    process.exit(2);
  }
  phones.push(record.phone);
  lines.push(info.lines);
}

// No country is assumed: without --country a national number is reported invalid, not guessed.
const recipients = normalizeRecipients(phones, country ? { defaultCountry: country } : {});
for (const bad of recipients.invalid) console.log(`not sent: line ${lines[bad.index]} "${bad.input}" (${bad.code})`);
console.log(`${recipients.valid.length} recipients, ${recipients.invalid.length} invalid, ${recipients.duplicates} duplicate(s); country ${country ?? 'none'}`);

// The journal belongs to this very campaign: another text, sender or list is refused by name.
const hash = recipientsHasher();
for (const to of recipients.valid) hash.add(to);
const store = await openFileJournal(journalPath, { provider: 'smscx', sender: from, text, options: { batchSize, country }, recipients: hash.digest() });
const smscx = new SmscxClient({ apiKey, baseUrl: process.env.SMSCX_BASE_URL });
try {
  type Sent = Awaited<ReturnType<typeof smscx.sms.send>>;
  const results = await sendInBatches<string, Sent>(recipients.valid, {
    size: batchSize,
    // SMS.CX deduplicates by idempotencyId: a batch of unknown outcome is resent with its key.
    journal: { store, deduplicates: true, ids: (sent) => [sent.info.campaignId] },
    send: (to, _index, { dedupeKey }) => smscx.sms.send({ from, to, text, idempotencyId: dedupeKey }),
    onProgress: (done, total) => console.log(`batch ${done}/${total} settled`),
  });
  const count = (ok: boolean | 'skipped') => results.filter((r) => r.ok === ok).reduce((n, r) => n + r.items.length, 0);
  // A failed batch may be refused (nothing sent) or of unknown outcome; the error says which, and
  // running the same command again resends only what the journal does not hold as sent.
  for (const r of results) if (r.ok === false) console.log(`batch ${r.index} (${r.items.length} recipients): ${r.error instanceof Error ? r.error.message : String(r.error)}`);
  console.log(`sent ${count(true)}, already sent by an earlier run ${count('skipped')}, not confirmed ${count(false)} (journal ${journalPath})`);
  if (results.some((r) => r.ok === false)) process.exitCode = 1;
} finally {
  await store.close();
}
