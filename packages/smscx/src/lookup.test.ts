import { batchDedupeKey } from '@msgkit/core';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smscxSender } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const gb = (n: number) => Array.from({ length: n }, (_, i) => `+4474001${String(23000 + i)}`);
const message = { from: 'Shop', text: 'Sale today' };
const sender = () => smscxSender({ apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 });
const reads = () => sandbox.received('smscx').filter((r) => r.method === 'GET').map((r) => r.operationId);

describe('smscxSender.lookup', () => {
  it('states how it looks up: the reports by the ids a send returned, the pace the spec decides, and no proof of absence', () => {
    expect(sender().statusLookup).toMatchObject({
      endpoints: ['GET /reports/campaigns/{campaignId}', 'GET /reports/single/{msgId}'],
      by: ['ids', 'messages'],
      rateLimit: { requests: 1, periodSeconds: 1, published: false },
      absenceProof: false,
    });
  });

  it('reads every page of the campaign a send returned, with the final status of reports that were dropped', async () => {
    sandbox.reports.set({ drop: 1, failures: 0.5, seed: 4 });
    const to = gb(501);
    const sent = await sender().send(to, message, { callbackUrl: 'https://example.com/dlr' });
    await sandbox.settled();
    let acquired = 0;
    const result = await sender().lookup!({ ids: sent.ids, messages: sent.messages!, recipients: to }, { acquire: async () => void acquired++ });
    const held = new Map(sandbox.messages('smscx').map((m) => [m.id, m.status]));
    expect(result.found).toHaveLength(501);
    expect(result.found.every((e) => e.final && e.groupId === sent.ids[0] && held.get(e.messageId) === e.raw.status)).toBe(true);
    expect(new Set(result.found.map((e) => e.status))).toEqual(new Set(['delivered', 'undelivered']));
    expect(result.found.map((e) => e.reference?.recipient)).toEqual(to);
    expect(result).toMatchObject({ missing: [], absenceProvesNotSent: false, reason: 'vendor_gives_no_proof' });
    expect(reads()).toEqual(['getCampaignReport', 'getCampaignReport']);
    expect(acquired).toBe(2);
  });

  it("records the vendor's 404 for a campaign and messages it does not list, and proves nothing by it", async () => {
    const campaignId = '0b7a7c1e-1d1f-4c3a-9a55-5d0f5a9d0c11';
    const messages = gb(2).map((to, i) => ({ to, id: `0b7a7c1e-1d1f-4c3a-9a55-5d0f5a9d0c1${i + 2}` }));
    const result = await sender().lookup!({ ids: [campaignId], messages, recipients: gb(2) });
    expect(result).toMatchObject({ found: [], missing: gb(2), absenceProvesNotSent: false, reason: 'vendor_gives_no_proof' });
    expect(result.proof.map((p) => [p.endpoint, p.status, (p.body as { error: { code: number } }).error.code])).toEqual([
      [`GET /reports/campaigns/${campaignId}?limit=500`, 404, 1150],
      [`GET /reports/single/${messages[0]!.id}`, 404, 1160],
      [`GET /reports/single/${messages[1]!.id}`, 404, 1160],
    ]);
  });

  it('reads single messages by the msgIds a send returned where no campaign id is held', async () => {
    const sent = await sender().send(gb(2), message);
    await sandbox.settled();
    const result = await sender().lookup!({ messages: sent.messages!, recipients: gb(2) });
    expect(result.found.map((e) => [e.reference?.recipient, e.status, e.channel])).toEqual(gb(2).map((to) => [to, 'delivered', 'sms']));
    expect(reads()).toEqual(['getSingleReport', 'getSingleReport']);
  });

  it('has nothing to ask by for a batch whose answer was lost: no report carries the idempotencyId or trackData', async () => {
    const key = batchDedupeKey('spring', 0);
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, status: 502 });
    await expect(sender().send(gb(2), message, { dedupeKey: key })).rejects.toMatchObject({ outcomeUnknown: true });
    expect(await sender().lookup!({ dedupeKey: key, recipients: gb(2), message, sentAt: new Date() })).toMatchObject({ found: [], missing: gb(2), reason: 'nothing_to_ask_by', proof: [] });
    expect(reads()).toEqual([]);
  });
});
