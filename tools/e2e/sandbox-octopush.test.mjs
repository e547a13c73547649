// Every operation of OctopushClient against the in-process sandbox: what the client parses, what the
// sandbox recorded (snake_case bodies, E.164 numbers, request_id), scheduled cancels, the wallet,
// credentials, and sends retried safely under one request_id.
import { startSandbox } from '@msgkit/sandbox';
import { AuthenticationError, BadRequestError, OctopushClient } from '@msgkit/octopush';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UUID, inFuture, rejection, spyFetch, startReceiver } from './sandbox-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

let sandbox;
let receiver;
let client;
beforeAll(async () => {
  receiver = await startReceiver();
  // Octopush has no per-request callback: reports go to the back-office URL.
  sandbox = await startSandbox({ port: 0, webhooks: { octopush: `${receiver.url}/octopush` } });
  client = new OctopushClient({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.octopush, timeoutMs: HANG_LIMIT_MS });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});
beforeEach(() => sandbox.reset());

const START_BALANCE = 1000;

describe('Octopush SMS campaigns through the sandbox', () => {
  it('sends to national and international numbers in E.164 under a generated request_id, with delivery reports', async () => {
    const result = await client.sms.send({
      text: 'Soldes -20% STOP au 30101',
      recipients: [{ phoneNumber: '06 12 34 56 78' }, { phoneNumber: '+447400123456' }],
      sender: 'Shop',
      type: 'sms_premium',
      purpose: 'wholesale',
    });
    expect(result).toEqual({ smsTicket: expect.stringMatching(/^sms_[0-9a-f]{13}$/), numberOfContacts: 2, numberOfSmsNeeded: 2, totalCost: 0.13, residualCredit: START_BALANCE - 0.13 });
    expect(result.requestId).toMatch(UUID);

    const received = sandbox.received('octopush');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ operationId: 'sendSmsCampaign', method: 'POST', path: '/sms-campaign/send' });
    // The sandbox masks recorded credentials to their first two characters.
    expect(received[0].headers).toMatchObject({ 'api-login': 'e2…', 'api-key': 'e2…' });
    expect(received[0].body).toEqual({
      text: 'Soldes -20% STOP au 30101',
      recipients: [{ phone_number: '+33612345678' }, { phone_number: '+447400123456' }],
      sender: 'Shop',
      type: 'sms_premium',
      purpose: 'wholesale',
      request_id: result.requestId,
    });
    const messages = sandbox.messages('octopush');
    expect(messages.map((m) => [m.to, m.groupId, m.parts])).toEqual([['+33612345678', result.smsTicket, 1], ['+447400123456', result.smsTicket, 1]]);

    await sandbox.settled();
    expect(messages.map((m) => m.status)).toEqual(['DELIVERED', 'DELIVERED']);
    const reports = receiver.bodies('/octopush');
    expect(reports.map((r) => r.number).sort()).toEqual(['+33612345678', '+447400123456']);
    expect(reports[0]).toMatchObject({ channel: 'sms', status: 'DELIVERED', unit_price: 0.065 });
  });

  it('cancels a scheduled SMS campaign and refunds it; a second cancel is a BadRequestError 132', async () => {
    const sendAt = inFuture(3_600_000);
    const sent = await client.sms.send({ text: 'Rappel', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_low_cost', purpose: 'alert', sendAt });
    expect(sent).toMatchObject({ numberOfContacts: 1, totalCost: 0.045 });
    // A Date goes out as the same instant in the PHP client's DateTime::ATOM form, in UTC.
    expect(sandbox.received('octopush')[0].body.send_at).toBe(sendAt.toISOString().replace(/(\.000)?Z$/, '+00:00'));
    expect(sandbox.messages('octopush')[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: sendAt });

    const cancelled = await client.sms.cancel({ ticketNumber: sent.smsTicket });
    // A cancel has no body to return; like every call it hands the answer's status on result.response.
    expect(Object.keys(cancelled)).toEqual([]);
    expect(cancelled.response).toMatchObject({ status: 204, attempts: 1 });
    expect(sandbox.messages('octopush')[0].status).toBe('CANCELLED');
    expect(sandbox.received('octopush')[1]).toMatchObject({ operationId: 'cancelSmsCampaign', method: 'DELETE', body: { ticket_number: sent.smsTicket } });
    expect((await client.wallet.balance()).amount).toBe(START_BALANCE);

    const again = await rejection(client.sms.cancel({ ticketNumber: sent.smsTicket }));
    expect(again).toBeInstanceOf(BadRequestError);
    expect(again).toMatchObject({ status: 400, vendorCode: 132 });
    const unknown = await rejection(client.sms.cancel({ ticketNumber: 'sms_000000000000f' }));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown.vendorCode).toBe(131);
  });
});

