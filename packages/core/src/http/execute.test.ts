import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, ApiError, ConnectionError, RateLimitError, ServerError, TimeoutError, ValidationError } from '../errors';
import { execute, type Operation, type VendorProfile } from './execute';

type Script = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

let script: Script = (_req, res) => res.end('{}');
let hits = 0;
const server = createServer((req, res) => {
  hits += 1;
  script(req, res, hits);
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  hits = 0;
});

const vendor: VendorProfile = {
  requestIdHeader: 'x-request-id',
  parseError: (_status, body) => {
    const error = (body as { error?: { code?: number; type?: string; message?: string } }).error;
    return { vendorCode: error?.code, vendorType: error?.type, message: error?.message };
  },
};

/** Behaves like a generated `…Raw` method: fetch, throw the Response on non-2xx. */
function op(idempotent: boolean, url = `${base}/op`): Operation<{ ok: boolean }> {
  return {
    idempotent,
    attempt: async (init) => {
      const raw = await fetch(url, { ...init, method: 'POST', body: '{}' });
      if (raw.status >= 300) throw Object.assign(new Error('Response returned an error code'), { name: 'ResponseError', response: raw });
      return { raw, value: () => raw.json() as Promise<{ ok: boolean }> };
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const serverError = (res: ServerResponse) => json(res, 500, { error: { code: 1500, type: 'internal_error', message: 'boom' } }, { 'retry-after': '0', 'x-request-id': 'req-500' });

describe('execute', () => {
  it('retries an idempotent operation after a 500 and returns the answer with its request id', async () => {
    script = (_req, res, hit) => (hit < 3 ? serverError(res) : json(res, 200, { ok: true }, { 'x-request-id': 'req-ok' }));
    const result = await execute(op(true), vendor);
    expect(result).toEqual({ ok: true });
    expect(result.requestId).toBe('req-ok');
    expect(Object.keys(result)).toEqual(['ok']);
    expect(hits).toBe(3);
  });

  it('never retries a non-idempotent send after a 500 and says the outcome is unknown', async () => {
    script = (_req, res) => serverError(res);
    const error = await execute(op(false), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: 1500, vendorType: 'internal_error', requestId: 'req-500', outcomeUnknown: true, attempts: 1 });
    expect(String(error)).toContain('outcome is unknown');
    expect(hits).toBe(1);
  });

  it('retries a non-idempotent send after a 429 where the vendor documents that a 429 is refused before any work', async () => {
    script = (_req, res, hit) => (hit === 1 ? json(res, 429, { error: { code: 1429, type: 'rate_limit', message: 'slow down' } }, { 'retry-after': '0' }) : json(res, 200, { ok: true }));
    await expect(execute({ ...op(false), rateLimitRefusesWork: true }, vendor)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it('sends a non-idempotent request once on a 429 nobody documented as a refusal, and says the outcome is unknown', async () => {
    script = (_req, res) => json(res, 429, { error: { code: 1429, type: 'rate_limit', message: 'slow down' } }, { 'retry-after': '0' });
    const error = await execute(op(false), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1, retryAfterMs: 0 });
    expect(hits).toBe(1);
  });

  it('hands a long rate-limit wait to the caller instead of sleeping through it', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    script = (_req, res) => json(res, 429, { error: { code: 1429, type: 'rate_limit', message: 'slow down' } }, { 'x-rate-limit-reset': reset });
    const error = await execute(op(true), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(3_500_000);
    expect(hits).toBe(1);
  });

  it('never sleeps a Retry-After above RETRY_AFTER_MAX_MS: a 429 hands it to the caller at once, a 5xx retries on its own capped backoff', async () => {
    script = (_req, res) => json(res, 429, { error: { code: 1429, type: 'rate_limit', message: 'slow down' } }, { 'retry-after': '999999999' });
    const error = await execute(op(true), vendor).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterMs: 999_999_999_000, attempts: 1 });
    expect(hits).toBe(1);

    hits = 0;
    script = (_req, res, hit) => (hit === 1 ? json(res, 503, { error: { code: 1503, type: 'unavailable', message: 'later' } }, { 'retry-after': '999999999' }) : json(res, 200, { ok: true }));
    await expect(execute(op(true), vendor)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it('stops after maxRetries and reports how many attempts were made', async () => {
    script = (_req, res) => serverError(res);
    const error = await execute(op(true), vendor, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'server_error', attempts: 2, outcomeUnknown: false });
    expect(hits).toBe(2);
  });

  it('does not resend a non-idempotent request after the connection dropped mid-request', async () => {
    script = (req) => req.socket.destroy();
    const error = await execute(op(false), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(hits).toBe(1);
  });

  it('resends an idempotent request after a dropped connection', async () => {
    script = (req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 200, { ok: true }));
    await expect(execute(op(true), vendor)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it('retries even a non-idempotent request when the connection was refused before sending', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await execute(op(false, `http://127.0.0.1:${port}/op`), vendor, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: false, attempts: 2 });
    expect(String(error)).toContain('ECONNREFUSED');
  });

  it('times out a stalled answer per attempt', async () => {
    script = () => undefined;
    const error = await execute(op(false), vendor, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 100, outcomeUnknown: true });
    expect(hits).toBe(1);
  });

  it("stops at once when the caller's signal aborts", async () => {
    const controller = new AbortController();
    // Aborted once the server has the request, not after a delay a loaded machine can outlast.
    script = () => controller.abort();
    const error = await execute(op(true), vendor, {}, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(hits).toBe(1);
  });

  it('keeps a body that is not JSON as raw text on an ApiError', async () => {
    script = (_req, res) => {
      res.writeHead(418, { 'content-type': 'text/html' });
      res.end('<h1>teapot</h1>');
    };
    const error = await execute(op(true), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 418, body: '<h1>teapot</h1>', vendorMessage: '<h1>teapot</h1>' });
  });
});

describe('execute with a deduplication key', () => {
  const deduplicated = (): Operation<{ ok: boolean }> => ({ ...op(false), idempotent: true, dedupeKey: 'key-1' });

  it('retries a deduplicated send after a 500 like an idempotent one', async () => {
    script = (_req, res, hit) => (hit === 1 ? serverError(res) : json(res, 200, { ok: true }));
    await expect(execute(deduplicated(), vendor)).resolves.toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it('says the outcome is unknown and hands back the key when every attempt failed after one may have been accepted', async () => {
    script = (req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 429, { error: { code: 1429, type: 'rate_limit', message: 'slow down' } }, { 'retry-after': '0' }));
    const error = await execute(deduplicated(), vendor, { maxRetries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ outcomeUnknown: true, dedupeKey: 'key-1', attempts: 3 });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ dedupeKey: 'key-1' });
  });
});

describe('execute with an unreadable success answer', () => {
  const deduplicated = (): Operation<{ ok: boolean }> => ({ ...op(false), idempotent: true, dedupeKey: 'key-2xx' });
  const answers: Array<[string, Script]> = [
    ['HTML', (_req, res) => (res.writeHead(200, { 'content-type': 'text/html', 'x-request-id': 'req-garbled' }), res.end('<html>ok</html>'))],
    ['an empty body', (_req, res) => (res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-garbled' }), res.end())],
    ['half a JSON document', (_req, res) => (res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-garbled' }), res.end('{"ok": tru'))],
    [
      'a body cut off by the server closing the socket',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100', 'x-request-id': 'req-garbled' });
        res.write('{"ok": true, "id');
        // Ended, not destroyed after a delay: the headers reach the client however loaded the machine.
        res.socket?.end();
      },
    ],
    [
      'a body that stalls past the timeout',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100', 'x-request-id': 'req-garbled' });
        res.write('{"ok": true, "id');
      },
    ],
  ];

  it.each(answers)('does not resend a request the vendor accepted when its 2xx body is %s, and says the outcome is unknown', async (name, answer) => {
    script = answer;
    // Only the stalled body needs the timeout to fire; the rest keep the default, so load cannot turn them into timeouts.
    const error = await execute(deduplicated(), vendor, { maxRetries: 2, ...(name.includes('stalls') && { timeoutMs: 1_000 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, code: 'api_error', requestId: 'req-garbled', attempts: 1, outcomeUnknown: true, dedupeKey: 'key-2xx' });
    expect(String(error)).toContain('accepted the request');
    expect(hits).toBe(1);
  });

  it('says the outcome is unknown for a non-idempotent send too', async () => {
    script = answers[2]![1];
    const error = await execute(op(false), vendor).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 200, outcomeUnknown: true, attempts: 1 });
    expect(hits).toBe(1);
  });
});

describe('execute when the caller aborts while waiting to retry', () => {
  it('keeps the dedupe key, the attempts made and the unknown outcome of the attempt before', async () => {
    const controller = new AbortController();
    script = (_req, res) => {
      json(res, 500, { error: { code: 1500, type: 'internal_error', message: 'boom' } }, { 'retry-after': '30' });
      setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    };
    const operation: Operation<{ ok: boolean }> = { ...op(false), idempotent: true, dedupeKey: 'key-abort' };
    const error = await execute(operation, vendor, { maxRetries: 3 }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: 'aborted', dedupeKey: 'key-abort', attempts: 1, outcomeUnknown: true });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ dedupeKey: 'key-abort', attempts: 1, outcomeUnknown: true });
    expect(hits).toBe(1);
  });

  it('carries the dedupe key even when the signal had fired before the first attempt', async () => {
    const error = await execute({ ...op(false), idempotent: true, dedupeKey: 'key-0' }, vendor, {}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'aborted', dedupeKey: 'key-0', attempts: 0, outcomeUnknown: false });
    expect(hits).toBe(0);
  });
});

describe('execute with bad per-call options', () => {
  it.each([
    ['maxRetries NaN', { maxRetries: Number.NaN }, ['options', 'maxRetries']],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }, ['options', 'maxRetries']],
    ['maxRetries -1', { maxRetries: -1 }, ['options', 'maxRetries']],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, ['options', 'timeoutMs']],
    ['timeoutMs 0', { timeoutMs: 0 }, ['options', 'timeoutMs']],
    ['a signal that is not an AbortSignal', { signal: { aborted: false } }, ['options', 'signal']],
    ['null', null, ['options']],
  ])('refuses %s before any request', async (_name, options, path) => {
    script = (_req, res) => json(res, 500, {});
    const error = await execute(op(true), vendor, {}, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path });
    expect(hits).toBe(0);
  });
});

