import { MissingCredentialsError, ValidationError, batchDedupeKey } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
import { smscxSender, smscxSenderFacts, smscxSenderFactory } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const batch = ['+447400000001', '+447400000002', '+447400000003'];
const message = { text: 'Your order has shipped', from: 'Shop' };
const sender = () => smscxSender(new SmscxClient({ apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 }));
const error = (type: string, code: number) => ({ error: { type, code, message: `${type} ${code}`, uri: 'https://sms.cx/sms-api-documentation/#section/Errors' } });

describe('smscxSender', () => {
  it("reads the balance and SMS.CX's own free estimate of a batch, sending and billing nothing", async () => {
    const s = sender();
    expect(await s.balance!()).toEqual({ amount: 100000, unit: 'EUR', billing: 'prepaid' });
    const long = { ...message, text: 'x'.repeat(161) };
    const estimate = await s.estimate!([...batch, '+31612345678'], long);
    expect(estimate.recipients.map((r) => [r.to, r.parts, r.cost, r.country])).toEqual([
      ['+447400000001', 2, 0.136, 'GB'],
      ['+447400000002', 2, 0.136, 'GB'],
      ['+447400000003', 2, 0.136, 'GB'],
      ['+31612345678', 2, 0.148, 'NL'],
    ]);
    expect(estimate.total).toBe(0.556);
    await expect(s.estimate!(batch, { text: '' })).rejects.toBeInstanceOf(ValidationError);
    expect(sandbox.received()).toEqual([]);
    expect(sandbox.messages()).toEqual([]);
    expect(sandbox.requests().map((r) => [r.operationId, r.messages])).toEqual([['getAccountBalance', 0], ['estimateSms', 0]]);
    expect(await s.balance!()).toEqual({ amount: 100000, unit: 'EUR', billing: 'prepaid' });
  });

  it('sends a batch with the dedupe key as idempotencyId, and a resend with the key sends nothing twice', async () => {
    const key = batchDedupeKey('spring', 0);
    const first = await sender().send(batch, message, { dedupeKey: key });
    const again = await sender().send(batch, message, { dedupeKey: key });
    expect(again.ids).toEqual(first.ids);
    expect(first.messages?.map((m) => m.to)).toEqual(batch);
    expect(sandbox.received('smscx').map((r) => (r.body as { idempotencyId?: string }).idempotencyId)).toEqual([key]);
    expect(sandbox.messages('smscx').map((m) => m.to)).toEqual(batch);
    expect(first.messages?.map((m) => m.id)).toEqual(sandbox.messages('smscx').map((m) => m.id));
  });

  it('sends the callback URL and the reference the vendor echoes back', async () => {
    const reference = batchDedupeKey('spring', 1);
    await sender().send(batch.slice(0, 1), message, { callbackUrl: 'https://example.com/dlr', reference });
    expect(sandbox.received('smscx')[0]!.body).toMatchObject({ dlrCallbackUrl: 'https://example.com/dlr', trackData: reference });
  });

  it("validates the message with SMS.CX's own rules, without the network", () => {
    const issues = sender().validate({ text: '', options: { smscx: { type: 'x' } } }, { callbackUrl: 'not a url', reference: 'order-17' });
    expect(issues.map((i) => [i.path, i.vendorCode])).toEqual([
      [['options', 'smscx', 'type'], undefined],
      [['from'], 1105],
      [['text'], 1107],
      [['callbackUrl'], 1109],
      [['reference'], undefined],
    ]);
    expect(sandbox.received()).toEqual([]);
  });

  it('refuses to send a message its rules refuse, or a dedupe key that is not a UUID, before the wire', async () => {
    await expect(sender().send(batch, { text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(sender().send(batch, message, { dedupeKey: 'batch-7' })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['dedupeKey'], code: 'uuid_invalid' })] });
    expect(sandbox.received()).toEqual([]);
  });

  it('fails over every refusal in its table, met over the wire, and the vendor kept nothing', async () => {
    for (const rule of smscxSenderFacts.refusals) {
      const status = 'status' in rule ? rule.status : rule.class === 'no_route' ? 403 : 400;
      const type = 'vendorType' in rule ? rule.vendorType : { authentication: 'invalid_api_key', no_route: 'no_coverage', insufficient_credit: 'insufficient_credit', invalid_number: 'invalid_param' }[rule.class];
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', status, body: error(type, 'vendorCode' in rule ? rule.vendorCode : 0) });
      const failure = await sender().send(batch, message, { dedupeKey: batchDedupeKey('refusals', status) }).catch((e: unknown) => e);
      expect(sender().classify(failure), `${status} ${type}`).toMatchObject({ failover: true, class: rule.class });
    }
    expect(sandbox.messages()).toEqual([]);
  });

  it("fails over the sandbox's own 401 for a bad key", async () => {
    const bad = smscxSender({ apiKey: 'invalid', baseUrl: sandbox.baseUrls.smscx });
    const failure = await bad.send(batch, message).catch((e: unknown) => e);
    expect(bad.classify(failure)).toMatchObject({ failover: true, class: 'authentication', outcome: { status: 'refused' } });
  });

  it('never fails over a 5xx, a 429 or an unreadable answer after SMS.CX acted, nor a refusal outside its table', async () => {
    sandbox.faults.add({ vendor: 'smscx', after: true, status: 500, body: error('server_error', 0) });
    sandbox.faults.add({ vendor: 'smscx', after: true, status: 429, body: error('rate_limit', 0) });
    sandbox.faults.add({ vendor: 'smscx', after: true, status: 200, body: '<html>' });
    sandbox.faults.add({ vendor: 'smscx', status: 400, body: error('invalid_param', 1106) });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(sender().classify(await sender().send([batch[i % 3]!], message, { dedupeKey: batchDedupeKey('faults', i) }).catch((e: unknown) => e)));
    expect(decisions.map((d) => [d.failover, d.outcome.status])).toEqual([
      [false, 'unknown'],
      [false, 'unknown'],
      [false, 'unknown'],
      [false, 'refused'],
    ]);
  });

  it('hands back the numbers SMS.CX refused on their own: no coverage moves on, an opt-out does not', async () => {
    const data = (to: string, status: string) => ({ msgId: crypto.randomUUID(), status, statusCode: 0, errorCode: null, createdAt: '2030-01-01T00:00:00Z', inQuietHours: false, cost: 0, to, countryIso: 'GB', from: 'Shop', parts: 1 });
    sandbox.faults.add({
      vendor: 'smscx',
      status: 200,
      body: { info: { campaignId: crypto.randomUUID(), totalPhoneNumbers: 3, totalParts: 0, totalCost: 0, currency: 'EUR', scheduled: false }, data: [data(batch[0]!, 'ACCEPTED'), data(batch[1]!, 'NO COVERAGE'), data(batch[2]!, 'REJECTED')] },
    });
    const sent = await sender().send(batch, message);
    expect(sent.messages?.map((m) => m.to)).toEqual([batch[0]]);
    expect(sent.refused).toEqual([
      { to: batch[1], failover: true, class: 'no_route', code: 'NO COVERAGE' },
      { to: batch[2], failover: false, code: 'REJECTED' },
    ]);
  });
});

describe('smscxSenderFactory', () => {
  it('names the credential variables it needs when none is set', () => {
    const failure = (() => {
      try {
        smscxSenderFactory.fromEnv({ SMSCX_API_KEY: '' });
      } catch (e) {
        return e;
      }
    })();
    expect(failure).toBeInstanceOf(MissingCredentialsError);
    expect(failure).toMatchObject({ sender: 'smscx', missing: [['SMSCX_API_KEY', 'SMSCX_ACCESS_TOKEN']] });
  });

  it('creates a sender from the environment that sends to the given base URL', async () => {
    const fromEnv = smscxSenderFactory.fromEnv({ SMSCX_ACCESS_TOKEN: 'sandbox-token' }, { baseUrl: sandbox.baseUrls.smscx });
    await fromEnv.send(batch, message);
    expect(sandbox.received('smscx')[0]!.headers.authorization).toMatch(/^Bearer /);
    expect(smscxSenderFactory).toMatchObject({ name: 'smscx', maxRecipients: 25_000, dedupe: { field: 'idempotencyId' } });
  });
});
