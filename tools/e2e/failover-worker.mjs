// One run of a failover campaign, as a process the chain end-to-end test can SIGKILL and start
// again: every batch through sendWithFailover with a durable journal, then one JSON line per
// recipient in `results` (written only by a run that finishes).
// argv: config JSON { baseUrls, chain, recipients, batchSize, campaign, journal, results, timeoutMs, concurrency }
import { writeFileSync } from 'node:fs';
import { batchDedupeKey, sendInBatches, sendWithFailover } from '@msgkit/core';
import { openFailoverJournal } from './failover-journal.mjs';
import { MESSAGE, sandboxSenders } from './failover-helpers.mjs';

const config = JSON.parse(process.argv[2]);
const senders = sandboxSenders({ baseUrls: config.baseUrls }, { timeoutMs: config.timeoutMs, maxRetries: 0 });
const chain = config.chain.map((name) => senders[name]);
const numbers = Array.from({ length: config.recipients }, (_, i) => `+447400${String(i).padStart(6, '0')}`);
const journal = openFailoverJournal(config.journal);

const batches = await sendInBatches(numbers, {
  size: config.batchSize,
  concurrency: config.concurrency,
  send: (batch, index) => sendWithFailover(chain, batch, MESSAGE, { journal, batchIndex: index, dedupeKey: batchDedupeKey(config.campaign, index) }),
});
journal.close();
const failed = batches.filter((b) => !b.ok);
if (failed.length > 0) {
  console.error(failed.map((b) => String(b.error)).join('\n'));
  process.exit(1);
}
writeFileSync(config.results, batches.flatMap((b) => b.result.recipients.map((r) => JSON.stringify(r))).join('\n') + '\n');
