import { MissingCredentialsError } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smsworksSender, smsworksSenderFacts, smsworksSenderFactory } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const batch = ['+447400000001', '+447400000002'];
const message = { text: 'Sale today', from: 'Shop' };
const sender = () => smsworksSender({ token: 'sandbox.jwt.token', baseUrl: sandbox.baseUrls.smsworks });

describe('smsworksSender', () => {
  it('reads the credits left, moved by a send, and has no estimate: The SMS Works documents none', async () => {
    expect(await sender().balance!()).toEqual({ amount: 10000, unit: 'credits' });
    await sender().send(['+447400000001'], { text: 'Hi', from: 'Shop' });
    expect(await sender().balance!()).toEqual({ amount: 9999, unit: 'credits' });
    expect(sender().estimate).toBeUndefined();
    expect(sandbox.requests('smsworks').map((r) => [r.operationId, r.messages])).toEqual([['getCredits', 0], ['sendBatch', 1], ['getCredits', 0]]);
  });

  it('sends a batch with the callback URL and the tag as reference, and says it cannot deduplicate', async () => {
    const sent = await sender().send(batch, message, { dedupeKey: 'ignored-by-the-vendor', callbackUrl: 'https://example.com/dlr', reference: 'spring#0' });
    expect(sent.ids).toHaveLength(1);
    expect(sandbox.received('smsworks')[0]!.body).toMatchObject({ destinations: ['447400000001', '447400000002'], deliveryreporturl: 'https://example.com/dlr', tag: 'spring#0' });
    expect(sandbox.messages('smsworks').map((m) => m.groupId)).toEqual([sent.ids[0], sent.ids[0]]);
    expect(smsworksSenderFacts.dedupe).toBe(false);
  });

  it("validates the message with The SMS Works' rules, naming each field of the message", () => {
    expect(sender().validate({ text: 'x'.repeat(1281), from: 'ShopTooLong12' }, { reference: 't'.repeat(281) }).map((i) => i.path)).toEqual([['from'], ['text'], ['reference']]);
  });

  it('fails over a 401 and a 402 met over the wire, and nothing else', async () => {
    const bad = smsworksSender({ token: 'invalid', baseUrl: sandbox.baseUrls.smsworks });
    expect(bad.classify(await bad.send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: true, class: 'authentication' });
    sandbox.faults.add({ vendor: 'smsworks', status: 402, body: { message: 'Insufficient credits', errorCode: 402, status: 'PAYMENT_REQUIRED', permanent: false } });
    expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: true, class: 'insufficient_credit' });
    sandbox.faults.add({ vendor: 'smsworks', status: 400, body: { message: 'Bad request', errorCode: 400, status: 'BAD_REQUEST' } });
    expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: false, outcome: { status: 'refused' } });
    sandbox.faults.add({ vendor: 'smsworks', after: true, drop: true });
    expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: false, outcome: { status: 'unknown' } });
    expect(sandbox.messages('smsworks').map((m) => m.to)).toEqual(['447400000001', '447400000002']);
  });
});

describe('smsworksSenderFactory', () => {
  it('names SMSWORKS_TOKEN when it is missing, and creates a working sender when it is set', async () => {
    expect(() => smsworksSenderFactory.fromEnv({})).toThrow(MissingCredentialsError);
    expect(() => smsworksSenderFactory.fromEnv({})).toThrow('smsworks needs SMSWORKS_TOKEN in the environment');
    await smsworksSenderFactory.fromEnv({ SMSWORKS_TOKEN: 'JWT sandbox.jwt.token' }, { baseUrl: sandbox.baseUrls.smsworks }).send(batch, message);
    expect(sandbox.messages('smsworks')).toHaveLength(2);
  });
});
