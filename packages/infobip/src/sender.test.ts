import { MissingCredentialsError, batchDedupeKey } from '@msgkit/core';
import { recipientMessageId } from '@msgkit/core/internal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { infobipSender, infobipSenderFactory } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.reset();
  await fetch(`${sandbox.baseUrls.infobip}/omni/1/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'App sandbox-key' },
    body: JSON.stringify({ name: 'SMS', flow: [{ from: 'InfoSMS', channel: 'SMS' }], default: true }),
  });
});

const batch = ['+4915128403420', '+4915128403421'];
const message = { text: 'Ihr Paket kommt' };
const sender = () => infobipSender({ apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 });
const status = (id: number, name: string) => ({ groupId: 5, groupName: 'REJECTED', id, name, description: name });

describe('infobipSender', () => {
  it('reads the account balance and its currency, and has no estimate: Infobip documents none for OMNI', async () => {
    expect(await sender().balance!()).toEqual({ amount: 1000, unit: 'EUR' });
    await sender().send(['+447400000001'], { text: 'Hi' });
    expect(await sender().balance!()).toEqual({ amount: 999.99, unit: 'EUR' });
    expect(sender().estimate).toBeUndefined();
    expect(sandbox.requests('infobip').slice(-3).map((r) => [r.operationId, r.messages])).toEqual([['getAccountBalance', 0], ['sendOmniAdvanced', 1], ['getAccountBalance', 0]]);
  });

  it('sets bulkId and every messageId from the dedupe key, so a lost answer can be looked up', async () => {
    const key = batchDedupeKey('spring', 0);
    const sent = await sender().send(batch, message, { dedupeKey: key, callbackUrl: 'https://example.com/dlr', reference: 'spring#0' });
    expect(sent.ids).toEqual([key]);
    expect(sent.messages).toEqual(batch.map((to) => ({ to, id: recipientMessageId(key, to) })));
    expect(sandbox.received('infobip').at(-1)!.body).toMatchObject({ bulkId: key, notifyUrl: 'https://example.com/dlr', callbackData: 'spring#0' });
    expect(sandbox.messages('infobip').map((m) => m.id)).toEqual(batch.map((to) => recipientMessageId(key, to)));
  });

  it('refuses a message that names a sender unless options.infobip.from says the scenario sends it', () => {
    expect(sender().validate({ ...message, from: 'Shop' })).toEqual([expect.objectContaining({ path: ['from'], code: 'sender_in_scenario' })]);
    expect(sender().validate({ ...message, from: 'Shop', options: { infobip: { from: 'scenario' } } })).toEqual([]);
    expect(sender().validate({ text: '' }, { reference: 'x'.repeat(4001) }).map((i) => i.path)).toEqual([['text'], ['reference']]);
  });

  it('moves the destinations Infobip rejected for route, number or credit, keeps blocked ones, and reads a duplicate id as sent', async () => {
    const to = ['+4915128403420', '+4915128403421', '+4915128403422', '+4915128403423'];
    const key = batchDedupeKey('spring', 2);
    const answer = (i: number, s: object) => ({ to: { phoneNumber: to[i]!.slice(1) }, status: s, messageId: recipientMessageId(key, to[i]!) });
    sandbox.faults.add({
      vendor: 'infobip',
      status: 200,
      body: {
        bulkId: key,
        messages: [answer(0, status(19, 'REJECTED_ROUTE_NOT_AVAILABLE')), answer(1, status(10, 'REJECTED_DND')), answer(2, status(23, 'REJECTED_DUPLICATE_MESSAGE_ID')), answer(3, status(87, 'SIGNALS_BLOCKED'))],
      },
    });
    const sent = await sender().send(to, message, { dedupeKey: key });
    expect(sent.refused).toEqual([
      { to: to[0], failover: true, class: 'no_route', code: 'REJECTED_ROUTE_NOT_AVAILABLE', reason: 'REJECTED_ROUTE_NOT_AVAILABLE' },
      { to: to[1], failover: false, code: 'REJECTED_DND', reason: 'REJECTED_DND' },
      { to: to[3], failover: false, code: 'SIGNALS_BLOCKED', reason: 'SIGNALS_BLOCKED' },
    ]);
    expect(sent.messages).toEqual([{ to: to[2], id: recipientMessageId(key, to[2]!) }]);
  });

  it('fails over a 401 and a 403 met over the wire, and not an unknown outcome', async () => {
    const bad = infobipSender({ apiKey: 'invalid', baseUrl: sandbox.baseUrls.infobip });
    expect(bad.classify(await bad.send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: true, class: 'authentication' });
    sandbox.faults.add({ vendor: 'infobip', status: 403, body: { requestError: { serviceException: { messageId: 'FORBIDDEN', text: 'Forbidden' } } } });
    expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: true, class: 'authentication' });
    sandbox.faults.add({ vendor: 'infobip', after: true, status: 500, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'Something went wrong' } } } });
    expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: false, outcome: { status: 'unknown' } });
  });
});

describe('infobipSenderFactory', () => {
  it('names the key and the host when both are missing, and takes the host from the option', async () => {
    expect(() => infobipSenderFactory.fromEnv({})).toThrow(MissingCredentialsError);
    expect(() => infobipSenderFactory.fromEnv({})).toThrow('infobip needs INFOBIP_API_KEY and INFOBIP_BASE_URL in the environment');
    const fromEnv = infobipSenderFactory.fromEnv({ INFOBIP_API_KEY: 'sandbox-key' }, { baseUrl: sandbox.baseUrls.infobip });
    await fromEnv.send(batch, message);
    expect(sandbox.messages('infobip')).toHaveLength(2);
  });
});
