import { MissingCredentialsError, ValidationError, batchDedupeKey } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { octopushSender, octopushSenderFacts, octopushSenderFactory } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const batch = ['+33612345671', '+33612345672'];
const message = { text: 'Votre colis arrive', from: 'Shop', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } };
const sender = () => octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });

describe('octopushSender', () => {
  it('reads the wallet balance in euros, and has no estimate: Octopush documents none', async () => {
    expect(await sender().balance!()).toEqual({ amount: 1000, unit: 'EUR' });
    await sender().send(batch, message);
    expect(await sender().balance!()).toEqual({ amount: 999.87, unit: 'EUR' });
    expect(sender().estimate).toBeUndefined();
    expect(sandbox.requests('octopush').map((r) => [r.operationId, r.messages])).toEqual([['getBalance', 0], ['sendSmsCampaign', 2], ['getBalance', 0]]);
  });

  it('has no lookup: Octopush documents no read of what became of a sent campaign', () => {
    expect(octopushSenderFacts.statusLookup).toBe(false);
    expect(sender().statusLookup).toBe(false);
    expect(sender().lookup).toBeUndefined();
  });

  it('sends a batch with the dedupe key as request_id and the type and purpose given', async () => {
    const key = batchDedupeKey('spring', 0);
    const sent = await sender().send(batch, message, { dedupeKey: key });
    expect(sent.ids).toEqual([expect.stringMatching(/^sms_/)]);
    expect(sandbox.received('octopush')[0]!.body).toMatchObject({ request_id: key, type: 'sms_premium', purpose: 'alert', sender: 'Shop' });
    expect(sandbox.messages('octopush').map((m) => m.to)).toEqual(batch);
  });

  it('reads the code 120 the sandbox answers a resend of an accepted batch as a duplicate: the first send stands, nothing is sent twice', async () => {
    const key = batchDedupeKey('spring', 1);
    const first = await sender().send(batch, message, { dedupeKey: key });
    expect(await sender().send(batch, message, { dedupeKey: key })).toEqual({ ids: [], duplicate: true });
    expect(sandbox.messages('octopush').map((m) => m.groupId)).toEqual([first.ids[0], first.ids[0]]);
    expect(sandbox.requests('octopush').map((a) => a.status)).toEqual([200, 400]);
    // Without a key, 120 cannot be about this send: it stays an error.
    sandbox.faults.add({ vendor: 'octopush', status: 400, body: { code: 120, message: 'An SMS with the same request_id has already been sent' } });
    await expect(sender().send(batch, message)).rejects.toMatchObject({ vendorCode: 120 });
  });

  it("reads its client's own retry of a send whose answer was lost, refused by the sandbox with code 120, as sent once, not as a failure", async () => {
    // The sandbox acts, then answers 500: the client retries with the same request_id.
    sandbox.faults.add({ vendor: 'octopush', path: '/sms-campaign/send', after: true, count: 1, status: 500, body: { code: 500, message: 'Impossible to process the requested action' } });
    const retrying = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 1 });
    expect(await retrying.send(batch, message, { dedupeKey: batchDedupeKey('spring', 2) })).toEqual({ ids: [], duplicate: true });
    expect(sandbox.received('octopush')).toHaveLength(1);
    expect(sandbox.messages('octopush').map((m) => m.to)).toEqual(batch);
  });

  it('never assumes the type or the purpose: each missing one is named, before the wire', async () => {
    const issues = sender().validate({ text: 'x', options: { octopush: { type: 'sms_cheap' } } });
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      [['options', 'octopush', 'type'], 'invalid'],
      [['options', 'octopush', 'purpose'], 'required'],
    ]);
    await expect(sender().send(batch, { text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    expect(sandbox.received()).toEqual([]);
  });

  it("validates the sender and the text with Octopush's rules", () => {
    expect(sender().validate({ ...message, from: 'S', text: '' }).map((i) => [i.path, i.vendorCode])).toEqual([
      [['text'], 107],
      [['from'], 106],
    ]);
  });

  it('fails over every refusal in its table, met over the wire, and nothing else', async () => {
    for (const rule of octopushSenderFacts.refusals) {
      const code = 'vendorCode' in rule ? rule.vendorCode : rule.status;
      sandbox.faults.add({ vendor: 'octopush', status: 'status' in rule ? rule.status : 400, body: { code, message: `code ${code}` } });
      const failure = await sender().send(batch, message, { dedupeKey: batchDedupeKey('refusals', code) }).catch((e: unknown) => e);
      expect(sender().classify(failure), String(code)).toMatchObject({ failover: true, class: rule.class });
    }
    for (const body of [{ code: 121, message: 'Mention STOP is missing.' }, { code: 153, message: 'Route congested' }]) {
      sandbox.faults.add({ vendor: 'octopush', status: 400, body });
      expect(sender().classify(await sender().send(batch, message).catch((e: unknown) => e))).toMatchObject({ failover: false, outcome: { status: 'refused' } });
    }
    expect(sandbox.messages()).toEqual([]);
  });
});

describe('octopushSenderFactory', () => {
  it('names every missing credential variable at once', () => {
    expect(() => octopushSenderFactory.fromEnv({})).toThrow(MissingCredentialsError);
    expect(() => octopushSenderFactory.fromEnv({ OCTOPUSH_API_KEY: 'k' })).toThrow('octopush needs OCTOPUSH_API_LOGIN in the environment');
    expect(() => octopushSenderFactory.fromEnv({})).toThrow('octopush needs OCTOPUSH_API_LOGIN and OCTOPUSH_API_KEY in the environment');
  });
});
