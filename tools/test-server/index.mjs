// A small HTTP server for the clients' wire tests. It listens on 127.0.0.1 on a free port, records
// every request (method, path, query, headers, raw and parsed body) and answers from a script the
// test sets per request, so a test can assert exactly what went out and feed back exactly what a
// vendor documents, including faults (status codes with headers, stalls, dropped connections).
import { createServer } from 'node:http';

export async function startRecorder() {
  const requests = [];
  let queue = [];
  let fallback = { status: 200, json: {} };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, text, body };
      requests.push(record);
      const reply = queue.length > 0 ? queue.shift() : fallback;
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      if (reply.stall) return;
      const send = () => {
        const headers = { ...(reply.headers ?? {}) };
        let payload = reply.text ?? '';
        if (reply.json !== undefined) {
          headers['content-type'] ??= 'application/json';
          payload = JSON.stringify(typeof reply.json === 'function' ? reply.json(record) : reply.json);
        }
        if (reply.cutOff || reply.stallBody) {
          // Promise more bytes than are sent, so the client waits for the rest of the body.
          headers['content-length'] = String(Buffer.byteLength(payload) + 100);
          res.writeHead(reply.status ?? 200, headers);
          res.write(payload);
          // Ended, not destroyed: what was written still reaches the client, however loaded the
          // machine (a destroy after a delay could drop unflushed headers and test a dropped connection).
          if (reply.cutOff) req.socket.end();
          return;
        }
        res.writeHead(reply.status ?? 200, headers);
        res.end(payload);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Answers the next requests in order; after them, the default answer. */
    reply(...replies) {
      queue.push(...replies);
    },
    /**
     * Resolves once `n` requests have been recorded. A client that gave up (its timeout, its signal)
     * may have sent a request the server has not read yet on a loaded machine: wait for it before
     * asserting how many arrived. No deadline of its own: a request that never comes is a hang.
     */
    async received(n) {
      while (requests.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
      return requests;
    },
    /** The answer for every request once the queue is empty. */
    replyAlways(reply) {
      fallback = reply;
    },
    reset() {
      requests.length = 0;
      queue = [];
      fallback = { status: 200, json: {} };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
