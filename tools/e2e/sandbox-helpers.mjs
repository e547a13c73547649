// Shared by the sandbox-<vendor>.test.mjs files: a delivery-report receiver, a fetch that keeps
// what each client put on the wire (to see retries the sandbox never records), and small helpers.
import { createServer } from 'node:http';

/** A local webhook that answers 200 and keeps every JSON body POSTed to it, with its path. */
export async function startReceiver() {
  const posts = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      posts.push({ path: req.url, body: text ? JSON.parse(text) : undefined });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    posts,
    /** Bodies POSTed to one path. */
    bodies: (path) => posts.filter((p) => p.path === path).map((p) => p.body),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The global fetch, recording method, path and JSON body of every request a client makes. */
export function spyFetch() {
  const calls = [];
  const spy = (input, init = {}) => {
    const url = new URL(String(input));
    calls.push({ method: init.method ?? 'GET', path: url.pathname, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined });
    return fetch(input, init);
  };
  return { fetch: spy, calls };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A whole-second instant `ms` from now, so it survives second-precision date formats. */
export const inFuture = (ms) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
