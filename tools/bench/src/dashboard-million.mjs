// The dashboard on a journal of 1 000 000 recipients (200 batches of 5 000, every tenth unknown):
// how long its first read takes against the journal's own reader (readJournal, the anchor, in the
// same run), and how many bytes a page receives per update (the summary event), for the campaign
// list and for a page of unknown recipients, beside the same figures for 1 000 recipients.
// Target: bytes per update independent of the recipient count. The first read also finds each
// number's country (normalizePhone), which readJournal does not: that is the ratio to watch.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '@msgkit/dashboard';
import { openFileJournal, readJournal } from '@msgkit/journal';
import { median, ratio } from './harness.mjs';

const RECIPIENTS = Number(process.env.BENCH_DASHBOARD_RECIPIENTS ?? 1_000_000);
const BATCHES = 200;
const ROUNDS = 3;

async function writeCampaign(dir, name, recipients) {
  mkdirSync(join(dir, name));
  const path = join(dir, name, 'campaign.journal');
  const size = recipients / BATCHES;
  const journal = await openFileJournal(path, { provider: 'smscx', sender: 'Shop', text: 'Hi', options: {}, recipients: name });
  for (let i = 0; i < BATCHES; i++) {
    const to = Array.from({ length: size }, (_, k) => {
      const n = i * size + k;
      return n % 4 === 3 ? `+336${String(10_000_000 + n).slice(-8)}` : `+4474${String(n).padStart(8, '0')}`;
    });
    await journal.begin({ index: i, recipients: to });
    await journal.settle(i, i % 10 === 9 ? { status: 'unknown', code: 'timeout', message: 'no answer' } : { status: 'sent', ids: [`s-${i}`] });
  }
  await journal.close();
  return path;
}

async function summaryBytes(url, id) {
  const controller = new AbortController();
  const res = await fetch(new URL(`/api/events?campaign=${id}`, url), { signal: controller.signal });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const event = /event: summary\ndata: [^\n]*\n\n/;
  while (!event.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
  controller.abort();
  return Buffer.byteLength(event.exec(text)[0]);
}

async function measure(path) {
  const anchor = [];
  const first = [];
  let figures;
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    await readJournal(path);
    anchor.push(performance.now() - start);
    start = performance.now();
    const dashboard = await startDashboard({ journals: [path] });
    first.push(performance.now() - start);
    try {
      const listText = await (await fetch(new URL('/api/campaigns', dashboard.url))).text();
      const id = JSON.parse(listText).campaigns[0].id;
      const unknown = await (await fetch(new URL(`/api/campaigns/${id}/unknown?offset=0&limit=50`, dashboard.url))).text();
      figures = { summary: await summaryBytes(dashboard.url, id), list: Buffer.byteLength(listText), unknownPage: Buffer.byteLength(unknown) };
    } finally {
      await dashboard.close();
    }
  }
  return { anchor: median(anchor), first: median(first), ...figures };
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-dashboard-'));
  try {
    const small = await measure(await writeCampaign(dir, 'small', 1_000));
    const path = await writeCampaign(dir, 'large', RECIPIENTS);
    const large = await measure(path);
    console.log(`journal: ${(statSync(path).size / 1e6).toFixed(1)} MB for ${RECIPIENTS} recipients`);
    console.log(`first read: dashboard ${large.first.toFixed(0)} ms, readJournal ${large.anchor.toFixed(0)} ms: ratio ${ratio(large.first, large.anchor)}`);
    for (const key of ['summary', 'list', 'unknownPage']) {
      console.log(`bytes per ${key}: ${large[key]} for ${RECIPIENTS} recipients, ${small[key]} for 1 000: ratio ${ratio(large[key], small[key])} (target ≈ 1)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
