// Around the wire: options and inputs of the wrong type are refused before any request, redirects
// are never followed (nor another host's `200 {}` taken for a send), and a paid send whose answer
// is lost says the outcome is unknown.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsWorksClient } from './client';
import { AbortError, ApiError, RedirectError, ValidationError } from './errors';

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

const client = (extra: object = {}) => new SmsWorksClient({ token: 'test-token-123', baseUrl: server.url, ...extra });
const message = { sender: 'YourCompany', destination: '447777777777', content: 'Hello' };

describe('client options', () => {
  it.each([
    ['maxRetries NaN', { maxRetries: Number.NaN }, 'maxRetries'],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }, 'maxRetries'],
    ['maxRetries -1', { maxRetries: -1 }, 'maxRetries'],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['timeoutMs -5', { timeoutMs: -5 }, 'timeoutMs'],
    ['a baseUrl that is not a string', { baseUrl: 5 }, 'baseUrl'],
    ['a defaultCountry that is not a string', { defaultCountry: 44 }, 'defaultCountry'],
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
    ['null', () => client().messages.send(null as never)],
    ['a BigInt field', () => client().messages.send({ ...message, validity: 10n } as never)],
    ['a BigInt inside sendAny', () => client().batch.sendAny([message, { ...message, tag: 1n } as never])],
    ['a batch that is a number', () => client().batch.send(5 as never)],
    ['per-call options with timeoutMs 2^31', () => client().messages.get('1', { timeoutMs: 2 ** 31 })],
    ['an id ..', () => client().batch.get('..')],
    ['an id .', () => client().messages.get('.')],
    ['an id a/b', () => client().batch.cancelScheduled('a/b')],
    ['an id %2e%2e', () => client().messages.get('%2e%2e')],
    ['an id that is a number', () => client().messages.get(5 as never)],
  ])('is a ValidationError with no request: %s', async (_name, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('reports a BigInt in sendAny at its index', async () => {
    const error = (await client().batch.sendAny([message, { ...message, tag: 1n } as never]).catch((e: unknown) => e)) as ValidationError;
    expect(error.issues).toEqual([expect.objectContaining({ path: [1, 'tag'], code: 'invalid_type' })]);
  });
});

describe('redirects', () => {
  it('never follows a 302 to another host: it gets neither the Authorization header nor the body', async () => {
    server.replyAlways({ status: 302, headers: { location: `${other.url}/v1/message/send` } });
    const error = await client({ maxRetries: 3 }).messages.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ status: 302, location: `${other.url}/v1/message/send`, attempts: 1, outcomeUnknown: true });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it("does not take another host's 200 {} for a send when the caller's fetch followed the redirect", async () => {
    server.replyAlways({ status: 307, headers: { location: `${other.url}/v1/message/send` } });
    other.replyAlways({ status: 200, json: {} });
    const following = (input: string, init: RequestInit) => fetch(input, { ...init, redirect: 'follow' });
    const error = await client({ fetch: following }).messages.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
  });
});

describe('a paid send whose 2xx answer cannot be read', () => {
  it.each([
    ['HTML', { status: 201, headers: { 'content-type': 'text/html' }, text: '<html>Created</html>' }],
    ['an empty body', { status: 201, text: '' }],
    ['half a JSON document', { status: 201, headers: { 'content-type': 'application/json' }, text: '{"messageid": "1' }],
    ['a body cut off by the server closing the socket', { status: 201, headers: { 'content-type': 'application/json' }, text: '{"messageid": "1', cutOff: true }],
    ['a body that stalls past the timeout', { status: 201, headers: { 'content-type': 'application/json' }, text: '{"messageid": "1', stallBody: true }],
  ])('is not resent and says the outcome is unknown: %s', async (_name, reply) => {
    server.replyAlways(reply);
    // Only the stalled body needs the timeout to fire; the rest keep the default, so load cannot turn them into timeouts.
    const error = await client({ maxRetries: 3, ...('stallBody' in reply && { timeoutMs: 1_000 }) }).messages.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 201, outcomeUnknown: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('an abort while waiting to retry', () => {
  it('keeps the attempts made by a lookup', async () => {
    const controller = new AbortController();
    server.replyAlways({ status: 500, headers: { 'retry-after': '30' }, json: () => (setTimeout(() => controller.abort(), 50), { message: 'boom' }) });
    const error = await client({ maxRetries: 3 }).messages.get('1', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ attempts: 1, outcomeUnknown: false });
    expect(server.requests).toHaveLength(1);
  });
});
