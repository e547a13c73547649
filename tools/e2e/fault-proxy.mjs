// A fault-injecting HTTP proxy on 127.0.0.1 for end-to-end tests. It forwards requests to a target
// and, for a seeded fraction of them, misbehaves the ways a real network and vendor do:
//   - 'status-500'        answers 500 without forwarding (the vendor failed before any work)
//   - 'status-429'        answers 429 with SMS.CX's X-Rate-Limit-Reset, without forwarding
//   - 'drop-before'       destroys the connection without forwarding
//   - 'drop-after'        forwards, lets the target act, then destroys the connection: the answer
//                         is lost although the vendor accepted the request (the billing trap)
//   - 'status-500-after'  forwards, then answers 500 instead of the target's answer
import { createServer, request as httpRequest } from 'node:http';
import { seeded as mulberry32 } from '@msgkit/test-server/seeded';

export const FAULTS = ['status-500', 'status-429', 'drop-before', 'drop-after', 'status-500-after'];

/** A small seeded PRNG, so a fault run (and a kill schedule) can be repeated exactly: the tests' one copy. */
export { mulberry32 };

export async function startFaultProxy({ target, rate, seed = 1 }) {
  const random = mulberry32(seed);
  const counts = Object.fromEntries([...FAULTS, 'forwarded'].map((k) => [k, 0]));
  const upstream = new URL(target);

  const forward = (req, body) =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const fault = random() < rate ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined;
      try {
        if (fault) counts[fault]++;
        if (fault === 'status-500' || fault === 'status-500-after') {
          if (fault === 'status-500-after') await forward(req, body);
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { type: 'server_error', code: 0, message: 'injected fault', uri: '' } }));
          return;
        }
        if (fault === 'status-429') {
          res.writeHead(429, { 'content-type': 'application/json', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000)) });
          res.end(JSON.stringify({ error: { type: 'rate_limit', code: 0, message: 'injected fault', uri: '' } }));
          return;
        }
        if (fault === 'drop-before') {
          req.socket.destroy();
          return;
        }
        const answer = await forward(req, body);
        if (fault === 'drop-after') {
          req.socket.destroy();
          return;
        }
        counts.forwarded++;
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        res.writeHead(answer.status, headers);
        res.end(answer.body);
      } catch {
        req.socket.destroy();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
