import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ConnectionError } from '../errors';
import { execute, type Operation, type VendorProfile } from './execute';
import { REDACTED, createRedactor } from './redact';

const SECRET = 'sk_live_51H8secretKEY';
const LOGIN = 'owner.login@example.com';
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** A gateway that answers every request with the headers it received, in the body and in a header. */
const echo = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(400, { 'content-type': 'application/json', 'x-debug-auth': String(req.headers.authorization) });
    res.end(JSON.stringify({ message: `bad request from ${String(req.headers['x-api-key'])}`, received: req.headers, [String(req.headers['x-api-key'])]: 'as a key' }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

const vendor: VendorProfile = { parseError: (_status, body) => ({ message: (body as { message?: string }).message }) };

function renderings(value: unknown): string {
  const views = [String(value), JSON.stringify(value), inspect(value, { depth: Infinity, showHidden: true })];
  if (value instanceof Error) views.push(value.message, String(value.stack));
  for (let cause = (value as { cause?: unknown }).cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    views.push(String(cause), inspect(cause, { depth: Infinity, showHidden: true }));
  }
  return views.join('\n');
}

function expectClean(value: unknown) {
  const text = renderings(value);
  for (const form of [SECRET, LOGIN, base64(`${LOGIN}:${SECRET}`), encodeURIComponent(LOGIN)]) expect(text).not.toContain(form);
}

describe('createRedactor', () => {
  it('replaces the secret and its URL-encoded and base64 forms in text, nested values and keys', () => {
    const redactor = createRedactor([SECRET, `${LOGIN}:${SECRET}`, LOGIN]);
    expect(redactor.text(`Basic ${base64(`${LOGIN}:${SECRET}`)} and ${encodeURIComponent(LOGIN)}`)).toBe(`Basic ${REDACTED} and ${REDACTED}`);
    expect(redactor.value({ headers: [{ [SECRET]: `App ${SECRET}` }] })).toEqual({ headers: [{ [REDACTED]: `App ${REDACTED}` }] });
  });

  it('leaves text alone when there is no secret, or the secret is too short to tell from a word', () => {
    expect(createRedactor([]).text('nothing')).toBe('nothing');
    expect(createRedactor(['k']).text('keep it')).toBe('keep it');
  });

  it('keeps the secrets out of its own printed form', () => {
    expectClean(createRedactor([SECRET, LOGIN]));
  });
});

describe('execute with a redactor', () => {
  const policy = { redactor: createRedactor([SECRET, LOGIN, `${LOGIN}:${SECRET}`]), maxRetries: 0 };
  const op: Operation<unknown> = {
    idempotent: false,
    attempt: async (init) => {
      const raw = await fetch(`${url}/send`, { ...init, method: 'POST', headers: { 'x-api-key': SECRET, authorization: `Basic ${base64(`${LOGIN}:${SECRET}`)}` }, body: '{}' });
      if (raw.status >= 300) throw Object.assign(new Error('Response returned an error code'), { name: 'ResponseError', response: raw });
      return { raw, value: () => raw.json() };
    },
  };

  it('cuts the credentials out of an error body that echoes the request headers: message, body, headers, String, JSON, inspect', async () => {
    const error = await execute(op, vendor, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).body).toMatchObject({ received: { 'x-api-key': REDACTED } });
    expect((error as ApiError).vendorMessage).toBe(`bad request from ${REDACTED}`);
    expect((error as ApiError).headers['x-debug-auth']).toBe(`Basic ${REDACTED}`);
    expectClean(error);
  });

  it('cuts them out of a cause chain that quotes a header value', async () => {
    const leaking: Operation<unknown> = {
      idempotent: false,
      attempt: async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new TypeError(`Headers.append: "App ${SECRET}\\n" is an invalid header value.`), { code: 'ERR_INVALID_HEADER' }) });
      },
    };
    const error = await execute(leaking, vendor, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(((error as Error).cause as Error).cause).toMatchObject({ code: 'ERR_INVALID_HEADER', name: 'TypeError' });
    expect(String(((error as Error).cause as Error).cause)).toContain(REDACTED);
    expectClean(error);
  });
});
