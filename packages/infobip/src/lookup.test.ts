import { batchDedupeKey } from '@msgkit/core';
import { recipientMessageId } from '@msgkit/core/internal';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { infobipSender } from './sender';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 1 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.reset();
  await fetch(`${sandbox.baseUrls.infobip}/omni/1/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'App sandbox-key' },
    body: JSON.stringify({ name: 'SMS', flow: [{ from: 'InfoSMS', channel: 'SMS' }], default: true }),
  });
});

const batch = ['+4915128403420', '+4915128403421', '+4915128403422'];
const message = { text: 'Ihr Paket kommt' };
const sender = () => infobipSender({ apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 });
const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const logsAsked = () => sandbox.received('infobip').filter((r) => r.operationId === 'getOmniLogs');

describe('infobipSender.lookup', () => {
  it('states how it looks up, with the logs rate limit and retention read from the spec', () => {
    expect(sender().statusLookup).toMatchObject({
      endpoints: ['GET /omni/1/logs'],
      rateLimit: { requests: 120, periodSeconds: 60, published: true },
      absenceProof: { retentionHours: 48, marginHours: 1, settleMinutes: 10 },
    });
  });

  it('finds every message of a batch whose answer was lost after Infobip acted, by the bulkId and messageIds derived from its key', async () => {
    const key = batchDedupeKey('spring', 0);
    const sentAt = new Date();
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', after: true, status: 500 });
    await expect(sender().send(batch, message, { dedupeKey: key })).rejects.toMatchObject({ outcomeUnknown: true });
    await sandbox.settled();
    const result = await sender().lookup!({ dedupeKey: key, recipients: batch, sentAt }, { now: minutes(sentAt, 15) });
    expect(result.found.map((e) => [e.reference?.recipient, e.messageId, e.status, e.final])).toEqual(batch.map((to) => [to, recipientMessageId(key, to), 'delivered', true]));
    expect(result.found[0]).toMatchObject({ vendor: 'infobip', groupId: key, raw: { status: 'DELIVERED_TO_HANDSET' } });
    expect(result).toMatchObject({ missing: [], absenceProvesNotSent: true });
    expect(result.proof).toEqual([{ endpoint: `GET /omni/1/logs?bulkId=${key}&limit=1000`, at: expect.any(String), status: 200, body: { results: expect.any(Array) } }]);
    expect(logsAsked()).toHaveLength(1);
  });

  it('says a batch Infobip never received was not sent, within its 48 hours: nothing under the ids msgkit chose', async () => {
    const key = batchDedupeKey('spring', 1);
    const sentAt = new Date();
    sandbox.faults.add({ vendor: 'infobip', path: '/omni/1/advanced', status: 503 });
    await expect(sender().send(batch, message, { dedupeKey: key })).rejects.toMatchObject({ outcomeUnknown: true });
    const result = await sender().lookup!({ dedupeKey: key, recipients: batch, sentAt }, { now: minutes(sentAt, 60) });
    expect(result).toMatchObject({ found: [], missing: batch, absenceProvesNotSent: true });
    expect(result.reason).toBeUndefined();
    // The bulk query found nothing; the messageIds are asked too, in case the bulk id was not kept.
    expect(logsAsked().map((r) => r.query)).toEqual([{ bulkId: key, limit: '1000' }, { messageId: batch.map((to) => recipientMessageId(key, to)), limit: '1000' }]);
  });

  it('does not take an absence as proof too soon after the send, near the end of the 48 hours, or for a send without msgkit ids', async () => {
    const key = batchDedupeKey('spring', 2);
    const sentAt = new Date();
    const query = { dedupeKey: key, recipients: batch, sentAt };
    expect(await sender().lookup!(query, { now: minutes(sentAt, 5) })).toMatchObject({ missing: batch, absenceProvesNotSent: false, reason: 'too_recent' });
    expect(await sender().lookup!(query, { now: minutes(sentAt, 47 * 60 + 1) })).toMatchObject({ absenceProvesNotSent: false, reason: 'outside_retention' });
    expect(await sender().lookup!({ ...query, sentAt: undefined }, { now: minutes(sentAt, 60) })).toMatchObject({ absenceProvesNotSent: false, reason: 'send_time_unknown' });
    const sent = await sender().send(batch, message);
    const byServerIds = await sender().lookup!({ ids: sent.ids, messages: sent.messages, recipients: batch, sentAt }, { now: minutes(sentAt, 60) });
    expect(byServerIds).toMatchObject({ missing: [], absenceProvesNotSent: false, reason: 'no_client_ids' });
    expect(byServerIds.found.map((e) => e.reference?.recipient).sort()).toEqual([...batch].sort());
  });

  it('reads a final failure as undelivered, and waits for acquire before every request it makes', async () => {
    sandbox.reports.set({ failures: 1 });
    const key = batchDedupeKey('spring', 3);
    const sentAt = new Date();
    await sender().send(batch.slice(0, 1), message, { dedupeKey: key });
    await sandbox.settled();
    let acquired = 0;
    const result = await sender().lookup!({ dedupeKey: key, recipients: batch, sentAt }, { now: minutes(sentAt, 15), acquire: async () => void acquired++ });
    expect(result.found.map((e) => [e.status, e.final, e.raw.status])).toEqual([['undelivered', true, 'UNDELIVERABLE_NOT_DELIVERED']]);
    expect(result.missing).toEqual(batch.slice(1));
    expect(acquired).toBe(logsAsked().length);
    expect(acquired).toBe(2);
  });

  it('has nothing to ask by for a query without ids', async () => {
    expect(await sender().lookup!({ recipients: batch, sentAt: new Date() })).toMatchObject({ found: [], missing: batch, absenceProvesNotSent: false, reason: 'nothing_to_ask_by', proof: [] });
    expect(logsAsked()).toHaveLength(0);
  });
});
