// One SmscxClient.sms.send to a loopback server, against a bare fetch of the same request (same
// URL, the same header names and values, the same JSON body bytes, the answer's JSON parsed), over
// the same global dispatcher. Target: ≤ 1.20× the bare fetch's time.
// Sequential requests over keep-alive; contenders alternate per round; medians of the rounds.
// Measured for a one-recipient send (the target) and a ten-recipient one: the client validates and
// normalizes every number with libphonenumber-js, which a bare fetch does not do.
// A third contender, shown for information and never the anchor: the bare fetch with what the
// client's HTTP policy adds to every attempt on the wire path (an AbortController armed by a 30 s
// timer, its signal handed to fetch, redirect: 'manual'), to tell the timeout's cost from the rest.
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
  let capture;
  const server = createServer((req, res) => {
    if (capture) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => capture({ method: req.method, url: req.url, headers: req.rawHeaders, body }));
    } else req.resume();
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
  // The same bytes the client sends: its header names as it writes them, its body's key order
  // (the generated model's), idempotency key included.
  const headers = { 'Content-Type': 'application/json', 'X-API-KEY': 'bench-key' };
  const bodyOf = () => JSON.stringify({ to: request.to, from: request.from, text: request.text, idempotencyId: crypto.randomUUID() });
  const bare = async () => {
    const res = await fetch(`${base}/sms`, { method: 'POST', headers, body: bodyOf() });
    if (!res.ok) throw new Error(`bare fetch got ${res.status}`);
    return res.json();
  };
  const timed = async () => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), 30_000);
    try {
      const res = await fetch(`${base}/sms`, { method: 'POST', headers, body: bodyOf(), signal: timeout.signal, redirect: 'manual' });
      if (!res.ok) throw new Error(`bare fetch got ${res.status}`);
      return await res.json();
    } finally {
      clearTimeout(timer);
    }
  };
  const viaClient = () => client.sms.send(request);
  const contenders = { bare, timed, client: viaClient };

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
  const names = Object.keys(contenders);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  const cpuTimes = Object.fromEntries(names.map((name) => [name, []]));
  try {
    // Like with like: each contender's request as the server reads it, its idempotency key masked,
    // must be the same bytes (method, path, header names, values and order, body).
    const seen = {};
    for (const name of names) {
      const read = new Promise((resolve) => (capture = resolve));
      await contenders[name]();
      seen[name] = JSON.stringify(await read).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
    }
    capture = undefined;
    for (const name of names) if (seen[name] !== seen.bare) throw new Error(`client-smscx: the ${name} request differs from the bare fetch's:\n${seen[name]}\n${seen.bare}`);
    for (let i = 0; i < 2; i++) for (const name of names) await pass(contenders[name]);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...names].reverse() : names;
      for (const name of order) {
        const { wall, cpu } = await pass(contenders[name]);
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
  const timedMs = median(times.timed) / requests;
  const timedCpu = median(cpuTimes.timed) / requests;
  console.log(`${recipients} recipient(s): (information) bare fetch with the client's timeout signal ${(timedMs * 1000).toFixed(0)} µs wall, ${(timedCpu * 1000).toFixed(0)} µs CPU: ${ratio(timedMs, bareMs)} wall and ${ratio(timedCpu, bareCpu)} CPU of the bare fetch; the client is ${ratio(clientMs, timedMs)} wall and ${ratio(clientCpu, timedCpu)} CPU of it`);
}
