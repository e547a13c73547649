// 1 000 000 recipients in four campaigns of 250 000 (one per vendor; 25 000 each in pnpm test,
// tools/e2e/size.mjs) through @msgkit/queue: three
// worker processes over one Redis, the sandbox behind the fault proxy at 10 % faults, and one
// worker SIGKILLed in the middle and restarted. SMS.CX and Octopush deduplicate by the batch's key,
// so every recipient must arrive exactly once and every batch be `sent`. The SMS Works and Infobip
// cannot deduplicate: no recipient may arrive twice, every recipient that arrived must belong to a
// batch recorded `sent` or `unknown`, every `sent` batch must have arrived whole, and every batch
// that did not is listed with its recipients as `unknown` or `refused`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { campaignStatus, enqueueCampaign, followCampaign } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, startFaultProxy } from './fault-proxy.mjs';
import { redisAvailable, startRedis } from './redis-helper.mjs';
import { bySize, spaced } from './size.mjs';

const PER_VENDOR = bySize(250_000, 25_000);
const WORKERS = 3;
const PREFIX = `e2e${process.pid}`;
const WORKER_SCRIPT = fileURLToPath(new URL('./queue-worker.mjs', import.meta.url));

// Numbers valid for each vendor's country rules, distinct within a campaign.
const gb = (i) => `+447${String(400_000_000 + i)}`;
const fr = (i) => `+336${String(10_000_000 + i).padStart(8, '0')}`;
const CAMPAIGNS = [
  { provider: 'smscx', batchSize: 1_000, number: gb, message: { from: 'Msgkit', text: 'queue e2e smscx' }, dedupes: true },
  { provider: 'octopush', batchSize: 500, number: fr, message: { text: 'queue e2e octopush' }, dedupes: true },
  { provider: 'smsworks', batchSize: 1_000, number: gb, message: { from: 'Msgkit', text: 'queue e2e smsworks' }, dedupes: false },
  { provider: 'infobip', batchSize: 1_000, number: gb, message: { text: 'queue e2e infobip' }, dedupes: false },
];

let redis;
let sandbox;
let proxy;
const children = new Set();
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  sandbox = await startSandbox({ port: 0 });
  proxy = await startFaultProxy({ target: sandbox.url, rate: 0.1, seed: 20261201 });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await proxy?.close();
  await sandbox?.close();
  await redis?.stop();
});

function startWorker() {
  const bases = Object.fromEntries(Object.entries(sandbox.baseUrls).map(([vendor, url]) => [vendor, url.replace(sandbox.url, proxy.url)]));
  const child = fork(WORKER_SCRIPT, [redis.url, PREFIX, JSON.stringify(bases), '2'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const statuses = () => Promise.all(CAMPAIGNS.map((c) => campaignStatus(redis.url, `e2e-${c.provider}`, { prefix: PREFIX })));
const settled = (all) => all.reduce((n, s) => n + s.sent.batches + s.refused.batches + s.unknown.batches, 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisAvailable)(`${spaced(4 * PER_VENDOR)} recipients on three queue workers, one killed mid-way`, () => {
  it('sends every recipient once where the vendor deduplicates, and none twice anywhere', async () => {
    const lists = new Map();
    let batches = 0;
    for (const c of CAMPAIGNS) {
      const recipients = Array.from({ length: PER_VENDOR }, (_, i) => c.number(i));
      lists.set(c.provider, recipients);
      const enqueued = await enqueueCampaign({ connection: redis.url, prefix: PREFIX, campaignId: `e2e-${c.provider}`, provider: c.provider, recipients, message: c.message, batchSize: c.batchSize });
      batches += enqueued.batches;
    }

    const workers = Array.from({ length: WORKERS }, startWorker);
    // Kill one worker once a third of the batches are settled, while all four queues are busy. The
    // waits have no deadline of their own: workers that all exited end them, a hang the test's limit.
    const working = () => {
      if (children.size === 0) throw new Error('every worker exited');
    };
    while (settled(await statuses()) < batches / 3) {
      working();
      await sleep(100);
    }
    const victim = workers[0];
    const killed = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await killed;
    const settledAtKill = settled(await statuses());
    await sleep(1_000);
    startWorker();

    let final;
    for (;;) {
      final = await statuses();
      if (final.every((s) => s.done && s.inFlight.length === 0)) break;
      working();
      await sleep(100);
    }

    const injected = FAULTS.reduce((n, f) => n + proxy.counts[f], 0);
    const requests = injected + proxy.counts.forwarded;
    console.log(
      `queue e2e: ${batches} batches, killed a worker at ${settledAtKill} settled; ${requests} requests, ${injected} faults (${((100 * injected) / requests).toFixed(1)}%): ` +
        FAULTS.map((f) => `${f} ${proxy.counts[f]}`).join(', '),
    );
    expect(injected / requests).toBeGreaterThan(0.05);

    let resumed = 0;
    for (const [i, c] of CAMPAIGNS.entries()) {
      const status = final[i];
      const id = `e2e-${c.provider}`;
      for await (const event of followCampaign(redis.url, id, { prefix: PREFIX, from: '0' })) if (event.type === 'begin' && event.state === 'resumed') resumed++;
      const recipients = lists.get(c.provider);
      const delivered = sandbox.messages(c.provider).filter((m) => m.text === c.message.text).map((m) => (m.to.startsWith('+') ? m.to : `+${m.to}`));
      const counts = new Map();
      for (const to of delivered) counts.set(to, (counts.get(to) ?? 0) + 1);
      const twice = [...counts.values()].filter((n) => n > 1).length;
      console.log(
        `  ${c.provider.padEnd(8)} sent ${status.sent.recipients} (${status.sent.batches} batches), unknown ${status.unknown.recipients} (${status.unknown.batches}), refused ${status.refused.recipients} (${status.refused.batches}); ` +
          `arrived ${counts.size} distinct, ${twice} twice`,
      );
      expect(twice).toBe(0);
      expect(status.sent.recipients + status.unknown.recipients + status.refused.recipients).toBe(PER_VENDOR);
      if (c.dedupes) {
        expect(status.sent).toEqual({ batches: PER_VENDOR / c.batchSize, recipients: PER_VENDOR });
        expect(delivered.length).toBe(PER_VENDOR);
        for (const to of recipients) expect(counts.has(to)).toBe(true);
        continue;
      }
      // Every unknown or refused batch is listed with its recipients; everything else was sent.
      const listed = new Set([...status.unknownBatches, ...status.refusedBatches].flatMap((b) => b.recipients));
      expect(listed.size).toBe(status.unknown.recipients + status.refused.recipients);
      const refused = new Set(status.refusedBatches.flatMap((b) => b.recipients));
      for (const to of recipients) {
        // A recipient that arrived belongs to a batch recorded sent or unknown, never refused; one
        // that did not arrive belongs to a listed batch.
        if (counts.has(to)) expect(refused.has(to)).toBe(false);
        else expect(listed.has(to)).toBe(true);
      }
      expect(delivered.length).toBeGreaterThanOrEqual(status.sent.recipients);
    }
    console.log(`  batches resumed after a worker died or lost its lock: ${resumed}`);
    expect(resumed).toBeGreaterThan(0);
  });
});
