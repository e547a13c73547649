import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, startReceiver, UUID, type Receiver } from './test/helpers';
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

const send = { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hello from OMNI' } };
const waitUntil = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('The Infobip sandbox', () => {
  it('sends through the default scenario: one PENDING_ENROUTE entry per destination, bulkId only for several', async () => {
    const one = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', send);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      messages: [{ to: { phoneNumber: '41793026727' }, messageId: expect.stringMatching(UUID), status: { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE', description: expect.any(String) } }],
    });
    const many = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', {
      ...send,
      bulkId: 'Bulk-1',
      destinations: [{ to: { phoneNumber: '41793026727' }, messageId: 'MY-ID' }, { to: { phoneNumber: '41793026731' } }, { to: { phoneNumber: '4' } }, { to: {} }],
    });
    expect(many.body.bulkId).toBe('Bulk-1');
    expect(many.body.messages.map((m: { status: { name: string } }) => m.status.name)).toEqual(['PENDING_ENROUTE', 'PENDING_ENROUTE', 'REJECTED_DESTINATION', 'MISSING_TO']);
    expect(many.body.messages[0].messageId).toBe('MY-ID');
    expect(sandbox.received('infobip')).toHaveLength(2);
  });

  it('creates, lists, reads and updates scenarios, and sends with a scenario key', async () => {
    const created = await call(sandbox, 'infobip', 'POST', '/omni/1/scenarios', { name: 'Viber then SMS', flow: [{ from: 'ViberSender', channel: 'VIBER' }, { from: 'InfoSMS', channel: 'SMS' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: expect.stringMatching(/^[0-9A-F]{32}$/), name: 'Viber then SMS', default: false });
    const key = created.body.key;
    expect((await call(sandbox, 'infobip', 'GET', `/omni/1/scenarios/${key}`)).body).toEqual(created.body);
    const updated = await call(sandbox, 'infobip', 'PUT', `/omni/1/scenarios/${key}`, { flow: [{ from: 'InfoSMS', channel: 'SMS' }], default: true });
    expect(updated.body).toMatchObject({ key, name: 'Viber then SMS', default: true });
    const list = await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios?isDefault=true');
    expect(list.body.scenarios).toEqual([updated.body]);
    expect((await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios/0123456789ABCDEF0123456789ABCDEF')).status).toBe(404);
    expect((await call(sandbox, 'infobip', 'PUT', '/omni/1/scenarios/0123456789ABCDEF0123456789ABCDEF', { flow: [{ channel: 'SMS' }] })).body).toEqual({
      requestError: { serviceException: { messageId: 'NOT_FOUND', text: 'Scenario not found' } },
    });
    const viber = await call(sandbox, 'infobip', 'POST', '/omni/1/scenarios', { name: 'V', flow: [{ from: 'V', channel: 'VIBER' }, { from: 'S', channel: 'SMS' }] });
    const missing = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { ...send, scenarioKey: viber.body.key });
    expect(missing.body.requestError.serviceException).toMatchObject({ messageId: 'BAD_REQUEST', validationErrors: { viber: ['must not be null'] } });
    const ok = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { ...send, scenarioKey: viber.body.key, viber: { text: 'Hi on Viber' } });
    expect(ok.status).toBe(200);
    expect(sandbox.messages('infobip')[0]).toMatchObject({ channel: 'VIBER', from: 'V' });
  });

  it('answers spec violations with BAD_REQUEST and validationErrors by field path', async () => {
    const res = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { destinations: [], sendAt: '2030-01-01T10:00:00Z', callbackData: 'x'.repeat(4001) });
    expect(res.status).toBe(400);
    expect(res.body.requestError.serviceException).toMatchObject({ messageId: 'BAD_REQUEST', text: 'Bad request' });
    expect(Object.keys(res.body.requestError.serviceException.validationErrors).sort()).toEqual(['callbackData', 'destinations', 'sendAt']);
    const create = await call(sandbox, 'infobip', 'POST', '/omni/1/scenarios', { flow: [{ channel: 'FAX' }] });
    expect(create.body.requestError.serviceException.validationErrors).toHaveProperty(['flow[0].channel']);
    expect((await call(sandbox, 'infobip', 'GET', '/omni/1/reports?limit=5000')).status).toBe(400);
    expect(sandbox.received()).toHaveLength(0);
  });

  it('accepts App, Basic, IBSSO and Bearer credentials, and answers 401 UNAUTHORIZED otherwise', async () => {
    const basic = `Basic ${Buffer.from('user:secret').toString('base64')}`;
    for (const authorization of ['App key', basic, 'IBSSO token', 'Bearer token']) {
      expect((await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios', undefined, { authorization })).status).toBe(200);
    }
    for (const headers of [{}, { authorization: 'App invalid' }, { authorization: 'key-without-scheme' }, { authorization: `Basic ${Buffer.from('user:invalid').toString('base64')}` }]) {
      const res = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', send, headers);
      expect(res).toMatchObject({ status: 401, body: { requestError: { serviceException: { messageId: 'UNAUTHORIZED' } } } });
    }
  });

  it('pushes OmniReportsResponse delivery reports to notifyUrl with the callbackData', async () => {
    const sent = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { ...send, notifyUrl: receiver.url, callbackData: 'order-4711' });
    const [report] = await receiver.waitFor(1);
    expect(report).toEqual({
      results: [
        expect.objectContaining({
          messageId: sent.body.messages[0].messageId,
          to: '41793026727',
          channel: 'SMS',
          messageCount: 1,
          callbackData: 'order-4711',
          status: expect.objectContaining({ groupName: 'DELIVERED', name: 'DELIVERED_TO_HANDSET' }),
          error: expect.objectContaining({ name: 'NO_ERROR' }),
          sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/),
        }),
      ],
    });
  });

  it('keeps reports that were not pushed for one pull, and lists logs newest first', async () => {
    const sent = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { ...send, destinations: [{ to: { phoneNumber: '41793026727' } }, { to: { phoneNumber: '41793026731' } }] });
    await waitUntil(() => sandbox.messages('infobip').every((m) => m.status === 'DELIVERED'));
    const pulled = await call(sandbox, 'infobip', 'GET', `/omni/1/reports?bulkId=${sent.body.bulkId}`);
    expect(pulled.body.results).toHaveLength(2);
    expect((await call(sandbox, 'infobip', 'GET', '/omni/1/reports')).body.results).toEqual([]);
    const logs = await call(sandbox, 'infobip', 'GET', `/omni/1/logs?bulkId=${sent.body.bulkId}&generalStatus=DELIVERED`);
    expect(logs.body.results.map((l: { to: string }) => l.to)).toEqual(['41793026731', '41793026727']);
    expect(logs.body.results[0]).toMatchObject({ text: 'Hello from OMNI', from: 'InfoSMS', channel: 'SMS', messageCount: 1 });
  });

  it('holds a message with a future sendAt as PENDING_ACCEPTED', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+0000');
    const res = await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { ...send, sendAt });
    expect(res.body.messages[0].status.name).toBe('PENDING_ACCEPTED');
    expect(sandbox.messages('infobip')[0]).toMatchObject({ status: 'SCHEDULED', scheduledAt: expect.any(Date) });
  });
});
