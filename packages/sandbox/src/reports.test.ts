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