describe('execute when the connection fails', () => {
  /** A TCP server that counts the bytes of the request it receives before doing `onConnection`. */
  async function tcpServer(onConnection: (socket: Socket, received: () => number) => void): Promise<{ url: string; bytes: () => number; close: () => Promise<void> }> {
    let bytes = 0;
    const sockets = new Set<Socket>();
    const tcp = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      socket.on('error', () => undefined);
      onConnection(socket, () => bytes);
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/op`;
    return {
      url,
      bytes: () => bytes,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }

  const cases: Array<[string, (socket: Socket, received: () => number) => void]> = [
    ['closes the connection as soon as it is accepted', (socket) => socket.destroy()],
    ['resets the connection as soon as it is accepted', (socket) => socket.resetAndDestroy()],
    ['resets the connection after the first bytes of the request', (socket) => socket.once('data', () => socket.resetAndDestroy())],
    ['closes the connection after the whole request', (socket) => socket.on('data', (chunk: Buffer) => (chunk.includes('{}') ? socket.destroy() : undefined))],
  ];

  it.each(cases)('says the outcome of a send is unknown when the server %s, and it may have read the request', async (_name, onConnection) => {
    const server = await tcpServer(onConnection);
    try {
      const error = await execute(op(false, server.url), vendor, { maxRetries: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      // Whatever the server got, the client cannot know that nothing was read: never "not sent".
      expect(error).toMatchObject({ outcomeUnknown: true });
    } finally {
      await server.close();
    }
  });

  it('says nothing was sent only when the connection was refused, before a byte of the request left', async () => {
    const probe = await tcpServer(() => undefined);
    const url = probe.url;
    await probe.close();
    const error = await execute(op(false, url), vendor, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: false, attempts: 1 });
    expect(probe.bytes()).toBe(0);
  });

  it('keeps the outcome unknown when a retry after an unknown attempt is refused at the connection', async () => {
    // The first attempt reaches the server, which reads it, drops the connection and stops
    // listening: the retry (a deduplicated send is retried) is refused at the connection.
    const holder: { server?: Awaited<ReturnType<typeof tcpServer>> } = {};
    const server = await tcpServer((socket) =>
      socket.once('data', () => {
        socket.destroy();
        void holder.server?.close();
      }),
    );
    holder.server = server;
    const error = await execute({ ...op(false, server.url), idempotent: true, dedupeKey: 'key-conn' }, vendor, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: true, dedupeKey: 'key-conn', attempts: 2 });
    expect(String(error)).toContain('ECONNREFUSED');
    expect(server.bytes()).toBeGreaterThan(0);
  });
});
