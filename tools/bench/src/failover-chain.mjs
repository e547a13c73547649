// The cost of failover when the first vendor is healthy: sendWithFailover over the chain
// [SMS.CX, The SMS Works] against smscxSender.send alone, the same batches with the same keys, to
// a loopback server that answers as SMS.CX does (one data entry per recipient). The chain checks
// both vendors' rules for the message before each batch and builds the per-recipient report; the
// second vendor is never called. Target: chain ÷ single ≤ 1.05 for batches of 100; batches of 1
// show the fixed cost per batch. Sequential sends over keep-alive, the contenders alternating
// batch by batch, medians of the rounds; the target is checked on CPU time (see `measure`).
import { createServer } from 'node:http';
import { batchDedupeKey, sendWithFailover } from '@msgkit/core';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { median, ratio } from './harness.mjs';

const MESSAGE = { text: 'Your parcel arrives today.', from: 'Shop' };
const TARGET = 1.05;

export async function run() {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { to } = JSON.parse(body);
      const data = to.map((number, i) => ({ msgId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, status: 'ACCEPTED', statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0.035, to: number, countryIso: 'GB', from: 'Shop', parts: 1 }));
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'bench' });
      res.end(JSON.stringify({ info: { campaignId: '2d0d6b5a-8e4c-4f0f-9d53-0c2f1c9b7a11', totalPhoneNumbers: to.length, totalParts: to.length, totalCost: 0.035 * to.length, currency: 'EUR', scheduled: false }, data }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const smscx = smscxSender({ apiKey: 'bench-key', baseUrl: base });
  // Never reached while SMS.CX accepts; a wrong host would make any call fail loudly.
  const smsworks = smsworksSender({ token: 'bench.jwt.token', baseUrl: 'http://127.0.0.1:9' });
  const misses = [];
  try {
    for (const size of [100, 1]) {
      const r = await measure({ size, batches: size === 1 ? 400 : 200, smscx, chain: [smscx, smsworks] });
      if (size === 100 && r.cpu > TARGET) misses.push(`a healthy chain costs ${r.cpu.toFixed(3)}× the CPU time of a single-vendor send, above the ${TARGET} target`);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  // A bench that only prints its target passes whatever it measures: a miss fails the run.
  for (const miss of misses) console.log(`MISS: ${miss}`);
  if (misses.length > 0) process.exitCode = 1;
}

async function measure({ size, batches, smscx, chain, rounds = 9 }) {
  const lists = Array.from({ length: batches }, (_, b) => Array.from({ length: size }, (_, i) => `+4474${String(b * size + i).padStart(8, '0')}`));
  const keys = lists.map((_, b) => batchDedupeKey(`bench-${size}`, b));
  const single = (b) => smscx.send(lists[b], MESSAGE, { dedupeKey: keys[b] }).then((sent) => {
    if (sent.messages?.length !== size) throw new Error('single send lost recipients');
  });
  const failover = (b) => sendWithFailover(chain, lists[b], MESSAGE, { dedupeKey: keys[b] }).then((result) => {
    if (result.recipients.some((r) => r.sentBy !== 'smscx')) throw new Error('the chain moved a recipient off a healthy vendor');
  });
  // The contenders alternate batch by batch (not pass by pass), so a change in the machine's load
  // hits both alike. Wall time and this process's CPU time are both kept: the server runs in this
  // process too, so CPU time is the whole work of a send, and other tenants of a shared machine
  // do not count in it. Each round's sums are compared by their medians.
  const round = async (index) => {
    const sums = { single: { wall: 0, cpu: 0 }, chain: { wall: 0, cpu: 0 } };
    for (let b = 0; b < batches; b++) {
      const order = (b + index) % 2 ? ['chain', 'single'] : ['single', 'chain'];
      for (const name of order) {
        const cpu = process.cpuUsage();
        const start = performance.now();
        await (name === 'single' ? single(b) : failover(b));
        sums[name].wall += performance.now() - start;
        const used = process.cpuUsage(cpu);
        sums[name].cpu += (used.user + used.system) / 1000;
      }
    }
    return sums;
  };
  await round(0);
  const measured = [];
  for (let i = 0; i < rounds; i++) measured.push(await round(i));
  const per = (name, kind) => median(measured.map((r) => r[name][kind])) / batches;
  const r = { wall: per('chain', 'wall') / per('single', 'wall'), cpu: per('chain', 'cpu') / per('single', 'cpu') };
  console.log(`batches of ${size}: smscxSender.send ${(per('single', 'wall') * 1000).toFixed(0)} µs (cpu ${(per('single', 'cpu') * 1000).toFixed(0)} µs), sendWithFailover([smscx, smsworks]) ${(per('chain', 'wall') * 1000).toFixed(0)} µs (cpu ${(per('chain', 'cpu') * 1000).toFixed(0)} µs) per batch`);
  console.log(`batches of ${size}: chain ÷ single = ${ratio(per('chain', 'wall'), per('single', 'wall'))} wall, ${ratio(per('chain', 'cpu'), per('single', 'cpu'))} cpu${size === 100 ? `  (target ≤ ${TARGET}, on cpu)` : ''}`);
  return r;
}
