// Every operation of SmscxClient against the in-process sandbox: what the client parses, what the
// sandbox recorded, the scheduled-delete lifecycle, credentials and the retry rule for paid sends.
import { SMSCX_GROUPS, startSandbox } from '@msgkit/sandbox';
import { AuthenticationError, NotFoundError, PermissionDeniedError, ServerError, SmscxClient } from '@msgkit/smscx';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UUID, inFuture, rejection, spyFetch, startReceiver } from './sandbox-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

let sandbox;
let receiver;
let client;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  receiver = await startReceiver();
  client = new SmscxClient({ apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.smscx, timeoutMs: HANG_LIMIT_MS });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});
beforeEach(() => sandbox.reset());

/** SMS.CX's own date form, in UTC. */
const smscxDate = (date) => date.toISOString().slice(0, 19).replace('T', ' ');
const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'Your order has shipped.' }];
const groupNumbers = (...ids) => [...new Set(ids.flatMap((id) => SMSCX_GROUPS.find((g) => g.id === id).phoneNumbers))];

describe('SMS.CX sms through the sandbox', () => {
  it('sends to national and international numbers, records them in E.164 and posts their delivery reports', async () => {
    const trackData = crypto.randomUUID();
    const result = await client.sms.send({ from: 'Shop', to: ['07400 123456', '+33 6 12 34 56 78', '+4915128403420'], countryIso: 'GB', text: 'Your code is 1234', dlrCallbackUrl: `${receiver.url}/sms`, trackData });

    expect(result.info).toMatchObject({ totalPhoneNumbers: 3, totalValid: 3, totalInvalid: 0, totalParts: 3, scheduled: false, phoneNumbersByCountry: { GB: 1, FR: 1, DE: 1 } });
    expect(result.info.totalCost).toBeCloseTo(0.068 + 0.072 + 0.071, 6);
    expect(result.data.map((m) => m.to)).toEqual(['+447400123456', '+33612345678', '+4915128403420']);
    expect(result.data[0]).toMatchObject({ status: 'ACCEPTED', statusCode: 1, countryIso: 'GB', from: 'Shop', parts: 1, trackData });
    expect(result.data[0].createdAt).toBeInstanceOf(Date);
    expect(result.requestId).toEqual(expect.any(String));

    const [request] = sandbox.received('smscx');
    expect(sandbox.received('smscx')).toHaveLength(1);
    expect(request).toMatchObject({ operationId: 'sendSms', method: 'POST', path: '/sms' });
    // The sandbox masks recorded credentials to their first two characters.
    expect(request.headers['x-api-key']).toBe('e2…');
    expect(request.body.to).toEqual(['+447400123456', '+33612345678', '+4915128403420']);
    expect(request.body.idempotencyId).toMatch(UUID);
    const messages = sandbox.messages('smscx');
    expect(messages.map((m) => m.id)).toEqual(result.data.map((m) => m.msgId));
    expect(new Set(messages.map((m) => m.groupId))).toEqual(new Set([result.info.campaignId]));

    await sandbox.settled();
    const reports = receiver.bodies('/sms').flatMap((b) => b.data);
    expect(reports.map((r) => r.msgId).sort()).toEqual(result.data.map((m) => m.msgId).sort());
    expect(reports[0]).toMatchObject({ campaignId: result.info.campaignId, status: 'DELIVERED', statusCode: 3, trackData });
  });

  it('estimates a send with the same answer and records nothing', async () => {
    const result = await client.sms.estimate({ from: 'Shop', to: ['+447400123456', '+33612345678'], text: 'x'.repeat(200) });
    expect(result.info).toMatchObject({ totalValid: 2, totalParts: 4, scheduled: false });
    expect(result.info.totalCost).toBeCloseTo(2 * (0.068 + 0.072), 6);
    expect(result.data[0].textAnalysis).toEqual({ length: 200, unicode: false, parts: 2 });
    expect(sandbox.received('smscx')).toEqual([]);
    expect(sandbox.messages('smscx')).toEqual([]);
  });

  it('sends a campaign to every contact of the canned groups once', async () => {
    const result = await client.sms.sendCampaign({ from: 'Shop', groups: [1, 3], text: 'Summer sale' });
    const expected = groupNumbers(1, 3);
    expect(result.info).toMatchObject({ totalPhoneNumbers: 6, totalValid: 5, duplicatesRemoved: 1, phoneNumbersByCountry: { NL: 3, GB: 2 } });
    expect(result.info.groups).toEqual([{ id: 1, name: 'Customers NL', phoneNumbers: 3 }, { id: 3, name: 'Customers GB', phoneNumbers: 3 }]);
    expect(result.data.map((m) => m.to)).toEqual(expected);
    expect(sandbox.received('smscx').map((r) => [r.operationId, r.body.groups])).toEqual([['sendSmsCampaign', [1, 3]]]);
    expect(sandbox.messages('smscx').map((m) => m.to)).toEqual(expected);
  });

  it('estimates a campaign without recording it', async () => {
    const result = await client.sms.estimateCampaign({ from: 'Shop', groups: [2], text: 'Hallo' });
    expect(result.info).toMatchObject({ totalValid: 2, duplicatesRemoved: 0, phoneNumbersByCountry: { DE: 2 } });
    expect(result.info.totalCost).toBeCloseTo(2 * 0.071, 6);
    expect(sandbox.received('smscx')).toEqual([]);
  });

  it('takes a Date scheduledDate, sends the documented UTC string, and the sandbox schedules that second', async () => {
    const due = new Date(Math.floor(inFuture(3_600_000).getTime() / 1000) * 1000);
    const sent = await client.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Later', scheduledDate: due });
    expect(sandbox.received('smscx')[0].body.scheduledDate).toBe(smscxDate(due));
    expect(sent.data[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: due });
  });

  it('deletes a scheduled SMS once, refunding it, and a second delete is a NotFoundError 1100', async () => {
    const due = inFuture(3_600_000);
    const sent = await client.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Later', scheduledDate: smscxDate(due), isUtc: true });
    expect(sent.info.scheduled).toBe(true);
    expect(sent.data[0]).toMatchObject({ status: 'SCHEDULED', statusCode: 0, scheduledAt: due });
    const { msgId, cost } = sent.data[0];
    expect(sandbox.messages('smscx')[0]).toMatchObject({ id: msgId, status: 'SCHEDULED', scheduledAt: due });

    const deleted = await client.sms.deleteScheduled(msgId.toUpperCase());
    expect(deleted.info).toEqual({ msgId, parts: 1, creditReturned: cost, channel: 'sms' });
    expect(sandbox.messages('smscx')[0].status).toBe('DELETED');
    expect(sandbox.received('smscx').map((r) => [r.method, r.path])).toEqual([['POST', '/sms'], ['DELETE', `/sms/scheduled/${msgId}`]]);

    const again = await rejection(client.sms.deleteScheduled(msgId));
    expect(again).toBeInstanceOf(NotFoundError);
    expect(again).toMatchObject({ status: 404, vendorCode: 1100, vendorType: 'not_found' });
    expect(sandbox.received('smscx')).toHaveLength(2);
  });

  it('deletes a scheduled campaign once, and deleting it again is refused with 1118', async () => {
    const sent = await client.sms.sendCampaign({ from: 'Shop', groups: [2], text: 'Later', scheduledDate: smscxDate(inFuture(3_600_000)) });
    const deleted = await client.sms.deleteScheduledCampaign(sent.info.campaignId);
    expect(deleted.info).toEqual({ campaignId: sent.info.campaignId, totalPhoneNumbers: 2, totalParts: 2, phoneNumbersDeleted: 2, partsDeleted: 2, creditReturned: sent.info.totalCost, channel: 'sms' });
    expect(sandbox.messages('smscx').map((m) => m.status)).toEqual(['DELETED', 'DELETED']);

    const again = await rejection(client.sms.deleteScheduledCampaign(sent.info.campaignId));
    expect(again).toBeInstanceOf(PermissionDeniedError);
    expect(again).toMatchObject({ status: 403, vendorCode: 1118, vendorType: 'access_denied' });
    const unknown = await rejection(client.sms.deleteScheduledCampaign(crypto.randomUUID()));
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown.vendorCode).toBe(1150);
  });
});

