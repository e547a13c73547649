import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsWorksClient } from './client';
import { ConnectionError, MsgkitError, RateLimitError, ServerError, TimeoutError } from './errors';

let server: Recorder;
let client: SmsWorksClient;

beforeAll(async () => {
  server = await startRecorder();
  // Generous retries: a paid send must still go out once.
  client = new SmsWorksClient({ token: 'test-token', baseUrl: server.url, maxRetries: 5 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const FUTURE = '2099-10-28T13:10:00.000Z';
const message = { sender: 'YourCompany', destination: '447777777777', content: 'Hello' };
const batch = { sender: 'YourCompany', destinations: ['447777777777', '447777777778'], content: 'Hello' };
const serverError = { status: 500, json: { message: 'Internal error', errorCode: 500, status: 'INTERNAL_SERVER_ERROR' } };

// Every paid operation: none has a deduplication key, so none may reach the vendor twice.
const paidSends: Array<[string, () => Promise<unknown>, unknown]> = [
  ['messages.send', () => client.messages.send(message), { messageid: '1', status: 'SENT', credits: 1, creditsUsed: 1 }],
  ['messages.schedule', () => client.messages.schedule({ ...message, schedule: FUTURE }), [{ messageid: '1', status: 'SCHEDULED' }]],
  ['batch.send', () => client.batch.send(batch), { batchid: '1', status: 'SCHEDULED' }],
  ['batch.sendAny', () => client.batch.sendAny([message, { ...message, destination: '447777777778' }]), { batchid: '1', status: 'SCHEDULED' }],
  ['batch.schedule', () => client.batch.schedule({ ...batch, schedule: FUTURE }), { batchid: '1', status: 'SCHEDULED' }],
];

async function rejection(promise: Promise<unknown>): Promise<MsgkitError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(MsgkitError);
  return error as MsgkitError;
}

describe.each(paidSends)('%s (paid, no deduplication key)', (_name, send, success) => {
  it('is sent once on a 500 and the error says the outcome is unknown', async () => {
    server.reply(serverError);
    server.replyAlways({ status: 201, json: success });
    const error = await rejection(send());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, outcomeUnknown: true, attempts: 1 });
    expect(error.message).toMatch(/outcome is unknown/i);
    expect(server.requests).toHaveLength(1);
  });

  it('is sent once when the connection drops and the error says the outcome is unknown', async () => {
    server.reply({ drop: true });
    server.replyAlways({ status: 201, json: success });
    const error = await rejection(send());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(error.message).toMatch(/outcome is unknown/i);
    expect(server.requests).toHaveLength(1);
  });

  it('is sent once on a 429, which the vendor does not document as a refusal, and the error says the outcome is unknown', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '0' }, json: { message: 'Too many requests' } });
    server.replyAlways({ status: 201, json: success });
    const error = await rejection(send());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, outcomeUnknown: true, attempts: 1, retryAfterMs: 0 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('timeouts and rate limits', () => {
  it('does not resend a paid send that timed out, and says the outcome is unknown', async () => {
    server.reply({ stall: true });
    const error = await rejection(client.messages.send(message, { timeoutMs: 150 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(await server.received(1)).toHaveLength(1);
  });

  it('retries a lookup on 429 until the retries run out, without claiming an unknown outcome', async () => {
    server.replyAlways({ status: 429, headers: { 'retry-after': '0' }, json: { message: 'Too many requests' } });
    const error = await rejection(client.messages.get('1', { maxRetries: 2 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, outcomeUnknown: false, attempts: 3, retryAfterMs: 0 });
    expect(server.requests).toHaveLength(3);
  });

  it('honours an HTTP-date Retry-After on 429 for a lookup', async () => {
    server.reply({ status: 429, headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } });
    server.replyAlways({ status: 200, json: [] });
    await expect(client.batch.get('1')).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('hands a long Retry-After to the caller instead of waiting', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '120' }, json: { message: 'Slow down' } });
    const error = await rejection(client.messages.get('1'));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1, outcomeUnknown: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe('idempotent operations', () => {
  const found = { messageid: '1', customerid: 'c', sender: 'S', destination: 447777777777, content: 'x', status: 'SENT', tag: '', schedule: '', created: '', modified: '' };

  it('retries messages.get after 500s and returns the answer', async () => {
    server.reply({ ...serverError, headers: { 'retry-after': '0' } }, { ...serverError, headers: { 'retry-after': '0' } });
    server.replyAlways({ status: 200, json: found });
    await expect(client.messages.get('1')).resolves.toMatchObject({ messageid: '1' });
    expect(server.requests.map((r) => r.path)).toEqual(['/messages/1', '/messages/1', '/messages/1']);
  });

  it('retries batch.get after the connection dropped twice', async () => {
    server.reply({ drop: true }, { drop: true });
    server.replyAlways({ status: 200, json: [found] });
    await expect(client.batch.get('7')).resolves.toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('retries batch.cancelScheduled after a dropped connection', async () => {
    server.reply({ drop: true });
    server.replyAlways({ status: 200, json: { messageid: '7', status: 'CANCELLED' } });
    await expect(client.batch.cancelScheduled('7')).resolves.toEqual({ messageid: '7', status: 'CANCELLED' });
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('gives up after maxRetries and reports the attempts, without claiming an unknown outcome', async () => {
    server.replyAlways({ ...serverError, headers: { 'retry-after': '0' } });
    const error = await rejection(client.messages.get('1', { maxRetries: 1 }));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ attempts: 2, outcomeUnknown: false });
    expect(server.requests).toHaveLength(2);
  });
});
