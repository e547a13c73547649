// Around the wire: options and inputs of the wrong type are refused before any request, redirects
// are never followed (nor another host's `200 {}` taken for a send), and a send whose answer is
// lost says the outcome is unknown and hands back its request_id.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OctopushClient } from './client';
import { AbortError, ApiError, RateLimitError, RedirectError, ValidationError } from './errors';

let server: Recorder;
let other: Recorder;
beforeAll(async () => {
  server = await startRecorder();
  other = await startRecorder();
});
afterAll(async () => {
  await server.close();
  await other.close();
});
beforeEach(() => {
  server.reset();
  other.reset();
});

const client = (extra: object = {}) => new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123456', baseUrl: server.url, ...extra });
const sms = { text: 'Your code is 1234', recipients: [{ phoneNumber: '+33611223344' }], type: 'sms_premium' as const, purpose: 'alert' as const };
const requestIdSent = () => (server.requests[0]!.body as { request_id: string }).request_id;

describe('client options', () => {
  it.each([
    ['maxRetries NaN', { maxRetries: Number.NaN }, 'maxRetries'],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }, 'maxRetries'],
    ['maxRetries -1', { maxRetries: -1 }, 'maxRetries'],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['timeoutMs 0', { timeoutMs: 0 }, 'timeoutMs'],
    ['a baseUrl that is not a string', { baseUrl: 5 }, 'baseUrl'],
    ['a defaultCountry that is not a string', { defaultCountry: 33 }, 'defaultCountry'],
    ['an apiKey that is not a string', { apiKey: 5 }, 'apiKey'],
    ['an apiKey with a line break', { apiKey: 'key\nX-Injected: 1' }, 'apiKey'],
    ['an apiLogin with NUL', { apiLogin: 'owner@example.com\u0000' }, 'apiLogin'],
  ])('refuses %s at construction', (_name, extra, path) => {
    expect(() => client(extra)).toThrow(ValidationError);
    try {
      client(extra);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: [path] })]);
    }
  });
});

describe('input of the wrong type', () => {
  it.each([
    ['a null send', () => client().sms.send(null as never)],
    ['a BigInt field', () => client().sms.send({ ...sms, sender: 1n } as never)],
    ['a null-prototype phone number', () => client().sms.send({ ...sms, recipients: [{ phoneNumber: Object.create(null) }] })],
    ['a null cancel', () => client().sms.cancel(null as never)],
    ['a balance query of null', () => client().wallet.balance(null as never)],
    ['a balance query that is a number', () => client().wallet.balance(5 as never)],
    ['per-call options with maxRetries -1', () => client().wallet.balance(undefined, { maxRetries: -1 })],
  ])('is a ValidationError with no request: %s', async (_name, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('never follows a 308 to another host: it gets neither api-login nor api-key, nor the body', async () => {
    server.replyAlways({ status: 308, headers: { location: `${other.url}/v1/public/sms-campaign/send` } });
    const error = await client({ maxRetries: 3 }).sms.send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ status: 308, attempts: 1, dedupeKey: requestIdSent() });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it("does not take another host's 200 {} for a send when the caller's fetch followed the redirect", async () => {
    server.replyAlways({ status: 302, headers: { location: `${other.url}/v1/public/sms-campaign/send` } });
    other.replyAlways({ status: 200, json: {} });
    const following = (input: string, init: RequestInit) => fetch(input, { ...init, redirect: 'follow' });
    const error = await client({ fetch: following }).sms.send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
  });
});

describe('a send whose 2xx answer cannot be read', () => {
  it.each([
    ['HTML', { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>OK</html>' }],
    ['an empty body', { status: 200, text: '' }],
    ['half a JSON document', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"sms_ticket": "sms_1' }],
    ['a body cut off by the server closing the socket', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"sms_ticket": "sms_1', cutOff: true }],
    ['a body that stalls past the timeout', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"sms_ticket": "sms_1', stallBody: true }],
  ])('is not resent and says the outcome is unknown, with its request_id: %s', async (_name, reply) => {
    server.replyAlways(reply);
    // Only the stalled body needs the timeout to fire; the rest keep the default, so load cannot turn them into timeouts.
    const error = await client({ maxRetries: 3, ...('stallBody' in reply && { timeoutMs: 1_000 }) }).sms.send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, outcomeUnknown: true, attempts: 1, dedupeKey: requestIdSent() });
    expect(server.requests).toHaveLength(1);
  });
});

describe('429 on a send', () => {
  it('is retried with the same request_id, and a send that ends on 429 says the outcome is unknown', async () => {
    server.replyAlways({ status: 429, headers: { 'retry-after': '0' }, json: { code: 429, message: 'Too many requests' } });
    const error = await client({ maxRetries: 2 }).sms.send(sms).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ attempts: 3, outcomeUnknown: true, dedupeKey: requestIdSent() });
    expect(new Set(server.requests.map((r) => r.text)).size).toBe(1);
  });
});

describe('an abort while waiting to retry', () => {
  it('keeps the request_id, the attempts and the unknown outcome', async () => {
    const controller = new AbortController();
    server.replyAlways({ status: 500, headers: { 'retry-after': '30' }, json: () => (setTimeout(() => controller.abort(), 50), { code: 500, message: 'x' }) });
    const error = await client({ maxRetries: 3 }).sms.send(sms, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ dedupeKey: requestIdSent(), attempts: 1, outcomeUnknown: true });
    expect(server.requests).toHaveLength(1);
  });
});