describe('SMS.CX multichannel through the sandbox', () => {
  it('sends and estimates with the first channel of the strategy at the multichannel price', async () => {
    const request = { from: 'Shop', to: ['+447400123456', '+33612345678'], strategy, ttl: 3600 };
    const estimate = await client.multichannel.estimate(request);
    expect(sandbox.received('smscx')).toEqual([]);
    const result = await client.multichannel.send(request);
    for (const answer of [estimate, result]) {
      expect(answer.info).toMatchObject({ totalValid: 2, totalParts: 2, totalCost: 0.1 });
      expect(answer.data.map((m) => [m.to, m.channel, m.cost, m.text])).toEqual([
        ['+447400123456', 'viber', 0.05, 'Your order has shipped.'],
        ['+33612345678', 'viber', 0.05, 'Your order has shipped.'],
      ]);
    }
    const [request0] = sandbox.received('smscx');
    expect(request0).toMatchObject({ operationId: 'sendMultichannel', path: '/multichannel', body: { strategy, ttl: 3600, idempotencyId: expect.stringMatching(UUID) } });
    expect(sandbox.messages('smscx').map((m) => [m.id, m.channel])).toEqual(result.data.map((m) => [m.msgId, 'viber']));
  });

  it("sends a 15-character sender and the vendor docs' example idempotencyId, both as given", async () => {
    const result = await client.multichannel.send({ from: 'FifteenCharsAB1', to: ['+447400123456'], strategy, idempotencyId: 'bf325375-e030-fccb-a009-17317c574773' });
    expect(result.data[0]).toMatchObject({ from: 'FifteenCharsAB1' });
    expect(sandbox.received('smscx')[0].body).toMatchObject({ from: 'FifteenCharsAB1', idempotencyId: 'bf325375-e030-fccb-a009-17317c574773' });
  });

  it('sends and estimates a multichannel campaign to the canned groups', async () => {
    const estimate = await client.multichannel.estimateCampaign({ from: 'Shop', groups: [1, 2], strategy });
    const result = await client.multichannel.sendCampaign({ from: 'Shop', groups: [1, 2], strategy });
    for (const answer of [estimate, result]) expect(answer.info).toMatchObject({ totalValid: 5, totalCost: 0.25, phoneNumbersByCountry: { NL: 3, DE: 2 } });
    expect(result.data.map((m) => m.to)).toEqual(groupNumbers(1, 2));
    expect(sandbox.received('smscx').map((r) => r.operationId)).toEqual(['sendMultichannelCampaign']);
    expect(sandbox.messages('smscx')).toHaveLength(5);
  });

  it('deletes a scheduled multichannel message, then the rest of its campaign, and neither twice', async () => {
    const sent = await client.multichannel.send({ from: 'Shop', to: ['+447400123456', '+4915128403420'], strategy, scheduledDate: smscxDate(inFuture(3_600_000)) });
    const [first] = sent.data;
    expect(first.status).toBe('SCHEDULED');
    expect((await client.multichannel.deleteScheduled(first.msgId)).info).toEqual({ msgId: first.msgId, parts: 1, creditReturned: 0.05, channel: 'multichannel' });
    const rest = await client.multichannel.deleteScheduledCampaign(sent.info.campaignId);
    expect(rest.info).toMatchObject({ campaignId: sent.info.campaignId, totalPhoneNumbers: 2, phoneNumbersDeleted: 1, creditReturned: 0.05, channel: 'multichannel' });
    expect(sandbox.messages('smscx').map((m) => m.status)).toEqual(['DELETED', 'DELETED']);

    const again = await rejection(client.multichannel.deleteScheduled(first.msgId));
    expect(again).toBeInstanceOf(NotFoundError);
    expect(again.vendorCode).toBe(1100);
    const campaignAgain = await rejection(client.multichannel.deleteScheduledCampaign(sent.info.campaignId));
    expect(campaignAgain).toBeInstanceOf(PermissionDeniedError);
    expect(campaignAgain.vendorCode).toBe(1118);
    expect(sandbox.received('smscx').map((r) => r.operationId)).toEqual(['sendMultichannel', 'deleteScheduledMultichannel', 'deleteScheduledMultichannelCampaign']);
  });
});

