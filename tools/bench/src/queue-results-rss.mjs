// Peak memory of `msgkit campaign results` on a 100 000-recipient queue campaign, as a ratio to the
// same command on a 10 000-recipient one measured in the same run (the anchor): a command that
// streams from Redis a few batches at a time keeps the ratio near 1, one that held the campaign
// would approach 10. Both campaigns run through a real worker and Redis (500-recipient batches)
// with the SMS.CX sender's `send` answering at once (a message id per recipient, no HTTP: what is
// measured is the reading, not the sending), and every recipient gets a final delivery report
// recorded by the queue's own recorder, so each row reads a job, an outcome and a delivery record.
// Peak RSS is the child's own (process.resourceUsage().maxRSS at exit); rounds alternate the sizes; medians.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { campaignStatus, createCampaignWorker, createDeliveryRecorder, enqueueCampaign } from '@msgkit/queue';
import { smscxSender } from '@msgkit/smscx';
import { median } from './harness.mjs';
import { startRedis } from './queue/redis.mjs';

// ioredis as @msgkit/queue resolves it (the bench package does not depend on it).
const { Redis } = createRequire(fileURLToPath(import.meta.resolve('@msgkit/queue')))('ioredis');
const SIZES = [10_000, 100_000];
const BATCH = 500;
const ROUNDS = 3;
const HEAP_LIMIT_MB = 48;
const BIN = fileURLToPath(new URL('../../../packages/cli/bin/msgkit.mjs', import.meta.url));
const PEAK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss:"+process.resourceUsage().maxRSS+"\\n"))';
const PREFIX = 'rss';

async function sendCampaign(url, n) {
  const campaignId = `rss-${n}`;
  const recipients = Array.from({ length: n }, (_, i) => `+447${String(400_000_000 + i)}`);
  const ids = new Map();
  const real = smscxSender({ apiKey: 'bench-key', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
  const sender = Object.assign(Object.create(real), {
    send: async (batch) => {
      const messages = batch.map((to) => ({ to, id: randomUUID() }));
      for (const m of messages) ids.set(m.to, m.id);
      return { ids: messages.map((m) => m.id), messages };
    },
  });
  await enqueueCampaign({ connection: url, prefix: PREFIX, campaignId, sender, recipients, message: { from: 'Shop', text: 'Bench' }, batchSize: BATCH });
  const worker = createCampaignWorker({ connection: url, prefix: PREFIX, sender, concurrency: 4 });
  try {
    for (;;) {
      const status = await campaignStatus(url, campaignId, { prefix: PREFIX });
      if (status?.done && status.inFlight.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await worker.close();
  }
  // A final report per recipient, recorded as the receiver records one (placed by its number): the
  // first batch through the queue's recorder, the rest written in the same record shape through a
  // pipeline (the recorder's one round trip per report would take most of an hour on a loaded machine).
  const event = (to, i) => {
    const delivered = i % 5 !== 0;
    return { vendor: 'smscx', messageId: ids.get(to), to, status: delivered ? 'delivered' : 'undelivered', final: true, raw: { status: delivered ? 'DELIVERED' : 'UNDELIVERED', ...(delivered ? {} : { code: '1' }) }, at: '2030-01-01T00:00:00Z', reference: { campaign: campaignId, batch: Math.floor(i / BATCH) } };
  };
  const recorder = await createDeliveryRecorder({ connection: url, prefix: PREFIX, redisPersistence: 'accept-loss' });
  try {
    for (let i = 0; i < BATCH; i++) await recorder.record({ events: [event(recipients[i], i)] });
  } finally {
    await recorder.close();
  }
  const client = new Redis(url);
  try {
    const key = `${PREFIX}:campaign:{${campaignId}}:dlr:records`;
    const reference = JSON.parse(await client.hget(key, recipients[0]));
    if (reference.events?.[0]?.messageId !== ids.get(recipients[0])) throw new Error('the delivery record key or shape changed: update this bench');
    for (let i = BATCH; i < n; i += 5000) {
      const pipeline = client.pipeline();
      recipients.slice(i, i + 5000).forEach((to, k) => {
        const e = event(to, i + k);
        pipeline.hset(key, to, JSON.stringify({ batch: e.reference.batch, events: [{ ...e, reference: { ...e.reference, recipient: to } }] }));
      });
      await pipeline.exec();
    }
  } finally {
    client.disconnect();
  }
  return campaignId;
}

/** Runs the command in a child process; resolves with its peak RSS (bytes), wall time and the file's rows. */
function results(url, campaignId, out, node = []) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...node, '--import', PEAK, BIN, 'campaign', 'results', campaignId, '--redis', url, '--prefix', PREFIX, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const peak = /maxrss:(\d+)/.exec(stderr);
      if (code !== 0 || !peak) return reject(new Error(`campaign results exited ${code}: ${stderr}${stdout}`));
      resolve({ rss: Number(peak[1]) * 1024, ms, rows: readFileSync(out, 'utf8').split('\n').length - 2, bytes: statSync(out).size, delivered: Number(/delivery: (\d+) delivered/.exec(stdout)?.[1]) });
    });
  });
}

export async function run() {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-results-'));
  try {
    const ids = {};
    for (const n of SIZES) {
      const started = Date.now();
      ids[n] = await sendCampaign(redis.url, n);
      console.log(`${n.toLocaleString('en')}-recipient campaign sent and reported in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    const rss = Object.fromEntries(SIZES.map((n) => [n, []]));
    const ms = Object.fromEntries(SIZES.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of round % 2 ? [...SIZES].reverse() : SIZES) {
        const r = await results(redis.url, ids[n], join(dir, `${n}-${round}.csv`));
        if (r.rows !== n) throw new Error(`${n}-recipient campaign: ${r.rows} rows written`);
        if (r.delivered !== n - Math.ceil(n / 5)) throw new Error(`${n}-recipient campaign: ${r.delivered} delivered, not the ${n - Math.ceil(n / 5)} reported`);
        rss[n].push(r.rss);
        ms[n].push(r.ms);
      }
    }
    const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
    const [small, large] = SIZES;
    console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')} · ${ROUNDS} rounds · peak RSS of the msgkit process, medians`);
    for (const n of SIZES) console.log(`${n.toLocaleString('en')} recipients: peak RSS ${mb(median(rss[n]))}, ${Math.round(median(ms[n]))} ms (${Math.round(n / (median(ms[n]) / 1000)).toLocaleString('en')} rows/s)`);
    console.log(`peak RSS ratio ${large.toLocaleString('en')} / ${small.toLocaleString('en')} recipients: ${(median(rss[large]) / median(rss[small])).toFixed(2)} (10x the recipients; bounded memory keeps this near 1)`);
    // The same command under a V8 heap limit a campaign held in memory would not fit in (the 100 000 rows alone are larger).
    const limited = await results(redis.url, ids[large], join(dir, 'limited.csv'), [`--max-old-space-size=${HEAP_LIMIT_MB}`]).then(
      (r) => `completes (${r.rows.toLocaleString('en')} rows, peak RSS ${mb(r.rss)})`,
      (error) => `FAILS: ${String(error.message).split('\n').slice(0, 3).join(' ')}`,
    );
    console.log(`${large.toLocaleString('en')} recipients with --max-old-space-size=${HEAP_LIMIT_MB}: ${limited}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await redis.stop();
  }
}
