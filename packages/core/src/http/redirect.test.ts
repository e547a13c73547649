import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedirectError } from '../errors';
import { execute, type Operation, type VendorProfile } from './execute';
import { guardFetch, type FetchLike } from './redirect';

/** Two loopback hosts: the vendor, which redirects, and another one, which must never be asked. */
interface Host {
  url: string;
  seen: IncomingMessage[];
  close(): Promise<void>;
}
async function host(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<Host> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let other: Host;
let vendorHost: Host;
let status = 302;
// fetch refuses to follow a Location with user info, so the following-fetch tests leave it out.
let userInfo = 'user:pw@';
beforeAll(async () => {
  other = await host((_req, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{}')));
  vendorHost = await host((_req, res) => {
    res.writeHead(status, { location: `http://${userInfo}127.0.0.1:${new URL(other.url).port}/sms?token=t0k3n#frag` });
    res.end();
  });
});
afterAll(async () => {
  await other.close();
  await vendorHost.close();
});
beforeEach(() => {
  userInfo = 'user:pw@';
  other.seen.length = 0;
  vendorHost.seen.length = 0;
});

const vendor: VendorProfile = { parseError: () => ({}) };

/** Like a generated `…Raw` method over the given fetch: a paid POST with a credential header. */
function send(fetchImpl: FetchLike, idempotent = false): Operation<unknown> {
  return {
    idempotent,
    attempt: async (init) => {
      const raw = await fetchImpl(`${vendorHost.url}/sms`, { ...init, method: 'POST', headers: { 'x-api-key': 'secret-key-123' }, body: '{"to":["+447400123456"]}' });
      if (raw.status < 200 || raw.status >= 300) throw Object.assign(new Error('Response returned an error code'), { name: 'ResponseError', response: raw });
      return { raw, value: () => raw.json() };
    },
  };
}

describe('a redirect', () => {
  it.each([301, 302, 303, 307, 308])('%i is a RedirectError naming the Location without its secrets, and the other host gets nothing', async (code) => {
    status = code;
    const error = await execute(send(guardFetch()), vendor, { maxRetries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    const location = `http://127.0.0.1:${new URL(other.url).port}/sms`;
    expect(error).toMatchObject({ code: 'redirect', status: code, location, attempts: 1 });
    expect((error as Error).message).toContain(location);
    for (const text of [(error as Error).message, JSON.stringify(error)]) {
      expect(text).not.toContain('t0k3n');
      expect(text).not.toContain('user:pw');
    }
    expect(vendorHost.seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });

  it('leaves a paid send outcome-unknown after a 302 or 303 (POST-redirect-GET), not after a 307', async () => {
    status = 303;
    expect(await execute(send(guardFetch()), vendor).catch((e: unknown) => e)).toMatchObject({ outcomeUnknown: true });
    status = 307;
    expect(await execute(send(guardFetch()), vendor).catch((e: unknown) => e)).toMatchObject({ outcomeUnknown: false });
  });

  it('is not followed even by an operation that calls fetch directly: every attempt asks for redirect manual', async () => {
    status = 307;
    const error = await execute(send(fetch, true), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(other.seen).toHaveLength(0);
  });

  it("from a caller's fetch that follows redirects anyway is refused as an answer, outcome unknown", async () => {
    status = 307;
    userInfo = '';
    const following: FetchLike = (input, init) => fetch(input, { ...init, redirect: 'follow' });
    const error = await execute(send(guardFetch(following)), vendor, { maxRetries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ code: 'redirect', outcomeUnknown: true, attempts: 1 });
    expect((error as Error).message).toMatch(/followed a redirect/);
    expect(other.seen).toHaveLength(1);
  });

  it("from a caller's fetch is refused even without guardFetch, by the answer's redirected flag", async () => {
    status = 302;
    userInfo = '';
    const following: FetchLike = (input, init) => fetch(input, { ...init, redirect: 'follow' });
    const error = await execute(send(following), vendor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
  });
});