describe('SMS.CX credentials, deduplication and faults', () => {
  it('refuses a wrong API key with an AuthenticationError and records nothing', async () => {
    const wrong = new SmscxClient({ apiKey: 'invalid', baseUrl: sandbox.baseUrls.smscx });
    const error = await rejection(wrong.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Hi' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, vendorType: 'invalid_api_key', attempts: 1 });
    expect(sandbox.received('smscx')).toEqual([]);
  });

  it('answers a repeated idempotencyId with the first send, which is recorded once', async () => {
    const idempotencyId = crypto.randomUUID();
    const first = await client.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Once', idempotencyId });
    const second = await client.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Once', idempotencyId });
    expect(second.info.campaignId).toBe(first.info.campaignId);
    expect(second.data[0].msgId).toBe(first.data[0].msgId);
    expect(sandbox.received('smscx')).toHaveLength(1);
    expect(sandbox.messages('smscx')).toHaveLength(1);
  });

  it('retries a send after a 500 with the same idempotencyId, and the sandbox records it once', async () => {
    const spy = spyFetch();
    const retrying = new SmscxClient({ apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.smscx, fetch: spy.fetch, timeoutMs: HANG_LIMIT_MS });
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', status: 500, headers: { 'retry-after': '0' }, body: { error: { type: 'server_error', code: 500, message: 'boom' } } });
    const result = await retrying.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Retried' });

    expect(spy.calls.map((c) => [c.method, c.path])).toEqual([['POST', '/smscx/sms'], ['POST', '/smscx/sms']]);
    expect(spy.calls[1].body).toEqual(spy.calls[0].body);
    const [request] = sandbox.received('smscx');
    expect(sandbox.received('smscx')).toHaveLength(1);
    expect(request.body.idempotencyId).toBe(spy.calls[0].body.idempotencyId);
    expect(sandbox.messages('smscx').map((m) => m.id)).toEqual([result.data[0].msgId]);
  });

  it('hands back the idempotencyId when every attempt fails, so the resend is billed once', async () => {
    sandbox.faults.add({ vendor: 'smscx', path: '/sms/campaign', count: 3, status: 500, headers: { 'retry-after': '0' } });
    const error = await rejection(client.sms.sendCampaign({ from: 'Shop', groups: [2], text: 'Hallo' }));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ attempts: 3, outcomeUnknown: true, dedupeKey: expect.stringMatching(UUID) });
    expect(sandbox.received('smscx')).toEqual([]);

    const resent = await client.sms.sendCampaign({ from: 'Shop', groups: [2], text: 'Hallo', idempotencyId: error.dedupeKey });
    expect(resent.info.totalValid).toBe(2);
    expect(sandbox.received('smscx').map((r) => r.body.idempotencyId)).toEqual([error.dedupeKey]);
  });
});
