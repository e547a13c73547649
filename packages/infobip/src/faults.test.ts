// Infobip has no deduplication key for sends: a repeated POST /omni/1/advanced is sent and billed
// again. These tests prove that a send is never repeated once it may have reached Infobip, that
// the error then says the outcome is unknown, and that everything safe to repeat is repeated.
import { createServer } from 'node:net';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, InfobipClient, OmniChannel, RateLimitError, ServerError, TimeoutError } from './index';

let server: Recorder;
let client: InfobipClient;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  client = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 2 });
});

const send = { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Your code is 1234' } };
const sent = { messages: [{ to: { phoneNumber: '41793026727' }, status: { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE' }, messageId: 'm-1' }] };
const generalError = { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'Something went wrong. Please contact support.' } } };
const scenario = { key: 'K', flow: [{ channel: 'SMS' }], default: false };

describe('a send, which Infobip does not deduplicate', () => {
  it('is sent once on a 500, and the ServerError says the outcome is unknown', async () => {
    server.reply({ status: 500, json: generalError }, { json: sent });
    const error = await client.omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1, vendorCode: 'GENERAL_ERROR' });
    expect((error as Error).message).toMatch(/outcome is unknown/i);
    expect(server.requests).toHaveLength(1);
  });

  it('is sent once when the connection drops, and the ConnectionError says the outcome is unknown', async () => {
    server.reply({ drop: true }, { drop: true }, { json: sent });
    const error = await client.omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect((error as Error).message).toMatch(/outcome is unknown/i);
    expect(server.requests).toHaveLength(1);
  });

  it('is sent once when Infobip does not answer in time', async () => {
    server.reply({ stall: true }, { json: sent });
    const error = await client.omni.send(send, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(await server.received(1)).toHaveLength(1);
  });

  it('is sent once on a 429, which Infobip does not document for sends, and the RateLimitError says the outcome is unknown', async () => {
    const tooMany = { requestError: { serviceException: { messageId: 'TOO_MANY_REQUESTS', text: 'Too many requests' } } };
    server.reply({ status: 429, headers: { 'retry-after': '0' }, json: tooMany }, { json: sent });
    const error = await client.omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1, retryAfterMs: 0, vendorCode: 'TOO_MANY_REQUESTS' });
    expect(server.requests).toHaveLength(1);
  });

  it('is retried when the connection was refused, since nothing reached Infobip', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const offline = new InfobipClient({ apiKey: 'k', baseUrl: `http://127.0.0.1:${closed}`, maxRetries: 1 });
    const error = await offline.omni.send(send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: false, attempts: 2 });
  });
});

describe('reads and the scenario PUT, which are safe to repeat', () => {
  it('retries a scenario list through two 500s and succeeds on the third attempt', async () => {
    server.reply({ status: 500, json: generalError }, { status: 503, text: 'unavailable' }, { json: { scenarios: [scenario] } });
    const result = await client.omni.scenarios.list();
    expect(result.scenarios).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a report read after a dropped connection', async () => {
    server.reply({ drop: true }, { json: { results: [] } });
    await expect(client.omni.reports({ limit: 10 })).resolves.toEqual({ results: [] });
    expect(server.requests.map((r) => r.query.limit)).toEqual(['10', '10']);
  });

  it('retries logs and a scenario get on 429 with Retry-After', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '0' } }, { json: { results: [] } }, { status: 429, headers: { 'retry-after': '0' } }, { json: scenario });
    await client.omni.logs();
    await client.omni.scenarios.get('K');
    expect(server.requests.map((r) => r.path)).toEqual(['/omni/1/logs', '/omni/1/logs', '/omni/1/scenarios/K', '/omni/1/scenarios/K']);
  });

  it('retries a scenario update (PUT replaces the whole scenario) after a 500', async () => {
    server.reply({ status: 500, json: generalError }, { json: scenario });
    await client.omni.scenarios.update('K', { flow: [{ channel: OmniChannel.SMS }] });
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(server.requests[1]!.text).toBe(server.requests[0]!.text);
  });

  it('gives up after maxRetries with the last ServerError, which is not outcome-unknown for a read', async () => {
    server.replyAlways({ status: 500, json: generalError });
    const error = await client.omni.reports(undefined, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, attempts: 2, outcomeUnknown: false });
    expect(server.requests).toHaveLength(2);
  });
});

describe('a scenario create, which would make a second scenario if repeated', () => {
  const tooMany = { requestError: { serviceException: { messageId: 'TOO_MANY_REQUESTS', text: 'Too many requests' } } };

  it('is sent once on a 429, which may come after Infobip created it, and the RateLimitError says the outcome is unknown', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '0' }, json: tooMany }, { status: 201, json: scenario });
    const error = await client.omni.scenarios.create({ flow: [{ channel: OmniChannel.SMS }] }, { maxRetries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1, retryAfterMs: 0 });
    expect(server.requests).toHaveLength(1);
  });

  it('is not retried after a 500 or a dropped connection', async () => {
    server.reply({ status: 500, json: generalError }, { drop: true }, { status: 201, json: scenario });
    const first = await client.omni.scenarios.create({ flow: [{ channel: OmniChannel.SMS }] }).catch((e: unknown) => e);
    const second = await client.omni.scenarios.create({ flow: [{ channel: OmniChannel.SMS }] }).catch((e: unknown) => e);
    expect(first).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(second).toBeInstanceOf(ConnectionError);
    expect(second).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(server.requests).toHaveLength(2);
  });
});
