// The reads of what became of a send answer from what the sandbox received and delivered: a report
// the `drop` switch lost is still visible there, a send whose answer a fault spoiled after acting
// is found, and a message the sandbox never received is "not found" in the vendor's own words.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, startReceiver, type Receiver } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
let receiver: Receiver;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
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

const UNKNOWN_UUID = '0b7a7c1e-1d1f-4c3a-9a55-5d0f5a9d0c11';
const gb = (n: number) => Array.from({ length: n }, (_, i) => `+4474001${String(23000 + i)}`);

describe('SMS.CX reports', () => {
  it('show every message of a send with its final status, although every report was dropped', async () => {
    sandbox.reports.set({ drop: 1, failures: 0.5, seed: 3 });
    const sent = await call(sandbox, 'smscx', 'POST', '/sms', { to: gb(5), from: 'InfoText', text: 'Hi', dlrCallbackUrl: receiver.url });
    await sandbox.settled();
    expect(sandbox.deliveries('smscx').every((d) => d.dropped)).toBe(true);
    const statuses = new Map<string, string>();
    for (const m of sent.body.data as Array<{ msgId: string }>) {
      const single = await call(sandbox, 'smscx', 'GET', `/reports/single/${m.msgId}`);
      expect(single.status).toBe(200);
      statuses.set(m.msgId, single.body.data.status);
      expect(single.body.data).toMatchObject({ msgId: m.msgId, source: 'api', channel: 'sms', from: 'InfoText', text: 'Hi', updatedAt: expect.any(String) });
      expect(single.body.data.errorCode === null).toBe(single.body.data.status === 'DELIVERED');
    }
    expect(new Set(statuses.values())).toEqual(new Set(['DELIVERED', 'FAILED']));

    const campaignId = sent.body.info.campaignId as string;
    const first = await call(sandbox, 'smscx', 'GET', `/reports/campaigns/${campaignId}?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.info).toMatchObject({ campaignId, totalPhoneNumbers: 5, channel: 'sms' });
    expect(first.body.paging).toMatchObject({ size: 3, previous: null, next: expect.any(String) });
    const second = await call(sandbox, 'smscx', 'GET', `/reports/campaigns/${campaignId}?limit=3&next=${first.body.paging.next}`);
    expect(second.body.paging).toMatchObject({ next: null, previous: expect.any(String) });
    const paged = [...first.body.data, ...second.body.data] as Array<{ msgId: string; status: string }>;
    expect(new Map(paged.map((m) => [m.msgId, m.status]))).toEqual(statuses);
  });

  it('find a send whose answer a fault lost after SMS.CX acted', async () => {
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, status: 502 });
    const lost = await call(sandbox, 'smscx', 'POST', '/sms', { to: gb(2), from: 'InfoText', text: 'Hi' });
    expect(lost.status).toBe(502);
    await sandbox.settled();
    const [m] = sandbox.messages('smscx');
    const found = await call(sandbox, 'smscx', 'GET', `/reports/campaigns/${m!.groupId}`);
    expect(found.body.data.map((d: { to: string; status: string }) => [d.to, d.status])).toEqual(gb(2).map((to) => [to, 'DELIVERED']));
  });

  it('answer 404 in the vendor error shape for a message or campaign never received, or a message deleted before it went out', async () => {
    expect(await call(sandbox, 'smscx', 'GET', `/reports/single/${UNKNOWN_UUID}`)).toMatchObject({ status: 404, body: { error: { type: 'not_found', code: 1160 } } });
    expect(await call(sandbox, 'smscx', 'GET', `/reports/campaigns/${UNKNOWN_UUID}`)).toMatchObject({ status: 404, body: { error: { type: 'not_found', code: 1150 } } });
    const scheduledDate = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const scheduled = await call(sandbox, 'smscx', 'POST', '/sms', { to: gb(1), from: 'InfoText', text: 'Later', scheduledDate });
    const msgId = scheduled.body.data[0].msgId as string;
    expect(await call(sandbox, 'smscx', 'GET', `/reports/single/${msgId}`)).toMatchObject({ status: 200, body: { data: { status: 'SCHEDULED', updatedAt: null } } });
    await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${msgId}`);
    expect(await call(sandbox, 'smscx', 'GET', `/reports/single/${msgId}`)).toMatchObject({ status: 404, body: { error: { code: 1160 } } });
    expect(await call(sandbox, 'smscx', 'GET', '/reports/single/not-a-uuid')).toMatchObject({ status: 400, body: { error: { code: 1165 } } });
  });
});

