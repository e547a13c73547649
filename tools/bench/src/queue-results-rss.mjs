// Peak memory of `msgkit campaign results` on a 100 000-recipient queue campaign, as a ratio to the
// same command on a 10 000-recipient one measured in the same run (the anchor): a command that
// streams from Redis a few batches at a time keeps the ratio near 1, one that held the campaign
// would approach 10. Both campaigns are really sent (one worker, SMS.CX through the sandbox,
// 500-recipient batches) and every recipient gets a delivery report recorded by the queue's own
// recorder, so each row reads a job, an outcome and a delivery record. Peak RSS is the child's
// own (process.resourceUsage().maxRSS at exit); rounds alternate the sizes; medians.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { campaignStatus, createCampaignWorker, createDeliveryRecorder, enqueueCampaign } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { median } from './harness.mjs';
import { startRedis } from './queue/redis.mjs';

const SIZES = [10_000, 100_000];
const BATCH = 500;
const ROUNDS = 3;
const BIN = fileURLToPath(new URL('../../../packages/cli/bin/msgkit.mjs', import.meta.url));
const PEAK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss:"+process.resourceUsage().maxRSS+"\\n"))';
const PREFIX = 'rss';

async function sendCampaign(url, sandbox, n) {
  const campaignId = `rss-${n}`;
  const recipients = Array.from({ length: n }, (_, i) => `+447${String(400_000_000 + i)}`);
  const sender = smscxSender({ apiKey: 'bench-key', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
  await enqueueCampaign({ connection: url, prefix: PREFIX, campaignId, sender, recipients, message: { from: 'Shop', text: 'Bench' }, batchSize: BATCH });
  const worker = createCampaignWorker({ connection: url, prefix: PREFIX, sender, concurrency: 2 });
  try {
    for (;;) {
      const status = await campaignStatus(url, campaignId, { prefix: PREFIX });
      if (status?.done && status.inFlight.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await worker.close();
  }
  // A final report per recipient, recorded as the receiver records one (placed by its number).
  const recorder = await createDeliveryRecorder({ connection: url, prefix: PREFIX, redisPersistence: 'accept-loss' });
  try {
    const index = new Map(recipients.map((to, i) => [to.slice(1), Math.floor(i / BATCH)]));
    const messages = sandbox.messages('smscx').filter((m) => index.has(String(m.to).replace(/\D/g, '')));
    for (let i = 0; i < messages.length; i += 1000) {
      await Promise.all(
        messages.slice(i, i + 1000).map((m, k) => {
          const to = `+${String(m.to).replace(/\D/g, '')}`;
          const delivered = (i + k) % 5 !== 0;
          const event = { vendor: 'smscx', messageId: m.id, to, status: delivered ? 'delivered' : 'undelivered', final: true, raw: { status: delivered ? 'DELIVERED' : 'UNDELIVERED', code: delivered ? undefined : '1' }, at: '2030-01-01T00:00:00Z', reference: { campaign: campaignId, batch: index.get(to.slice(1)) } };
          return recorder.record({ events: [event] });
        }),
      );
    }
  } finally {
    await recorder.close();
  }
  return campaignId;
}

/** Runs the command in a child process; resolves with its peak RSS (bytes), wall time and the file's rows. */
function results(url, campaignId, out) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', PEAK, BIN, 'campaign', 'results', campaignId, '--redis', url, '--prefix', PREFIX, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const peak = /maxrss:(\d+)/.exec(stderr);
      if (code !== 0 || !peak) return reject(new Error(`campaign results exited ${code}: ${stderr}${stdout}`));
      resolve({ rss: Number(peak[1]) * 1024, ms, rows: readFileSync(out, 'utf8').split('\n').length - 2, bytes: statSync(out).size });
    });
  });
}

export async function run() {
  const redis = await startRedis();
  const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-results-'));
  try {
    const ids = {};
    for (const n of SIZES) ids[n] = await sendCampaign(redis.url, sandbox, n);
    const rss = Object.fromEntries(SIZES.map((n) => [n, []]));
    const ms = Object.fromEntries(SIZES.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of round % 2 ? [...SIZES].reverse() : SIZES) {
        const r = await results(redis.url, ids[n], join(dir, `${n}-${round}.csv`));
        if (r.rows !== n) throw new Error(`${n}-recipient campaign: ${r.rows} rows written`);
        rss[n].push(r.rss);
        ms[n].push(r.ms);
      }
    }
    const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
    const [small, large] = SIZES;
    console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')} · ${ROUNDS} rounds · peak RSS of the msgkit process, medians`);
    for (const n of SIZES) console.log(`${n.toLocaleString('en')} recipients: peak RSS ${mb(median(rss[n]))}, ${Math.round(median(ms[n]))} ms (${Math.round(n / (median(ms[n]) / 1000)).toLocaleString('en')} rows/s)`);
    console.log(`peak RSS ratio ${large.toLocaleString('en')} / ${small.toLocaleString('en')} recipients: ${(median(rss[large]) / median(rss[small])).toFixed(2)} (10x the recipients; bounded memory keeps this near 1)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
    await redis.stop();
  }
}
