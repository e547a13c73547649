import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, startReceiver, type Receiver } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
let receiver: Receiver;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 5 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  receiver.bodies.length = 0;
});

const message = { sender: 'YourCompany', destination: '447777777777', content: 'Your super awesome message' };
const later = () => new Date(Date.now() + 3_600_000).toISOString();

describe('The SMS Works sandbox', () => {
  it('sends a message: 201 with an 18-digit messageid, credits used from the segment count', async () => {
    const res = await call(sandbox, 'smsworks', 'POST', '/message/send', message);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.body).toEqual({ messageid: expect.stringMatching(/^\d{18}$/), status: 'SENT', credits: expect.any(Number), creditsUsed: 1, messageparts: 1 });
    const long = await call(sandbox, 'smsworks', 'POST', '/message/send', { ...message, content: 'x'.repeat(161) });
    expect(long.body).toMatchObject({ creditsUsed: 2, messageparts: 2 });
    expect(sandbox.received('smsworks').map((r) => r.operationId)).toEqual(['sendMessage', 'sendMessage']);
  });

  it('looks a message up by id, and answers 404 {message} for an unknown one', async () => {
    const sent = await call(sandbox, 'smsworks', 'POST', '/message/send', { ...message, tag: 'campaign2' });
    const got = await call(sandbox, 'smsworks', 'GET', `/messages/${sent.body.messageid}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ messageid: sent.body.messageid, destination: 447777777777, sender: 'YourCompany', content: message.content, tag: 'campaign2', customerid: expect.any(String) });
    expect(got.body.created).toMatch(/GMT/);
    const missing = await call(sandbox, 'smsworks', 'GET', '/messages/123');
    expect(missing).toMatchObject({ status: 404, body: { message: 'Message not found' } });
  });

  it('sends a batch and an any-batch with 7-digit batch ids, readable with getBatch', async () => {
    const batch = await call(sandbox, 'smsworks', 'POST', '/batch/send', { sender: 'YourCompany', destinations: ['447777777777', '447777777778'], content: 'Hi all' });
    expect(batch.status).toBe(201);
    expect(batch.body).toEqual({ batchid: expect.stringMatching(/^\d{7}$/), status: 'SCHEDULED' });
    const any = await call(sandbox, 'smsworks', 'POST', '/batch/any', [
      { sender: 'YourCompany', destination: '447777777777', content: 'Hello Anna' },
      { sender: 'Other', destination: '33612345678', content: 'Hello Ben' },
    ]);
    expect(any.status).toBe(201);
    const list = await call(sandbox, 'smsworks', 'GET', `/batch/${any.body.batchid}`);
    expect(list.body).toHaveLength(2);
    expect(list.body[1]).toMatchObject({ batchid: any.body.batchid, sender: 'Other', content: 'Hello Ben', destination: 33612345678 });
    expect((await call(sandbox, 'smsworks', 'GET', '/batch/0000000')).status).toBe(404);
    expect(sandbox.messages('smsworks')).toHaveLength(4);
  });

  it('schedules a message (200 + array) and a batch, and cancels the batch until it is due', async () => {
    const one = await call(sandbox, 'smsworks', 'POST', '/message/schedule', { ...message, schedule: later() });
    expect(one.status).toBe(200);
    expect(one.body).toEqual([{ messageid: expect.stringMatching(/^\d{18}$/), status: 'SCHEDULED' }]);
    const batch = await call(sandbox, 'smsworks', 'POST', '/batch/schedule', { sender: 'YourCompany', destinations: ['447777777777'], content: 'Later', schedule: later() });
    expect(batch).toMatchObject({ status: 201, body: { status: 'SCHEDULED' } });
    const cancelled = await call(sandbox, 'smsworks', 'DELETE', `/batches/schedule/${batch.body.batchid}`);
    expect(cancelled).toMatchObject({ status: 200, body: { messageid: batch.body.batchid, status: 'CANCELLED' } });
    const again = await call(sandbox, 'smsworks', 'DELETE', `/batches/schedule/${batch.body.batchid}`);
    expect(again).toMatchObject({ status: 400, body: { errorCode: 400, status: 'NOT_SCHEDULED', message: expect.any(String) } });
    const unknown = await call(sandbox, 'smsworks', 'DELETE', '/batches/schedule/1234567');
    expect(unknown).toMatchObject({ status: 404, body: { errorCode: 404, status: 'NOT_FOUND' } });
    const sent = await call(sandbox, 'smsworks', 'POST', '/batch/send', { sender: 'YourCompany', destinations: ['447777777777'], content: 'Now' });
    expect((await call(sandbox, 'smsworks', 'DELETE', `/batches/schedule/${sent.body.batchid}`)).body.status).toBe('NOT_SCHEDULED');
  });

  it('rejects a schedule that is missing or not a date', async () => {
    expect((await call(sandbox, 'smsworks', 'POST', '/message/schedule', message)).status).toBe(400);
    expect((await call(sandbox, 'smsworks', 'POST', '/batch/schedule', { sender: 'A', destinations: ['447777777777'], content: 'x', schedule: 'soon' })).body.message).toMatch(/not a date/);
  });

  it('answers a request against the spec with 400 and the ExtendedErrorModel, recording nothing', async () => {
    const res = await call(sandbox, 'smsworks', 'POST', '/message/send', { sender: 'Your Company!', destination: '447777777777', content: 'x'.repeat(1281), validity: 0 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringMatching(/sender.*content.*validity/s), errorCode: 400, status: 'BAD_REQUEST', permanent: true });
    const big = await call(sandbox, 'smsworks', 'POST', '/batch/send', { sender: 'A', destinations: Array.from({ length: 5001 }, () => '447777777777'), content: 'x' });
    expect(big.status).toBe(400);
    expect(sandbox.received()).toHaveLength(0);
  });

  it('answers 401 without a JWT, with a Bearer token or with the token "invalid"', async () => {
    for (const headers of [{}, { authorization: 'Bearer abc' }, { authorization: 'JWT invalid' }]) {
      const res = await call(sandbox, 'smsworks', 'POST', '/message/send', message, headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ errorCode: 401, status: 'UNAUTHORIZED' });
    }
    const lookup = await call(sandbox, 'smsworks', 'GET', '/messages/1', undefined, {});
    expect(lookup).toMatchObject({ status: 401, body: { message: expect.any(String) } });
    expect(lookup.body.errorCode).toBeUndefined();
    expect((await call(sandbox, 'smsworks', 'POST', '/message/send', message, { authorization: 'bare.jwt.token' })).status).toBe(201);
  });

  it('posts a MessageResponse-shaped delivery report to deliveryreporturl', async () => {
    const sent = await call(sandbox, 'smsworks', 'POST', '/message/send', { ...message, deliveryreporturl: receiver.url });
    const [report] = await receiver.waitFor(1);
    expect(report).toMatchObject({ messageid: sent.body.messageid, status: 'DELIVERED', destination: 447777777777, deliveryreporturl: receiver.url });
    expect((await call(sandbox, 'smsworks', 'GET', `/messages/${sent.body.messageid}`)).body.status).toBe('DELIVERED');
  });
});
