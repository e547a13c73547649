import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox, Vendor } from '../types';

export const AUTH: Record<Vendor, Record<string, string>> = {
  smscx: { 'x-api-key': 'sandbox-key' },
  smsworks: { authorization: 'JWT sandbox.jwt.token' },
  octopush: { 'api-login': 'dev@example.com', 'api-key': 'sandbox-key' },
  infobip: { authorization: 'App sandbox-key' },
};

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One real HTTP request to a vendor API of the sandbox, with good credentials unless `headers` overrides them. */
export async function call(
  sandbox: Sandbox,
  vendor: Vendor,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string | undefined> = AUTH[vendor],
): Promise<Answer> {
  const res = await fetch(sandbox.baseUrls[vendor] + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export interface Receiver {
  url: string;
  bodies: unknown[];
  /** Answer the next `n` POSTs with 500. */
  failNext(n: number): void;
  /** Resolves once `n` bodies have arrived, however long that takes (a hang ends at the test's limit). */
  waitFor(n: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** A local webhook receiver for delivery reports. */
export async function startReceiver(): Promise<Receiver> {
  const bodies: unknown[] = [];
  let failing = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing > 0) {
        failing--;
        res.writeHead(500).end();
        return;
      }
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlr`;
  return {
    url,
    bodies,
    failNext(n) {
      failing = n;
    },
    async waitFor(n) {
      while (bodies.length < n) await new Promise((resolve) => setTimeout(resolve, 10));
      return bodies;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A date `ms` from now in SMS.CX's `YYYY-MM-DD HH:MM:SS` (UTC) form. */
export const smscxDate = (ms: number): string => new Date(Date.now() + ms).toISOString().slice(0, 19).replace('T', ' ');

export interface Streamed {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes the client managed to write before it stopped. */
  sent: number;
  /** The server closed the connection (or reset it). */
  closed: boolean;
}

/**
 * Writes `chunk` over and over (at most `maxChunks` times, waiting `intervalMs` between writes and
 * for drain) until the server answers or closes; never holds more than one chunk in memory.
 * Without `contentLength` the body goes chunked.
 */
export function stream(
  url: string,
  options: { chunk: Buffer; maxChunks: number; intervalMs?: number; contentLength?: number; headers?: Record<string, string>; method?: string },
): Promise<Streamed> {
  return new Promise((resolve) => {
    const out: Streamed = { headers: {}, body: '', sent: 0, closed: false };
    let answered = false;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(out);
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      answered = true;
      out.status = res.statusCode;
      out.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (out.body += c));
      res.on('end', () => {
        // Wait for the server to close, or give up on that after a moment.
        if (out.closed) finish();
        else setTimeout(finish, 500).unref();
      });
      res.on('error', finish);
    });
    req.on('error', () => {
      out.closed = true;
      if (!answered) finish();
    });
    req.on('close', () => {
      out.closed = true;
      if (answered) finish();
    });
    void (async () => {
      for (let i = 0; i < options.maxChunks && !answered && !req.destroyed; i++) {
        const more = req.write(options.chunk);
        out.sent += options.chunk.length;
        if (!more) await new Promise<void>((r) => {
          const done = (): void => {
            req.off('drain', done);
            req.off('close', done);
            r();
          };
          req.once('drain', done);
          req.once('close', done);
        });
        if (options.intervalMs) await new Promise((r) => setTimeout(r, options.intervalMs));
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** One HTTP request with a raw Host header (fetch cannot send one). */
export function rawRequest(url: string, options: { method?: string; host: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: { ...options.headers, host: options.host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