describe('Octopush multi-channel through the sandbox', () => {
  it('sends an SMS with the request_id in metadata and answers the sms ticket', async () => {
    const result = await client.multichannel.send({ channel: 'sms', text: 'Votre code: 1234', recipients: [{ phoneNumber: '+4915128403420' }], sender: 'Shop', metadata: { type: 'sms_premium' } });
    expect(result).toEqual({ smsTicket: expect.stringMatching(/^sms_/), numberOfContacts: 1, numberOfSmsNeeded: 1, totalCost: 0.065, residualCredit: START_BALANCE - 0.065, message: '******' });
    const [request] = sandbox.received('octopush');
    expect(request).toMatchObject({ operationId: 'sendMultichannel', path: '/multi-channel/send' });
    expect(request.body).toEqual({ channel: 'sms', text: 'Votre code: 1234', recipients: [{ phone_number: '+4915128403420' }], sender: 'Shop', metadata: { type: 'sms_premium', request_id: result.requestId } });
    expect(sandbox.messages('octopush').map((m) => [m.to, m.channel, m.groupId])).toEqual([['+4915128403420', 'sms', result.smsTicket]]);
  });

  it('sends an e-mail and answers its ticket number', async () => {
    const result = await client.multichannel.send({ channel: 'email', text: 'Bonjour', recipients: [{ email: 'ana@example.com' }], metadata: { emailFrom: 'shop@example.com', nameFrom: 'Shop', subject: 'Commande' } });
    expect(result).toEqual({ ticketNumber: expect.stringMatching(/^email_/), numberOfContacts: 1, totalCost: 0.002, residualCredit: START_BALANCE - 0.002 });
    expect(sandbox.received('octopush')[0].body.metadata).toEqual({ email_from: 'shop@example.com', name_from: 'Shop', subject: 'Commande', request_id: result.requestId });
    expect(sandbox.messages('octopush').map((m) => [m.to, m.channel])).toEqual([['ana@example.com', 'email']]);
  });

  it('cancels a scheduled voice campaign once; a second cancel is a BadRequestError 132', async () => {
    const sent = await client.multichannel.send({ channel: 'voice_sms', text: 'Votre rendez-vous est demain', recipients: [{ phoneNumber: '06 12 34 56 78' }], sendAt: inFuture(3_600_000), metadata: { voiceGender: 'female', voiceLanguage: 'fr-FR' } });
    expect(sent).toMatchObject({ ticketNumber: expect.stringMatching(/^voice_/), numberOfContacts: 1, totalCost: 0.05, estimatedDuration: expect.any(Number) });
    expect(sandbox.received('octopush')[0].body.metadata).toMatchObject({ type: 'voice_sms', voice_gender: 'female', voice_language: 'fr-FR' });

    await client.multichannel.cancel({ channel: 'voice_sms', ticketNumber: sent.ticketNumber });
    expect(sandbox.messages('octopush')[0].status).toBe('CANCELLED');
    expect(sandbox.received('octopush')[1]).toMatchObject({ operationId: 'cancelMultichannel', method: 'DELETE', body: { channel: 'voice_sms', ticket_number: sent.ticketNumber } });
    const again = await rejection(client.multichannel.cancel({ channel: 'voice_sms', ticketNumber: sent.ticketNumber }));
    expect(again).toBeInstanceOf(BadRequestError);
    expect(again.vendorCode).toBe(132);
  });
});

