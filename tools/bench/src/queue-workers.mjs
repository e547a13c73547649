// Campaign throughput of @msgkit/queue with 1, 2 and 3 worker processes: the same SMS.CX campaign
// (seeded numbers, 500-recipient batches) through the sandbox, timed from enqueue to the last
// batch's recorded outcome, workers already started and idle. Rounds alternate the worker counts;
// medians; reported as ratios to 1 worker. On a 2-core machine the workers share the cores with the
// sandbox (which validates and stores every message) and Redis, so more processes than cores cannot
// add CPU: the ratio says how much of the sending the queue spreads, not how a cluster scales.
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { campaignStatus, enqueueCampaign } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { median } from './harness.mjs';
import { startRedis } from './queue/redis.mjs';

const RECIPIENTS = 40_000;
const BATCH = 500;
const COUNTS = [1, 2, 3];
const ROUNDS = 5;
const CONCURRENCY = 2;
const WORKER = fileURLToPath(new URL('./queue/worker.mjs', import.meta.url));
const numbers = Array.from({ length: RECIPIENTS }, (_, i) => `+447${400_000_000 + i}`);

export async function run() {
  const redis = await startRedis();
  const sandbox = await startSandbox({ port: 0 });
  const times = Object.fromEntries(COUNTS.map((n) => [n, []]));
  const busy = Object.fromEntries(COUNTS.map((n) => [n, []]));
  const workerBusy = Object.fromEntries(COUNTS.map((n) => [n, []]));
  const redisBusy = Object.fromEntries(COUNTS.map((n) => [n, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of round % 2 ? [...COUNTS].reverse() : COUNTS) {
        const redisCpu = await redis.cpuMs();
        const { ms, cpu, workerCpu } = await once(redis.url, sandbox, n, `r${round}w${n}`);
        redisBusy[n].push(((await redis.cpuMs()) - redisCpu) / ms);
        times[n].push(ms);
        busy[n].push(cpu / ms);
        workerBusy[n].push(workerCpu / ms);
        sandbox.reset();
      }
    }
  } finally {
    await sandbox.close();
    await redis.stop();
  }
  const base = median(times[1]);
  console.log(`${RECIPIENTS} recipients in ${RECIPIENTS / BATCH} batches, ${CONCURRENCY} batches in flight per worker, ${availableParallelism()} cores, medians of ${ROUNDS} rounds`);
  for (const n of COUNTS) {
    const ms = median(times[n]);
    const pct = (values) => `${(100 * median(values)).toFixed(0)}%`;
    const total = median(busy[n]) + median(workerBusy[n]) + median(redisBusy[n]);
    const sandboxShare = `CPU over the run: sandbox ${pct(busy[n])}, workers ${pct(workerBusy[n])}, Redis ${pct(redisBusy[n])}; ${(100 * total).toFixed(0)}% of one core in all`;
    console.log(`  ${n} worker${n > 1 ? 's' : ' '}  ${(RECIPIENTS / (ms / 1000)).toFixed(0).padStart(7)} recipients/s  ${(base / ms).toFixed(2)}× of 1 worker  (${sandboxShare})`);
  }
  console.log(`  load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores.`);
  console.log('  limit: CPU. Each worker normalizes and validates every number before its request (libphonenumber-js), the');
  console.log('  sandbox validates and stores every message and Redis runs the job scripts, all on the same cores. When the');
  console.log('  CPU shares above add up to what the machine gives this bench (2 cores at most, less when it is shared), a');
  console.log('  second or third worker process only takes turns with the first; on separate machines each adds its own cores.');
}

async function once(url, sandbox, count, prefix) {
  const workers = await Promise.all(
    Array.from({ length: count }, () => {
      const child = fork(WORKER, [url, prefix, sandbox.baseUrls.smscx, String(CONCURRENCY)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
      return new Promise((resolve, reject) => {
        child.once('message', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
    }),
  );
  try {
    const workerCpu = () => Promise.all(workers.map((child) => new Promise((resolve) => {
      child.once('message', (m) => resolve(m.cpuMs));
      child.send('cpu');
    }))).then((all) => all.reduce((a, b) => a + b, 0));
    const workerCpuStart = await workerCpu();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await enqueueCampaign({ connection: url, prefix, campaignId: 'bench', sender: smscxSender({ apiKey: 'bench-key' }), recipients: numbers, message: { from: 'Msgkit', text: 'Your order has shipped.' }, batchSize: BATCH });
    for (let i = 0; ; i++) {
      const status = await campaignStatus(url, 'bench', { prefix });
      if (status.done) {
        if (status.sent.recipients !== RECIPIENTS) throw new Error(`only ${status.sent.recipients} of ${RECIPIENTS} sent`);
        const ms = performance.now() - start;
        const cpu = process.cpuUsage(cpuStart);
        return { ms, cpu: (cpu.user + cpu.system) / 1000, workerCpu: (await workerCpu()) - workerCpuStart };
      }
      if (i > 12_000) throw new Error('the campaign did not finish in 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await Promise.all(
      workers.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
  }
}
