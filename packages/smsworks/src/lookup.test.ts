import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smsworksSender } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const batch = ['+447400123456', '+447400123457'];
const message = { from: 'Shop', text: 'Sale today' };
const sender = () => smsworksSender({ token: 'sandbox-token', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 });
const asked = () => sandbox.received('smsworks').filter((r) => r.method === 'GET' || r.operationId === 'searchMessages').map((r) => r.operationId);

describe('smsworksSender.lookup', () => {
  it('states how it looks up: the batch, the search, the pace the spec decides, and no proof of absence', () => {
    expect(sender().statusLookup).toMatchObject({
      endpoints: ['GET /batch/{batchid}', 'POST /messages', 'GET /messages/{messageid}'],
      rateLimit: { requests: 1, periodSeconds: 1, published: false },
      absenceProof: false,
    });
  });

  it('finds a batch whose answer was lost after the vendor acted: one recipient searched, then its whole batch read', async () => {
    const sentAt = new Date();
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', after: true, drop: true });
    await expect(sender().send(batch, message, { reference: 'spring#0' })).rejects.toMatchObject({ outcomeUnknown: true });
    await sandbox.settled();
    const result = await sender().lookup!({ recipients: batch, message, reference: 'spring#0', sentAt });
    const batchId = sandbox.messages('smsworks')[0]!.groupId!;
    expect(result.found.map((e) => [e.reference?.recipient, e.status, e.final, e.groupId])).toEqual(batch.map((to) => [to, 'delivered', true, batchId]));
    expect(result).toMatchObject({ missing: [], absenceProvesNotSent: false, reason: 'vendor_gives_no_proof' });
    expect(result.proof.map((p) => [p.endpoint, p.status])).toEqual([
      ['POST /messages', 200],
      [`GET /batch/${batchId}`, 200],
    ]);
    expect(asked()).toEqual(['searchMessages', 'getBatch']);
  });

  it('reads a batch by the batchid a send returned, with the final status of a report that was dropped', async () => {
    sandbox.reports.set({ drop: 1, failures: 1 });
    const sent = await sender().send(batch, message, { callbackUrl: 'https://example.com/dlr' });
    await sandbox.settled();
    const result = await sender().lookup!({ ids: sent.ids, recipients: batch, sentAt: new Date() });
    expect(result.found.map((e) => [e.reference?.recipient, e.status, e.final, e.raw])).toEqual(batch.map((to) => [to, 'undelivered', true, { status: 'UNDELIVERABLE', code: 34, error: 'Handset error' }]));
    expect(asked()).toEqual(['getBatch']);
  });

  it('proves nothing when nothing is found: a batch the vendor never received stays unknown, after a bounded number of searches', async () => {
    const many = ['+447400123450', '+447400123451', '+447400123452', '+447400123453', '+447400123454'];
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', status: 503 });
    await expect(sender().send(many, message)).rejects.toMatchObject({ outcomeUnknown: true });
    const result = await sender().lookup!({ recipients: many, message, sentAt: new Date() });
    expect(result).toMatchObject({ found: [], missing: many, absenceProvesNotSent: false, reason: 'vendor_gives_no_proof' });
    expect(asked()).toEqual(['searchMessages', 'searchMessages', 'searchMessages']);
  });

  it("does not take another send's message to the same number for this one (another text or reference)", async () => {
    await sender().send(batch, message, { reference: 'spring#0' });
    expect((await sender().lookup!({ recipients: batch, message: { ...message, text: 'Another text' }, sentAt: new Date() })).found).toEqual([]);
    expect((await sender().lookup!({ recipients: batch, message, reference: 'spring#1', sentAt: new Date() })).found).toEqual([]);
  });

  it("records a batch id the vendor does not know as the vendor's 404, and asks nothing it cannot", async () => {
    const result = await sender().lookup!({ ids: ['1234567'], recipients: batch });
    expect(result).toMatchObject({ found: [], missing: batch, proof: [{ endpoint: 'GET /batch/1234567', status: 404, body: { message: 'Batch not found' } }] });
    expect(await sender().lookup!({ recipients: batch })).toMatchObject({ found: [], missing: batch, reason: 'nothing_to_ask_by', proof: [] });
  });
});
