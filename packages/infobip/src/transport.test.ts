// Around the wire: options and inputs of the wrong type are refused before any request, redirects
// are never followed, and a send whose answer is lost says the outcome is unknown.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, ApiError, InfobipClient, RedirectError, ValidationError } from './index';

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

const client = (extra: object = {}) => new InfobipClient({ apiKey: 'key-123456', baseUrl: server.url, ...extra });
const send = { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Your code is 1234' } };

describe('client options', () => {
  it.each([
    ['maxRetries NaN', { maxRetries: Number.NaN }, 'maxRetries'],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }, 'maxRetries'],
    ['maxRetries -1', { maxRetries: -1 }, 'maxRetries'],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['timeoutMs 0', { timeoutMs: 0 }, 'timeoutMs'],
    ['a baseUrl that is not a string', { baseUrl: 5 }, 'baseUrl'],
    ['a defaultCountry that is not a string', { defaultCountry: 41 }, 'defaultCountry'],
    ['an apiKey with NUL', { apiKey: 'key-123456\u0000' }, 'apiKey'],
    ['an apiKey with CR LF', { apiKey: 'key\r\nX-Injected: 1' }, 'apiKey'],
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
    ['logs(null)', () => client().omni.logs(null as never)],
    ['reports(null)', () => client().omni.reports(null as never)],
    ['scenarios.list(null)', () => client().omni.scenarios.list(null as never)],
    ['a send that is a string', () => client().omni.send('hi' as never)],
    ['a BigInt field', () => client().omni.send({ ...send, bulkId: 1n } as never)],
    ['a null-prototype phone number', () => client().omni.send({ destinations: [{ to: { phoneNumber: Object.create(null) } }], sms: { text: 'Hi' } })],
    ['a scenario key ..', () => client().omni.scenarios.get('..')],
    ['a scenario key %2e%2e', () => client().omni.scenarios.update('%2e%2e', { flow: [] } as never)],
    ['per-call options with timeoutMs 0', () => client().omni.logs(undefined, { timeoutMs: 0 })],
  ])('is a ValidationError with no request: %s', async (_name, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('never follows a 301 to another host: it gets neither the Authorization header nor the body', async () => {
    server.replyAlways({ status: 301, headers: { location: `${other.url}/omni/1/advanced` } });
    const error = await client({ maxRetries: 3 }).omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ status: 301, location: `${other.url}/omni/1/advanced`, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it("refuses the answer of a caller's fetch that follows the redirect anyway", async () => {
    server.replyAlways({ status: 307, headers: { location: `${other.url}/omni/1/advanced` } });
    other.replyAlways({ status: 200, json: { messages: [] } });
    const following = (input: string, init: RequestInit) => fetch(input, { ...init, redirect: 'follow' });
    const error = await client({ fetch: following }).omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
  });
});

describe('a send whose 2xx answer cannot be read', () => {
  it.each([
    ['HTML', { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>OK</html>' }],
    ['an empty body', { status: 200, text: '' }],
    ['half a JSON document', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"messages": [' }],
    ['a body cut off by the server closing the socket', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"messages": [', cutOff: true }],
    ['a body that stalls past the timeout', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"messages": [', stallBody: true }],
  ])('is not resent and says the outcome is unknown: %s', async (_name, reply) => {
    server.replyAlways(reply);
    // Only the stalled body needs the timeout to fire; the rest keep the default, so load cannot turn them into timeouts.
    const error = await client({ maxRetries: 3, ...('stallBody' in reply && { timeoutMs: 1_000 }) }).omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, outcomeUnknown: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('an abort while waiting to retry', () => {
  it('keeps the attempts made by a read', async () => {
    const controller = new AbortController();
    server.replyAlways({ status: 500, headers: { 'retry-after': '30' }, json: () => (setTimeout(() => controller.abort(), 50), {}) });
    const error = await client({ maxRetries: 3 }).omni.logs(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 1, outcomeUnknown: false });
    expect(server.requests).toHaveLength(1);
  });
});