describe('What Octopush\'s own SDK and examples send, through the client and the sandbox', () => {
  it('sends send_at as +0100 and as a zone-less Central European time exactly as written, scheduled at the instant Octopush documents', async () => {
    const year = new Date().getUTCFullYear() + 1;
    await client.sms.send({ text: 'Rappel', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_low_cost', purpose: 'alert', sendAt: `${year}-01-01T00:01:00+0100` });
    await client.sms.send({ text: 'Rappel', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_low_cost', purpose: 'alert', sendAt: `${year}-07-01 00:01:00` });
    expect(sandbox.received('octopush').map((r) => r.body.send_at)).toEqual([`${year}-01-01T00:01:00+0100`, `${year}-07-01 00:01:00`]);
    expect(sandbox.messages('octopush').map((m) => m.scheduledAt.toISOString())).toEqual([`${year - 1}-12-31T23:01:00.000Z`, `${year}-06-30T22:01:00.000Z`]);
  });

  it('sends an sms without metadata.type, an e-mail without name_from, and an empty request_id as a generated one', async () => {
    const sms = await client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33612345678' }], metadata: { requestId: '' } });
    expect(sms.requestId).toMatch(UUID);
    const email = await client.multichannel.send({ channel: 'email', text: 'Bonjour', recipients: [{ email: 'ana@example.com' }], metadata: { emailFrom: 'shop@example.com', subject: 'Commande' } });
    expect(sandbox.received('octopush').map((r) => r.body.metadata)).toEqual([{ request_id: sms.requestId }, { email_from: 'shop@example.com', subject: 'Commande', request_id: email.requestId }]);
  });

  it('asks for the wallet packs with with_details=1, as the PHP client does', async () => {
    const units = await client.wallet.balance({ withDetails: 1, countryCode: 'LU', productName: 'sms_low_cost' });
    expect(units.walletPacks).toHaveLength(1);
    expect(sandbox.received('octopush')[0].query).toEqual({ with_details: '1', country_code: 'LU', product_name: 'sms_low_cost' });
  });
});

describe('Octopush wallet through the sandbox', () => {
  it('answers the balance in euros, and in units of a product with the wallet packs', async () => {
    expect(await client.wallet.balance()).toEqual({ amount: START_BALANCE, unit: 'euros' });
    await client.sms.send({ text: 'Hi', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_premium', purpose: 'alert' });
    expect((await client.wallet.balance()).amount).toBeCloseTo(START_BALANCE - 0.065, 6);

    const units = await client.wallet.balance({ withDetails: true, countryCode: 'fr', productName: 'sms_premium' });
    expect(units).toMatchObject({ amount: Math.floor((START_BALANCE - 0.065) / 0.065), unit: 'sms_premium' });
    expect(units.walletPacks).toEqual([{ walletPackId: expect.stringMatching(UUID), credit: START_BALANCE - 0.065, expirationDate: expect.any(Date) }]);
    const reads = sandbox.received('octopush').filter((r) => r.operationId === 'getBalance');
    expect(reads.map((r) => r.query)).toEqual([{}, {}, { with_details: 'true', country_code: 'FR', product_name: 'sms_premium' }]);
  });
});

describe('Octopush credentials, deduplication and faults', () => {
  it('refuses a wrong API key with an AuthenticationError and records nothing', async () => {
    const wrong = new OctopushClient({ apiLogin: 'e2e@example.com', apiKey: 'invalid', baseUrl: sandbox.baseUrls.octopush });
    const error = await rejection(wrong.sms.send({ text: 'Hi', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_premium', purpose: 'alert' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, vendorCode: 401 });
    expect(sandbox.received('octopush')).toEqual([]);
  });

  it('refuses a repeated request_id as Octopush does, code 120 and no ticket, and the first send, recorded once, stands', async () => {
    const request = { text: 'Once', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_premium', purpose: 'alert', requestId: 'order-4711' };
    const first = await client.sms.send(request);
    expect(first.smsTicket).toMatch(/^sms_/);
    const second = await client.sms.send(request).catch((e) => e);
    // A first attempt of this call: 120 is the vendor's plain answer (the earlier send was another call).
    expect(second).toBeInstanceOf(BadRequestError);
    expect(second).toMatchObject({ status: 400, vendorCode: 120, vendorMessage: 'An SMS with the same request_id has already been sent', outcomeUnknown: false });
    expect(sandbox.received('octopush')).toHaveLength(1);
    expect(sandbox.messages('octopush')).toHaveLength(1);
  });

  it.each([
    ['sms.send', '/sms-campaign/send', (c) => c.sms.send({ text: 'Retried', recipients: [{ phoneNumber: '+33612345678' }], type: 'sms_premium', purpose: 'alert' }), (body) => body.request_id],
    ['multichannel.send', '/multi-channel/send', (c) => c.multichannel.send({ channel: 'sms', text: 'Retried', recipients: [{ phoneNumber: '+33612345678' }], metadata: { type: 'sms_premium' } }), (body) => body.metadata.request_id],
  ])('retries %s after a 500 with the same request_id, and the sandbox records it once', async (_name, path, call, requestIdOf) => {
    const spy = spyFetch();
    const retrying = new OctopushClient({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.octopush, fetch: spy.fetch, timeoutMs: HANG_LIMIT_MS });
    sandbox.faults.add({ vendor: 'octopush', path, status: 500, headers: { 'retry-after': '0' }, body: { code: 500, message: 'Internal error.' } });
    const result = await call(retrying);

    expect(spy.calls.map((c) => c.path)).toEqual([`/octopush/v1/public${path}`, `/octopush/v1/public${path}`]);
    expect(spy.calls[1].body).toEqual(spy.calls[0].body);
    expect(requestIdOf(spy.calls[0].body)).toBe(result.requestId);
    const received = sandbox.received('octopush');
    expect(received).toHaveLength(1);
    expect(requestIdOf(received[0].body)).toBe(result.requestId);
    expect(sandbox.messages('octopush')).toHaveLength(1);
  });
});
