// Every operation of InfobipClient against the in-process sandbox: OMNI sends through the default
// and a created scenario, scenarios list/create/get/update, one-time reports, logs, credentials,
// and the rule that a send (Infobip has no deduplication key) is never repeated after a 5xx.
import { InfobipClient, AuthenticationError, NotFoundError, ServerError } from '@msgkit/infobip';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inFuture, rejection, spyFetch, startReceiver } from './sandbox-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

let sandbox;
let receiver;
let client;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  receiver = await startReceiver();
  client = new InfobipClient({ apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.infobip, timeoutMs: HANG_LIMIT_MS });
});
afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
});
beforeEach(() => sandbox.reset());

const SCENARIO_KEY = /^[0-9A-F]{32}$/;
const ENROUTE = { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE', description: 'Message sent to next instance' };
const DELIVERED = { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: 'Message delivered to handset' };
const sendTo = (...numbers) => client.omni.send({ destinations: numbers.map((phoneNumber) => ({ to: { phoneNumber } })), sms: { text: 'Your order has shipped.' } });

describe('Infobip scenarios through the sandbox', () => {
  it("lists the account's default SMS scenario", async () => {
    const { scenarios } = await client.omni.scenarios.list();
    expect(scenarios).toEqual([{ key: expect.stringMatching(SCENARIO_KEY), name: 'Sandbox default: SMS', flow: [{ from: 'InfoSMS', channel: 'SMS' }], _default: true }]);
    expect(sandbox.received('infobip').map((r) => [r.operationId, r.method, r.path])).toEqual([['listScenarios', 'GET', '/omni/1/scenarios']]);
    // The sandbox masks recorded credentials to their scheme and first two characters.
    expect(sandbox.received('infobip')[0].headers.authorization).toBe('App e2…');
  });

  it('creates a scenario, gets it, makes it the default with an update, and lists only it as default', async () => {
    const created = await client.omni.scenarios.create({ name: 'Viber then SMS', flow: [{ from: 'Shop', channel: 'VIBER' }, { from: 'InfoSMS', channel: 'SMS' }] });
    expect(created).toEqual({ key: expect.stringMatching(SCENARIO_KEY), name: 'Viber then SMS', flow: [{ from: 'Shop', channel: 'VIBER' }, { from: 'InfoSMS', channel: 'SMS' }], _default: false });
    expect(await client.omni.scenarios.get(created.key)).toEqual(created);

    const updated = await client.omni.scenarios.update(created.key, { name: 'SMS only', flow: [{ from: 'Shop', channel: 'SMS' }], default: true });
    expect(updated).toEqual({ key: created.key, name: 'SMS only', flow: [{ from: 'Shop', channel: 'SMS' }], _default: true });
    expect((await client.omni.scenarios.list({ isDefault: true })).scenarios.map((s) => s.key)).toEqual([created.key]);
    expect((await client.omni.scenarios.list()).scenarios).toHaveLength(2);

    const received = sandbox.received('infobip');
    expect(received.map((r) => [r.operationId, r.method, r.path])).toEqual([
      ['createScenario', 'POST', '/omni/1/scenarios'],
      ['getScenario', 'GET', `/omni/1/scenarios/${created.key}`],
      ['updateScenario', 'PUT', `/omni/1/scenarios/${created.key}`],
      ['listScenarios', 'GET', '/omni/1/scenarios'],
      ['listScenarios', 'GET', '/omni/1/scenarios'],
    ]);
    // `_default` goes on the wire as Infobip's own `default`.
    expect(received[2].body).toEqual({ name: 'SMS only', flow: [{ from: 'Shop', channel: 'SMS' }], default: true });
    expect(received[3].query).toEqual({ isDefault: 'true' });

    // The new default now carries a send that names no scenario.
    const sent = await sendTo('+447400123456');
    expect(sandbox.messages('infobip').find((m) => m.id === sent.messages[0].messageId).from).toBe('Shop');
  });

  it('answers an unknown scenario key with a NotFoundError', async () => {
    const error = await rejection(client.omni.scenarios.get('0123456789ABCDEF0123456789ABCDEF'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: 'NOT_FOUND', outcomeUnknown: false });
  });
});

describe('Infobip OMNI sends, reports and logs through the sandbox', () => {
  it('sends to several numbers as international digits and posts their reports to notifyUrl', async () => {
    const result = await client.omni.send({
      destinations: [{ to: { phoneNumber: '+44 7400 123456' } }, { to: { phoneNumber: '+33612345678' }, messageId: 'order-1-fr' }],
      sms: { text: 'Your order has shipped.' },
      notifyUrl: `${receiver.url}/reports`,
      callbackData: 'order-1',
    });
    expect(result.bulkId).toEqual(expect.any(String));
    expect(result.messages).toEqual([
      { to: { phoneNumber: '447400123456' }, status: ENROUTE, messageId: expect.any(String) },
      { to: { phoneNumber: '33612345678' }, status: ENROUTE, messageId: 'order-1-fr' },
    ]);
    const [request] = sandbox.received('infobip');
    expect(sandbox.received('infobip')).toHaveLength(1);
    expect(request).toMatchObject({ operationId: 'sendOmniAdvanced', method: 'POST', path: '/omni/1/advanced' });
    expect(request.body.destinations).toEqual([{ to: { phoneNumber: '447400123456' } }, { to: { phoneNumber: '33612345678' }, messageId: 'order-1-fr' }]);
    expect(sandbox.messages('infobip').map((m) => [m.id, m.to, m.groupId, m.from])).toEqual(result.messages.map((m) => [m.messageId, m.to.phoneNumber, result.bulkId, 'InfoSMS']));

    await sandbox.settled();
    const reports = receiver.bodies('/reports').flatMap((b) => b.results);
    expect(reports.map((r) => r.messageId).sort()).toEqual(result.messages.map((m) => m.messageId).sort());
    expect(reports[0]).toMatchObject({ bulkId: result.bulkId, status: DELIVERED, callbackData: 'order-1', channel: 'SMS', messageCount: 1 });
  });

  it('schedules a send with sendAt in Infobip date form, through a named scenario', async () => {
    const { scenarios } = await client.omni.scenarios.list();
    const sendAt = inFuture(3_600_000);
    const result = await client.omni.send({ scenarioKey: scenarios[0].key, destinations: [{ to: { phoneNumber: '+4915128403420' } }], sms: { text: 'Later' }, sendAt });
    expect(result.bulkId).toBeUndefined();
    expect(result.messages[0]).toMatchObject({ to: { phoneNumber: '4915128403420' }, status: { groupName: 'PENDING', name: 'PENDING_ACCEPTED' } });
    const send = sandbox.received('infobip').find((r) => r.operationId === 'sendOmniAdvanced');
    expect(send.body.sendAt).toBe(sendAt.toISOString().replace('Z', '+0000'));
    expect(sandbox.messages('infobip')[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: sendAt });
  });

  it('hands out each delivery report once when no webhook takes it', async () => {
    const sent = await sendTo('+447400123456', '+33612345678');
    const other = await sendTo('+4915128403420', '+447400123457');
    await sandbox.settled();

    const first = await client.omni.reports({ bulkId: sent.bulkId });
    expect(first.results.map((r) => r.messageId).sort()).toEqual(sent.messages.map((m) => m.messageId).sort());
    expect(first.results[0]).toMatchObject({ bulkId: sent.bulkId, status: DELIVERED, error: { groupName: 'OK', permanent: false }, price: { pricePerMessage: 0.01, currency: 'EUR' } });
    expect((await client.omni.reports({ bulkId: sent.bulkId })).results).toEqual([]);
    expect((await client.omni.reports({ limit: 10 })).results.map((r) => r.bulkId)).toEqual([other.bulkId, other.bulkId]);
    expect(sandbox.received('infobip').filter((r) => r.operationId === 'getOmniReports').map((r) => r.query)).toEqual([{ bulkId: sent.bulkId }, { bulkId: sent.bulkId }, { limit: '10' }]);
  });

  it('finds logs newest first by bulk, by number written as the caller likes, and by time', async () => {
    const before = new Date(Date.now() - 1000);
    const first = await sendTo('+447400123456');
    const second = await sendTo('+33612345678', '+447400123456');
    await sandbox.settled();

    const byBulk = await client.omni.logs({ bulkId: [second.bulkId] });
    expect(byBulk.results.map((l) => l.messageId)).toEqual(second.messages.map((m) => m.messageId).reverse());
    expect(byBulk.results[0]).toMatchObject({ bulkId: second.bulkId, from: 'InfoSMS', text: 'Your order has shipped.', status: DELIVERED, channel: 'SMS', messageCount: 1 });
    const byNumber = await client.omni.logs({ to: '+44 7400 123456' });
    expect(byNumber.results.map((l) => l.messageId)).toEqual([second.messages[1].messageId, first.messages[0].messageId]);
    const byTime = await client.omni.logs({ sentSince: before, sentUntil: new Date(Date.now() + 60_000), limit: 2 });
    expect(byTime.results).toHaveLength(2);
    const queries = sandbox.received('infobip').filter((r) => r.operationId === 'getOmniLogs').map((r) => r.query);
    expect(queries[1]).toEqual({ to: '447400123456' });
    expect(queries[2].sentSince).toBe(before.toISOString().replace('Z', '+0000'));
  });
});

describe('Infobip credentials and faults', () => {
  it('refuses a wrong API key with an AuthenticationError and records nothing', async () => {
    const wrong = new InfobipClient({ apiKey: 'invalid', baseUrl: sandbox.baseUrls.infobip });
    const error = await rejection(wrong.omni.send({ destinations: [{ to: { phoneNumber: '+447400123456' } }], sms: { text: 'Hi' } }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, vendorCode: 'UNAUTHORIZED' });
    expect(sandbox.received('infobip')).toEqual([]);
  });

  it.each([
    ['omni.send', '/omni/1/advanced', (c) => c.omni.send({ destinations: [{ to: { phoneNumber: '+447400123456' } }], sms: { text: 'Hi' } })],
    ['omni.scenarios.create', '/omni/1/scenarios', (c) => c.omni.scenarios.create({ name: 'Twice?', flow: [{ from: 'Shop', channel: 'SMS' }] })],
  ])('does not repeat %s after a 500 and says its outcome is unknown', async (_name, path, call) => {
    const spy = spyFetch();
    const spied = new InfobipClient({ apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.infobip, fetch: spy.fetch, timeoutMs: HANG_LIMIT_MS });
    sandbox.faults.add({ vendor: 'infobip', path, method: 'POST', status: 500, headers: { 'retry-after': '0' }, body: { requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: 'Something went wrong' } } } });
    const error = await rejection(call(spied));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: 'GENERAL_ERROR', outcomeUnknown: true, attempts: 1, dedupeKey: undefined });
    expect(spy.calls.map((c) => [c.method, c.path])).toEqual([['POST', `/infobip${path}`]]);
    expect(sandbox.received('infobip')).toEqual([]);
    expect(sandbox.messages('infobip')).toEqual([]);
  });

  it('repeats a read after a 500, which cannot send anything twice', async () => {
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/logs', status: 500, headers: { 'retry-after': '0' } });
    const sent = await sendTo('+447400123456');
    const logs = await client.omni.logs({ messageId: [sent.messages[0].messageId] });
    expect(logs.results.map((l) => l.messageId)).toEqual([sent.messages[0].messageId]);
    expect(sandbox.faults.list()).toEqual([]);
  });
});
