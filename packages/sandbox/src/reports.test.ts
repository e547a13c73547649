import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, rawRequest, startReceiver, type Receiver } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
let target: Receiver;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
  target = await startReceiver();
});
afterAll(async () => {
  await sandbox.close();
  await target.close();
});
beforeEach(() => {
  sandbox.reset();
  target.bodies.length = 0;
});

// The control API takes JSON only (a cross-site text/plain POST must not arm anything).
const control = (method: string, body?: string) =>
  rawRequest(`${sandbox.url}/__sandbox/reports`, { method, host: `127.0.0.1:${sandbox.port}`, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+3161234${String(5000 + i).padStart(4, '0')}`);
type SmscxItem = { msgId: string; status: string; datetime: string };
const smscxItems = () => (target.bodies as Array<{ data: SmscxItem[] }>).flatMap((b) => b.data);

async function sendSmscx(n: number, text = 'Hi'): Promise<string[]> {
  const sent = await call(sandbox, 'smscx', 'POST', '/sms', { to: numbers(n), from: 'InfoText', text, dlrCallbackUrl: target.url });
  expect(sent.status).toBe(200);
  await sandbox.settled();
  return (sent.body.data as Array<{ msgId: string }>).map((d) => d.msgId);
}

describe('the report switches', () => {
  it('are set, read and restored through the control API, and a bad switch is refused by name', async () => {
    const set = await control('POST', JSON.stringify({ failures: 0.5, duplicates: 0.2, seed: 7, delayMs: [0, 5] }));
    expect(set.status).toBe(200);
    expect(JSON.parse(set.body)).toMatchObject({ failures: 0.5, duplicates: 0.2, seed: 7, delayMs: [0, 5], drop: 0 });
    expect(sandbox.reports.get()).toMatchObject({ failures: 0.5, seed: 7 });
    const bad = await control('POST', JSON.stringify({ failures: 2 }));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('failures must be a share from 0 to 1');
    expect((await control('POST', '{"loss":0.1}')).body).toContain('unknown report switch loss');
    expect((await control('DELETE')).status).toBe(200);
    expect(sandbox.reports.get()).toMatchObject({ failures: 0, duplicates: 0, seed: 1 });
    expect(() => sandbox.reports.set({ delayMs: [5, 1] })).toThrow(/delayMs/);
  });

  it('end a seeded share of messages in the vendor failure, the same ones for the same seed', async () => {
    const pattern = async () => {
      sandbox.reset();
      target.bodies.length = 0;
      sandbox.reports.set({ failures: 0.3, seed: 42 });
      const ids = await sendSmscx(200);
      await target.waitFor(1);
      const byId = new Map(smscxItems().map((d) => [d.msgId, d.status]));
      return ids.map((id) => byId.get(id));
    };
    const first = await pattern();
    const failed = first.filter((s) => s === 'FAILED').length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(first.filter((s) => s === 'DELIVERED').length).toBe(200 - failed);
    expect(await pattern()).toEqual(first);
    expect(sandbox.messages('smscx').filter((m) => m.status === 'FAILED')).toHaveLength(failed);
  });

  it('post in-flight reports, one report per part, duplicates and shuffled order when asked', async () => {
    sandbox.reports.set({ intermediate: true, perPart: true, duplicates: 1, outOfOrder: true, seed: 3 });
    const text = 'x'.repeat(300); // two parts
    const ids = await sendSmscx(20, text);
    await target.waitFor(1);
    const items = smscxItems();
    for (const id of ids) {
      const mine = items.filter((d) => d.msgId === id);
      const distinct = new Set(mine.map((d) => `${d.status}@${d.datetime}`));
      expect(mine.length).toBeGreaterThanOrEqual(2 * 6); // 3 statuses × 2 parts, each posted 2–3 times
      expect(mine.length).toBeLessThanOrEqual(3 * 6);
      expect(new Set(mine.map((d) => d.status))).toEqual(new Set(['ACCEPTED', 'SENT', 'DELIVERED']));
      expect(distinct.size).toBeLessThanOrEqual(6);
    }
    const firstSeen = ids.map((id) => items.find((d) => d.msgId === id)!.status);
    expect(firstSeen.some((s) => s !== 'ACCEPTED')).toBe(true);
  });

  it('drop a share of reports for good, and list each one as dropped', async () => {
    sandbox.reports.set({ drop: 0.5, seed: 9 });
    await sendSmscx(100);
    const dropped = sandbox.deliveries('smscx').filter((d) => d.dropped);
    expect(dropped.length).toBeGreaterThan(25);
    expect(dropped.length).toBeLessThan(75);
    expect(smscxItems()).toHaveLength(100 - dropped.length);
    expect(dropped.every((d) => d.attempts === 0 && !d.ok)).toBe(true);
  });

  it('hold a seeded share of reports back past any horizon until released through the control API, without settled() waiting for them', async () => {
    const run = async () => {
      sandbox.reset();
      target.bodies.length = 0;
      sandbox.reports.set({ drop: 0.2, late: 0.1, seed: 11 });
      const ids = await sendSmscx(200);
      const arrived = new Set(smscxItems().map((d) => d.msgId));
      // Positions in the send (ids are new each time).
      return ids.flatMap((id, i) => (arrived.has(id) ? [] : [i]));
    };
    const missing = await run();
    const dropped = sandbox.deliveries('smscx').filter((d) => d.dropped).length;
    const held = sandbox.reports.held('smscx');
    expect(dropped).toBeGreaterThan(20);
    expect(held).toBeGreaterThan(8);
    expect(held).toBeLessThan(40);
    expect(sandbox.reports.held()).toBe(held);
    expect(sandbox.reports.held('infobip')).toBe(0);
    expect(missing).toHaveLength(dropped + held);
    // The same seed holds back the same reports, however long the run took.
    expect(await run()).toEqual(missing);

    const count = await rawRequest(`${sandbox.url}/__sandbox/reports/held?vendor=smscx`, { host: `127.0.0.1:${sandbox.port}` });
    expect(JSON.parse(count.body)).toEqual({ held });
    const release = () =>
      rawRequest(`${sandbox.url}/__sandbox/reports/release`, { method: 'POST', host: `127.0.0.1:${sandbox.port}`, body: '{}', headers: { 'content-type': 'application/json' } });
    const released = await release();
    expect([released.status, JSON.parse(released.body)]).toEqual([200, { released: held }]);
    await sandbox.settled();
    expect(smscxItems()).toHaveLength(200 - dropped);
    const late = sandbox.deliveries('smscx').filter((d) => d.late);
    expect(late.flatMap((d) => (d.body as { data: SmscxItem[] }).data)).toHaveLength(held);
    expect(late.every((d) => d.ok && !d.dropped)).toBe(true);
    expect(sandbox.reports.held()).toBe(0);
    expect(JSON.parse((await release()).body)).toEqual({ released: 0 });
  });

  it('forget held reports on reset, and refuse a late share that is not one, or that leaves less than nothing with drop', async () => {
    sandbox.reports.set({ late: 1 });
    await sendSmscx(10);
    expect(sandbox.reports.held()).toBe(10);
    expect(smscxItems()).toEqual([]);
    sandbox.reset();
    expect(sandbox.reports.held()).toBe(0);
    expect(sandbox.reports.release()).toBe(0);
    expect((await control('POST', JSON.stringify({ late: 1.5 }))).body).toContain('late must be a share from 0 to 1');
    expect((await control('POST', JSON.stringify({ late: '5%' }))).body).toContain('late must be a share from 0 to 1');
    const both = await control('POST', JSON.stringify({ drop: 0.8, late: 0.3 }));
    expect([both.status, both.body]).toEqual([400, expect.stringContaining('drop + late must be at most 1')]);
    expect(sandbox.reports.get()).toMatchObject({ drop: 0, late: 0 });
  });

  it('hold reports back by a random delay and still settle only when all are posted', async () => {
    sandbox.reports.set({ delayMs: [20, 60], seed: 5 });
    await call(sandbox, 'smsworks', 'POST', '/batch/send', { sender: 'Shop', destinations: ['447400123456', '447400123457', '447400123458'], content: 'Hi', deliveryreporturl: target.url });
    await sandbox.settled();
    expect(target.bodies).toHaveLength(3);
  });

  it('end Infobip, Octopush and The SMS Works messages in their own failure statuses', async () => {
    const webhooked = await startSandbox({ dlrDelayMs: 1, webhooks: { octopush: target.url }, reports: { failures: 1 } });
    try {
      await call(webhooked, 'infobip', 'POST', '/omni/1/advanced', { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' }, notifyUrl: target.url });
      await call(webhooked, 'octopush', 'POST', '/sms-campaign/send', { text: 'Hi STOP au 30101', recipients: [{ phone_number: '+33611223344' }], type: 'sms_premium', sender: 'Shop', purpose: 'alert' });
      await call(webhooked, 'smsworks', 'POST', '/message/send', { sender: 'Shop', destination: '447400123456', content: 'Hi', deliveryreporturl: target.url });
      await webhooked.settled();
      const bodies = JSON.stringify(target.bodies);
      expect(bodies).toContain('"name":"UNDELIVERABLE_NOT_DELIVERED"');
      expect(bodies).toContain('"permanent":false');
      expect(bodies).toContain('"status":"NOT_DELIVERED"');
      expect(bodies).toContain('"status":"UNDELIVERABLE"');
      expect(bodies).toContain('"failurereason":{"code":34');
      expect(webhooked.messages().map((m) => m.status).sort()).toEqual(['NOT_DELIVERED', 'UNDELIVERABLE', 'UNDELIVERABLE']);
    } finally {
      await webhooked.close();
    }
  });
});
