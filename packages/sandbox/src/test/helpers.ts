import { createServer, type IncomingMessage } from 'node:http';
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
  /** Resolves once `n` bodies have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<unknown[]>;
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
    async waitFor(n, timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (bodies.length < n) {
        if (Date.now() > until) throw new Error(`waited for ${n} callbacks, got ${bodies.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
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
