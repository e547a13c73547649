import { startRecorder, type Recorder, type Reply } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OctopushClient } from './client';
import type { RequestOptions } from './index';
import { BadRequestError, ConnectionError, RateLimitError, ServerError, TimeoutError } from './errors';

let server: Recorder;
let client: OctopushClient;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  client = new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: server.url });
});

const serverError: Reply = { status: 500, json: { code: 500, message: 'Impossible to process the requested action' } };
const smsOk: Reply = { json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } };
const sendMultichannel = () => client.multichannel.send({ channel: 'sms', text: 'Your code is 1234', recipients: [{ phoneNumber: '+33611223344' }], metadata: { type: 'sms_premium' } });
const sendSms = (options?: RequestOptions) => client.sms.send({ text: 'Your code is 1234', recipients: [{ phoneNumber: '+33611223344' }], type: 'sms_premium', purpose: 'alert' }, options);
const multichannelIds = () => server.requests.map((r) => (r.body as { metadata: { request_id: string } }).metadata.request_id);
const smsIds = () => server.requests.map((r) => (r.body as { request_id: string }).request_id);

describe('retries of deduplicated sends', () => {
  it('retries a multi-channel send after 500, 500 with the same metadata.request_id (3 requests, one id)', async () => {
    server.reply(serverError, serverError, smsOk);
    const result = await sendMultichannel();
    expect(server.requests).toHaveLength(3);
    const ids = multichannelIds();
    expect(new Set(ids).size).toBe(1);
    expect(result.requestId).toBe(ids[0]);
    expect(server.requests.map((r) => r.text)).toEqual(Array(3).fill(server.requests[0]!.text));
  });

  it('retries an SMS campaign after a 429 and a dropped connection with the same top-level request_id', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '0' }, json: { code: 429, message: 'Too many requests' } }, { drop: true }, smsOk);
    const result = await sendSms();
    expect(server.requests).toHaveLength(3);
    expect(new Set(smsIds()).size).toBe(1);
    expect(result).toMatchObject({ smsTicket: 'sms_5f3fbce61266e' });
  });

  it('retries after two dropped connections and succeeds on the third attempt', async () => {
    server.reply({ drop: true }, { drop: true }, smsOk);
    await sendMultichannel();
    expect(server.requests).toHaveLength(3);
    expect(new Set(multichannelIds()).size).toBe(1);
  });

  it('gives up after maxRetries with the last ServerError and the attempt count', async () => {
    server.replyAlways({ ...serverError, headers: { 'retry-after': '0' } });
    const error = await sendMultichannel().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: 500, attempts: 3 });
    expect(new Set(multichannelIds()).size).toBe(1);
  });

  it('retries a timed-out send with the same request_id and then reports the timeout', async () => {
    server.replyAlways({ stall: true });
    const error = await sendSms({ timeoutMs: 100, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 2, timeoutMs: 100 });
    expect(await server.received(2)).toHaveLength(2);
    expect(new Set(smsIds()).size).toBe(1);
  });

  it('says so when a retry meets the duplicate request_id code 120: the earlier attempt was accepted', async () => {
    server.reply({ ...serverError, headers: { 'retry-after': '0' } }, { status: 400, json: { code: 120, message: 'An SMS with the same request_id has already been sent' } });
    const error = await sendMultichannel().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, vendorCode: 120, outcomeUnknown: true, attempts: 2 });
    expect(String(error)).toContain('an earlier attempt of this call was accepted');
    expect(server.requests).toHaveLength(2);
  });

  it('reports code 120 on a first attempt as the plain vendor error', async () => {
    server.reply({ status: 400, json: { code: 120, message: 'An SMS with the same request_id has already been sent' } });
    const error = await client.sms.send({ text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], type: 'sms_premium', purpose: 'alert', requestId: 'order-1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ vendorCode: 120, outcomeUnknown: false, attempts: 1 });
  });

  it('hands a long rate-limit wait to the caller instead of sleeping through it', async () => {
    server.reply({ status: 429, headers: { 'retry-after': '3600' }, json: { code: 429, message: 'Too many requests' } });
    const error = await sendSms().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a deduplicated send that keeps failing', () => {
  it('says the outcome is unknown and hands back the request_id so a resend cannot bill twice', async () => {
    server.replyAlways({ ...serverError, headers: { 'retry-after': '0' } });
    const error = await sendSms({ maxRetries: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(3);
    expect(error).toMatchObject({ outcomeUnknown: true, attempts: 3, dedupeKey: smsIds()[0] });
  });
});

describe('retries of cancels and balance', () => {
  it('retries a cancel after a 500 (a repeated cancel cannot cancel twice)', async () => {
    server.reply({ ...serverError, headers: { 'retry-after': '0' } }, { status: 204 });
    await client.sms.cancel({ ticketNumber: 'sms_5fec89fe97109' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.body)).toEqual([{ ticket_number: 'sms_5fec89fe97109' }, { ticket_number: 'sms_5fec89fe97109' }]);
  });

  it('retries the balance after a dropped connection', async () => {
    server.reply({ drop: true }, { json: { amount: 12.54, unit: 'euros' } });
    await expect(client.wallet.balance()).resolves.toEqual({ amount: 12.54, unit: 'euros' });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a ConnectionError once the retries are used up', async () => {
    server.replyAlways({ drop: true });
    const error = await client.multichannel.cancel({ channel: 'sms', ticketNumber: 'sms_1' }, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ attempts: 2, outcomeUnknown: false });
  });
});
