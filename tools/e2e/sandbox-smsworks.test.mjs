// Every operation of SmsWorksClient against the in-process sandbox: what the client parses, what the
// sandbox recorded (numbers as digits without `+`), schedule/get/cancel, credentials, and the rule
// that a paid send is never repeated once it may have reached the vendor.
import { startSandbox } from '@msgkit/sandbox';
import { AuthenticationError, BadRequestError, NotFoundError, ServerError, SmsWorksClient } from '@msgkit/smsworks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inFuture, rejection, spyFetch, startReceiver } from './sandbox-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

let sandbox;
let receiver;
let client;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  receiver = await startReceiver();
  client = new SmsWorksClient({ token: 'JWT e2e.jwt.token', baseUrl: sandbox.baseUrls.smsworks, timeoutMs: HANG_LIMIT_MS });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});
beforeEach(() => sandbox.reset());

describe('The SMS Works messages through the sandbox', () => {
  it('sends one message to a national UK number, recorded as digits, with its delivery report', async () => {
    const result = await client.messages.send({ sender: 'Shop', destination: '07400 123456', content: 'Your code is 1234', tag: 'otp', deliveryreporturl: `${receiver.url}/dlr` });
    expect(result).toEqual({ messageid: expect.stringMatching(/^\d+$/), status: 'SENT', credits: 9_999, creditsUsed: 1, messageparts: 1 });

    const received = sandbox.received('smsworks');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ operationId: 'sendMessage', method: 'POST', path: '/message/send', messageIds: [result.messageid] });
    // The sandbox masks recorded credentials to their scheme and first two characters.
    expect(received[0].headers.authorization).toBe('JWT e2…');
    expect(received[0].body).toEqual({ sender: 'Shop', destination: '447400123456', content: 'Your code is 1234', tag: 'otp', deliveryreporturl: `${receiver.url}/dlr` });
    expect(sandbox.messages('smsworks').map((m) => [m.id, m.to, m.parts])).toEqual([[result.messageid, '447400123456', 1]]);

    await sandbox.settled();
    expect(receiver.bodies('/dlr')).toEqual([expect.objectContaining({ messageid: result.messageid, destination: 447400123456, status: 'DELIVERED', tag: 'otp' })]);
  });

  it('schedules a message and gets it back as the logged MessageResponse', async () => {
    const at = inFuture(3_600_000);
    const scheduled = await client.messages.schedule({ sender: 'Shop', destination: '+33612345678', content: 'Later', schedule: at });
    expect(scheduled).toEqual([{ messageid: expect.stringMatching(/^\d+$/), status: 'SCHEDULED' }]);
    expect(sandbox.received('smsworks')[0].body).toEqual({ sender: 'Shop', destination: '33612345678', content: 'Later', schedule: at.toISOString() });

    const message = await client.messages.get(scheduled[0].messageid);
    expect(message).toMatchObject({ messageid: scheduled[0].messageid, sender: 'Shop', destination: 33612345678, content: 'Later', status: 'SCHEDULED', tag: '' });
    expect(new Date(message.schedule).getTime()).toBe(at.getTime());
    expect(sandbox.messages('smsworks')[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: at, cost: 2 });
    expect(sandbox.received('smsworks').map((r) => [r.method, r.path])).toEqual([['POST', '/message/schedule'], ['GET', `/messages/${scheduled[0].messageid}`]]);
  });

  it('answers an unknown message id with a NotFoundError in the basic error model', async () => {
    const error = await rejection(client.messages.get('123456789'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorMessage: 'Message not found', vendorCode: undefined, outcomeUnknown: false });
  });
});