describe('The SMS Works message search', () => {
  const batch = { sender: 'Shop', destinations: ['447400123456', '447400123457'], content: 'Sale today', tag: 'spring' };

  it('finds what was sent, with the final status of a report that was dropped, and pages with limit and skip', async () => {
    sandbox.reports.set({ drop: 1, failures: 1 });
    const sent = await call(sandbox, 'smsworks', 'POST', '/batch/send', { ...batch, deliveryreporturl: receiver.url });
    await sandbox.settled();
    expect(sandbox.deliveries('smsworks').every((d) => d.dropped)).toBe(true);
    const since = new Date(Date.now() - 60_000).toISOString();
    const found = await call(sandbox, 'smsworks', 'POST', '/messages', { sender: 'Shop', destination: '447400123457', from: since });
    expect(found.status).toBe(200);
    expect(found.body).toEqual([expect.objectContaining({ batchid: sent.body.batchid, destination: 447400123457, status: 'UNDELIVERABLE', tag: 'spring', failurereason: expect.any(Object) })]);
    const page = await call(sandbox, 'smsworks', 'POST', '/messages', { sender: 'Shop', limit: 1, skip: 1 });
    expect(page.body.map((m: { destination: number }) => m.destination)).toEqual([447400123457]);
    const batchRead = await call(sandbox, 'smsworks', 'GET', `/batch/${sent.body.batchid}`);
    expect(batchRead.body.map((m: { status: string }) => m.status)).toEqual(['UNDELIVERABLE', 'UNDELIVERABLE']);
  });

  it('finds a batch whose answer a fault lost after the vendor acted', async () => {
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', after: true, drop: true });
    await expect(call(sandbox, 'smsworks', 'POST', '/batch/send', batch)).rejects.toThrow();
    const found = await call(sandbox, 'smsworks', 'POST', '/messages', { destination: '447400123456', sender: 'Shop' });
    expect(found.body).toHaveLength(1);
    expect(found.body[0]).toMatchObject({ content: 'Sale today', tag: 'spring', batchid: expect.stringMatching(/^\d{7}$/) });
  });

  it('answers an empty list when nothing matches (never received, another window, another sender), and 404 for an unknown batch', async () => {
    await call(sandbox, 'smsworks', 'POST', '/batch/send', batch);
    expect(await call(sandbox, 'smsworks', 'POST', '/messages', { destination: '447400999999' })).toMatchObject({ status: 200, body: [] });
    expect(await call(sandbox, 'smsworks', 'POST', '/messages', { sender: 'Shop', to: new Date(Date.now() - 3_600_000).toISOString() })).toMatchObject({ status: 200, body: [] });
    expect(await call(sandbox, 'smsworks', 'POST', '/messages', { sender: 'Other' })).toMatchObject({ status: 200, body: [] });
    expect(await call(sandbox, 'smsworks', 'GET', '/batch/1234567')).toMatchObject({ status: 404, body: { message: 'Batch not found' } });
    expect(sandbox.received('smsworks').map((r) => r.operationId)).toEqual(['sendBatch', 'searchMessages', 'searchMessages', 'searchMessages']);
  });
});

describe('Infobip logs', () => {
  const send = (bulkId: string, numbers: string[]) =>
    call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { bulkId, destinations: numbers.map((n, i) => ({ messageId: `${bulkId}-${i}`, to: { phoneNumber: n } })), sms: { text: 'Hi' }, notifyUrl: receiver.url });

  it('list the messages of a client-chosen bulkId with their final status, although the reports were dropped and the answer lost', async () => {
    sandbox.reports.set({ drop: 1 });
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', after: true, status: 500 });
    expect((await send('bulk-a', ['447400123456', '447400123457'])).status).toBe(500);
    await sandbox.settled();
    const logs = await call(sandbox, 'infobip', 'GET', '/omni/1/logs?bulkId=bulk-a&limit=1000');
    expect(logs.body.results.map((r: { messageId: string; status: { name: string } }) => [r.messageId, r.status.name]).sort()).toEqual([
      ['bulk-a-0', 'DELIVERED_TO_HANDSET'],
      ['bulk-a-1', 'DELIVERED_TO_HANDSET'],
    ]);
  });

  it('list every one of 100 messageIds asked for at once, as the parameter repeated (no parser limit of 20)', async () => {
    const numbers = Array.from({ length: 100 }, (_, i) => `4474001${String(30000 + i)}`);
    await send('bulk-c', numbers);
    await sandbox.settled();
    const query = numbers.map((_, i) => `messageId=bulk-c-${i}`).join('&');
    const logs = await call(sandbox, 'infobip', 'GET', `/omni/1/logs?${query}&limit=1000`);
    expect(logs.status).toBe(200);
    expect(logs.body.results).toHaveLength(100);
  });

  it('answer an empty list for a bulkId or messageId never received', async () => {
    await send('bulk-b', ['447400123456']);
    expect(await call(sandbox, 'infobip', 'GET', '/omni/1/logs?bulkId=bulk-x')).toMatchObject({ status: 200, body: { results: [] } });
    expect(await call(sandbox, 'infobip', 'GET', '/omni/1/logs?messageId=bulk-x-0')).toMatchObject({ status: 200, body: { results: [] } });
  });
});
