// What reaches the wire and what comes back around it: options and inputs of the wrong type are
// refused before any request, redirects are never followed, and a send whose answer is lost says
// so and hands back its idempotencyId.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
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

const client = (extra: object = {}) => new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url, ...extra });
const send = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('client options', () => {
  it.each([
    ['maxRetries NaN', { maxRetries: Number.NaN }, 'maxRetries'],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }, 'maxRetries'],
    ['maxRetries -1', { maxRetries: -1 }, 'maxRetries'],
    ['timeoutMs 2^31', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['timeoutMs 0', { timeoutMs: 0 }, 'timeoutMs'],
    ['a baseUrl that is not a string', { baseUrl: 5 }, 'baseUrl'],
    ['a defaultCountry that is not a string', { defaultCountry: 5 }, 'defaultCountry'],
    ['a fetch that is not a function', { fetch: 'fetch' }, 'fetch'],
  ])('refuses %s at construction', (_name, extra, path) => {
    const error = thrown(() => client(extra));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: [path] })]);
  });

  it('refuses an apiKey or accessToken that is not a string', () => {
    expect(thrown(() => new SmscxClient({ apiKey: 5 as never }))).toBeInstanceOf(ValidationError);
    expect(thrown(() => new SmscxClient({ accessToken: {} as never }))).toBeInstanceOf(ValidationError);
  });
});

describe('input of the wrong type', () => {
  it.each([
    ['null', () => client().sms.send(null as never)],
    ['a string', () => client().sms.send('hi' as never)],
    ['a BigInt field', () => client().sms.send({ ...send, ttl: 10n } as never)],
    ['a null-prototype recipient', () => client().sms.send({ ...send, to: [Object.create(null)] })],
    ['per-call options with NaN retries', () => client().sms.estimate(send, { maxRetries: Number.NaN })],
    ['per-call options null', () => client().sms.estimate(send, null as never)],
    ['a path id ..', () => client().sms.deleteScheduled('..')],
    ['a path id that is not a string', () => client().multichannel.deleteScheduledCampaign(5 as never)],
  ])('is a ValidationError with no request: %s', async (_name, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('names each recipient that is not a string at its own place in `to`', async () => {
    const error = (await client().sms.send({ ...send, to: ['+31612345678', 31612345679 as never, null as never] }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.filter((issue) => issue.code === 'invalid_type').map((issue) => issue.path)).toEqual([['to', 1], ['to', 2]]);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts a null-prototype request object like an ordinary one', async () => {
    server.reply({ json: { info: { campaignId: 'c' }, data: [] } });
    await client().sms.send(Object.assign(Object.create(null) as object, send) as typeof send);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).toMatchObject({ to: ['+31612345678'], text: 'Hi' });
  });
});

describe('redirects', () => {
  it('never follows a 307 to another host: it gets neither the X-API-KEY nor the body', async () => {
    server.replyAlways({ status: 307, headers: { location: `${other.url}/sms?key=k-123456` } });
    const error = await client({ maxRetries: 3 }).sms.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ code: 'redirect', status: 307, location: `${other.url}/sms`, attempts: 1 });
    expect(String(error)).not.toContain('k-123456');
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it("refuses the answer of a caller's fetch that follows a 302 anyway", async () => {
    server.replyAlways({ status: 302, headers: { location: `${other.url}/sms` } });
    const following = (input: string, init: RequestInit) => fetch(input, { ...init, redirect: 'follow' });
    const error = await client({ fetch: following }).sms.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect((error as RedirectError).dedupeKey).toBe((server.requests[0]!.body as { idempotencyId: string }).idempotencyId);
  });
});

describe('a paid send whose 2xx answer cannot be read', () => {
  it.each([
    ['HTML', { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>OK</html>' }],
    ['an empty body', { status: 200, text: '' }],
    ['half a JSON document', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"info": {"campaignId": "c"' }],
    ['a body cut off by the server closing the socket', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"info": {"campaignId": "c"', cutOff: true }],
    ['a body that stalls past the timeout', { status: 200, headers: { 'content-type': 'application/json' }, text: '{"info": {"campaignId": "c"', stallBody: true }],
  ])('is not resent and says the outcome is unknown, with its idempotencyId: %s', async (_name, reply) => {
    server.replyAlways(reply);
    // Only the stalled body needs the timeout to fire; the rest keep the default, so load cannot turn them into timeouts.
    const error = await client({ maxRetries: 3, ...('stallBody' in reply && { timeoutMs: 1_000 }) }).sms.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const key = (server.requests[0]!.body as { idempotencyId: string }).idempotencyId;
    expect(error).toMatchObject({ status: 200, outcomeUnknown: true, attempts: 1, dedupeKey: key });
    expect(server.requests).toHaveLength(1);
  });
});

describe('an abort while waiting to retry', () => {
  it('keeps the idempotencyId, the attempts and the unknown outcome', async () => {
    const controller = new AbortController();
    server.replyAlways({ status: 500, headers: { 'retry-after': '30' }, json: () => (setTimeout(() => controller.abort(), 50), { error: { type: 'server_error', code: 0, message: 'x' } }) });
    const error = await client({ maxRetries: 3 }).sms.send(send, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    const key = (server.requests[0]!.body as { idempotencyId: string }).idempotencyId;
    expect(error).toMatchObject({ dedupeKey: key, attempts: 1, outcomeUnknown: true });
    expect(server.requests).toHaveLength(1);
  });
});