describe('The SMS Works batches through the sandbox', () => {
  it('sends one text to a batch, each number once, and gets the batch back', async () => {
    const result = await client.batch.send({ sender: 'Shop', destinations: ['07400 123456', '+447400123456', '+4915128403420'], content: 'Sale today', tag: 'sale' });
    expect(result).toEqual({ batchid: expect.stringMatching(/^\d+$/), status: 'SCHEDULED' });
    expect(sandbox.received('smsworks')[0]).toMatchObject({ operationId: 'sendBatch', path: '/batch/send', body: { destinations: ['447400123456', '4915128403420'] } });
    const stored = sandbox.messages('smsworks');
    expect(stored.map((m) => [m.to, m.groupId, m.cost])).toEqual([['447400123456', result.batchid, 1], ['4915128403420', result.batchid, 2]]);

    const batch = await client.batch.get(result.batchid);
    expect(batch.map((m) => [m.messageid, m.batchid, m.destination, m.content, m.tag])).toEqual([
      [stored[0].id, result.batchid, 447400123456, 'Sale today', 'sale'],
      [stored[1].id, result.batchid, 4915128403420, 'Sale today', 'sale'],
    ]);
  });

  it('sends distinct messages in one batch with sendAny', async () => {
    const result = await client.batch.sendAny([
      { sender: 'Shop', destination: '07400 123456', content: 'Hello Anna' },
      { sender: 'Shop', destination: '+33612345678', content: 'Bonjour Ben', tag: 'fr' },
    ]);
    expect(result.batchid).toMatch(/^\d+$/);
    const [request] = sandbox.received('smsworks');
    expect(request).toMatchObject({ operationId: 'sendAnyBatch', path: '/batch/any' });
    expect(request.body).toEqual([
      { sender: 'Shop', destination: '447400123456', content: 'Hello Anna' },
      { sender: 'Shop', destination: '33612345678', content: 'Bonjour Ben', tag: 'fr' },
    ]);
    expect(sandbox.messages('smsworks').map((m) => [m.to, m.text, m.groupId])).toEqual([['447400123456', 'Hello Anna', result.batchid], ['33612345678', 'Bonjour Ben', result.batchid]]);
  });

  it('schedules a batch, gets it, cancels it, and a second cancel is a BadRequestError NOT_SCHEDULED', async () => {
    const at = inFuture(3_600_000);
    const scheduled = await client.batch.schedule({ sender: 'Shop', destinations: ['+447400123456', '+447400123457'], content: 'Later', schedule: at });
    expect(scheduled).toEqual({ batchid: expect.stringMatching(/^\d+$/), status: 'SCHEDULED' });
    expect(sandbox.received('smsworks')[0].body).toMatchObject({ destinations: ['447400123456', '447400123457'], schedule: at.toISOString() });

    const before = await client.batch.get(scheduled.batchid);
    expect(before.map((m) => m.status)).toEqual(['SCHEDULED', 'SCHEDULED']);
    const cancelled = await client.batch.cancelScheduled(scheduled.batchid);
    expect(cancelled).toEqual({ messageid: scheduled.batchid, status: 'CANCELLED' });
    expect((await client.batch.get(scheduled.batchid)).map((m) => m.status)).toEqual(['CANCELLED', 'CANCELLED']);

    const again = await rejection(client.batch.cancelScheduled(scheduled.batchid));
    expect(again).toBeInstanceOf(BadRequestError);
    expect(again).toMatchObject({ status: 400, vendorType: 'NOT_SCHEDULED', vendorCode: 400 });
    const unknown = await rejection(client.batch.cancelScheduled('9999999'));
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.vendorType).toBe('NOT_FOUND');
    expect(sandbox.received('smsworks').map((r) => r.operationId)).toEqual(['scheduleBatch', 'getBatch', 'cancelScheduledBatch', 'getBatch']);
  });
});

describe('The SMS Works credentials and faults', () => {
  it('refuses a wrong token with an AuthenticationError and records nothing', async () => {
    const wrong = new SmsWorksClient({ token: 'invalid', baseUrl: sandbox.baseUrls.smsworks });
    const error = await rejection(wrong.messages.send({ sender: 'Shop', destination: '+447400123456', content: 'Hi' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, vendorType: 'UNAUTHORIZED' });
    expect(sandbox.received('smsworks')).toEqual([]);
  });

  it.each([
    ['messages.send', '/message/send', (c) => c.messages.send({ sender: 'Shop', destination: '+447400123456', content: 'Hi' })],
    ['batch.send', '/batch/send', (c) => c.batch.send({ sender: 'Shop', destinations: ['+447400123456'], content: 'Hi' })],
    ['batch.schedule', '/batch/schedule', (c) => c.batch.schedule({ sender: 'Shop', destinations: ['+447400123456'], content: 'Hi', schedule: inFuture(3_600_000) })],
  ])('does not repeat %s after a 500 and says its outcome is unknown', async (_name, path, call) => {
    const spy = spyFetch();
    const spied = new SmsWorksClient({ token: 'e2e', baseUrl: sandbox.baseUrls.smsworks, fetch: spy.fetch, timeoutMs: HANG_LIMIT_MS });
    sandbox.faults.add({ vendor: 'smsworks', path, status: 500, headers: { 'retry-after': '0' }, body: { message: 'boom', errorCode: 500, status: 'INTERNAL_SERVER_ERROR' } });
    const error = await rejection(call(spied));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, outcomeUnknown: true, attempts: 1, dedupeKey: undefined });
    expect(spy.calls).toHaveLength(1);
    expect(sandbox.received('smsworks')).toEqual([]);
    expect(sandbox.messages('smsworks')).toEqual([]);
  });

  it('repeats a lookup after a 500, which cannot send anything twice', async () => {
    const { messageid } = await client.messages.send({ sender: 'Shop', destination: '+447400123456', content: 'Hi' });
    sandbox.faults.add({ vendor: 'smsworks', path: `/messages/${messageid}`, status: 500, headers: { 'retry-after': '0' } });
    expect((await client.messages.get(messageid)).messageid).toBe(messageid);
    expect(sandbox.faults.list()).toEqual([]);
  });
});
