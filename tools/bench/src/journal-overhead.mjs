// The campaign journal's overhead: 1 000 000 recipients sent to the sandbox (SMS.CX, batches of
// 5 000, 2 in flight) through sendInBatches, with and without a FileJournal recording each batch
// (a begin and a settle record, each fdatasynced, 400 in all). Target: with / without ≤ 1.10.
// The passes alternate (without, with, without, …) and the medians are compared; the sandbox is
// reset between passes so each starts with the same empty state.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchDedupeKey, sendInBatches } from '@msgkit/core';
import { openFileJournal } from '@msgkit/journal';
import { startSandbox } from '@msgkit/sandbox';
import { SmscxClient } from '@msgkit/smscx';
import { median, ratio } from './harness.mjs';

// BENCH_JOURNAL_RECIPIENTS makes a shorter run on a busy machine; the figure to quote is the default.
const RECIPIENTS = Number(process.env.BENCH_JOURNAL_RECIPIENTS ?? 1_000_000);
const BATCH = 5_000;
// Two alternating rounds plus a short warm-up keep 1 000 000 recipients inside run.mjs's 10 minutes per file.
const ROUNDS = 2;

export async function run() {
  const sandbox = await startSandbox({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-journal-'));
  const client = new SmscxClient({ apiKey: 'bench', baseUrl: sandbox.baseUrls.smscx });
  const numbers = Array.from({ length: RECIPIENTS }, (_, i) => `+447400${String(i).padStart(6, '0')}`);
  const send = (to, _index, context) => client.sms.send({ from: 'Msgkit', to, text: 'Your order has shipped.', ...(context.dedupeKey && { idempotencyId: context.dedupeKey }) });

  const pass = async (journaled, round, list = numbers) => {
    sandbox.reset();
    const start = performance.now();
    let results;
    if (journaled) {
      const path = join(dir, `round-${round}.journal`);
      const store = await openFileJournal(path, { provider: 'smscx', sender: 'Msgkit', text: `bench ${round}`, options: { batchSize: BATCH }, recipients: 'bench' });
      results = await sendInBatches(list, { size: BATCH, concurrency: 2, send, journal: { store, deduplicates: true, ids: (r) => [r.info.campaignId] } });
      await store.close();
      if (round === 0 && list === numbers) console.log(`journal file: ${(statSync(path).size / 1e6).toFixed(1)} MB for ${RECIPIENTS} recipients (key of batch 0: ${batchDedupeKey(store.campaignId, 0)})`);
    } else {
      results = await sendInBatches(list, { size: BATCH, concurrency: 2, send });
    }
    const ms = performance.now() - start;
    const failed = results.filter((r) => r.ok !== true).length;
    if (failed > 0 || sandbox.messages('smscx').length !== list.length) throw new Error(`pass failed: ${failed} batches failed, ${sandbox.messages('smscx').length} messages`);
    return ms;
  };

  const times = { without: [], with: [] };
  try {
    const warm = numbers.slice(0, RECIPIENTS / 10);
    await pass(false, -1, warm); // warm-up: JIT, sockets, the sandbox's validators
    await pass(true, -2, warm);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ['with', 'without'] : ['without', 'with'];
      for (const name of order) times[name].push(await pass(name === 'with', round));
    }
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const without = median(times.without);
  const withJournal = median(times.with);
  console.log(`${RECIPIENTS} recipients in batches of ${BATCH}: without journal ${(without / 1000).toFixed(2)} s, with journal ${(withJournal / 1000).toFixed(2)} s (medians of ${ROUNDS} alternating rounds)`);
  console.log(`journal overhead ratio: ${ratio(withJournal, without)} (target ≤ 1.10)`);
}
