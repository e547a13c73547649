// One SmscxClient.sms.send to a loopback server, against a bare fetch of the same request (same
// URL, headers and JSON body, JSON answer parsed). Target: ≤ 1.20× the bare fetch's time.
// Sequential requests over keep-alive; contenders alternate per round; medians of the rounds.
// Measured for a one-recipient send (the target) and a ten-recipient one: the client validates and
// normalizes every number with libphonenumber-js, which a bare fetch does not do.
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { SmscxClient } from '@msgkit/smscx';
import { median, ratio } from './harness.mjs';

const ANSWER = JSON.stringify({
  info: {
    campaignId: '2d0d6b5a-8e4c-4f0f-9d53-0c2f1c9b7a11',
    totalPhoneNumbers: 10,
    totalValid: 10,
    totalInvalid: 0,
    totalCost: 0.35,
    totalParts: 10,
    dlrCallbackUrl: null,
    phoneNumbersByCountry: { GB: 10 },
    scheduled: false,
  },
  data: [],
});

export async function run() {
  for (const recipients of [1, 10]) await measure({ recipients });
}

async function measure({ recipients, requests = 400, rounds = 9 }) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'bench' });
      res.end(ANSWER);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  const to = Array.from({ length: recipients }, (_, i) => `+4474001234${String(i).padStart(2, '0')}`);
  const request = { from: 'Msgkit', to, text: 'Your code is 123456. It expires in 10 minutes.' };
  const client = new SmscxClient({ apiKey: 'bench-key', baseUrl: base });
  const bare = async () => {
    // The same bytes the client sends, idempotency key included.
    const body = JSON.stringify({ ...request, idempotencyId: crypto.randomUUID() });
    const res = await fetch(`${base}/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
      body,
    });
    if (!res.ok) throw new Error(`bare fetch got ${res.status}`);
    return res.json();
  };
  const viaClient = () => client.sms.send(request);

  // CPU time too: on a loaded machine the wall clock also counts the time other processes held
  // the CPU, while the process's own CPU time (client and server alike, both in this process)
  // counts only the work done, so its ratio is the one a busy machine still reads right.
  const pass = async (fn) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < requests; i++) await fn();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { wall: elapsed, cpu: (used.user + used.system) / 1000 };
  };
  const times = { bare: [], client: [] };
  const cpuTimes = { bare: [], client: [] };
  try {
    for (let i = 0; i < 2; i++) {
      await pass(bare);
      await pass(viaClient);
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? ['client', 'bare'] : ['bare', 'client'];
      for (const name of order) {
        const { wall, cpu } = await pass(name === 'bare' ? bare : viaClient);
        times[name].push(wall);
        cpuTimes[name].push(cpu);
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  const bareMs = median(times.bare) / requests;
  const clientMs = median(times.client) / requests;
  console.log(`${recipients} recipient(s): bare fetch ${(bareMs * 1000).toFixed(0)} µs, SmscxClient.sms.send ${(clientMs * 1000).toFixed(0)} µs per send`);
  console.log(`${recipients} recipient(s): client ÷ bare fetch = ${ratio(clientMs, bareMs)}${recipients === 1 ? '  (target ≤ 1.20)' : ''}`);
  const bareCpu = median(cpuTimes.bare) / requests;
  const clientCpu = median(cpuTimes.client) / requests;
  console.log(`${recipients} recipient(s): CPU time per send (client and server): bare fetch ${(bareCpu * 1000).toFixed(0)} µs, SmscxClient.sms.send ${(clientCpu * 1000).toFixed(0)} µs, ratio ${ratio(clientCpu, bareCpu)}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
}
