import type { DeliveryEvent } from '@msgkit/core';
import { infobipReports } from '@msgkit/infobip';
import { smscxReports } from '@msgkit/smscx';
import { describe, expect, it } from 'vitest';
import { basicAuth } from './auth';
import { createWebhookHandler, type ReportBatch } from './handler';
import { createCallbackUrl } from './token';

const secret = 'a-very-long-test-secret-of-32-bytes!!';
const base = 'https://hooks.example.com/dlr';
const smscxUrl = (campaign = 'spring', batch = 0) => createCallbackUrl({ baseUrl: base, secret, vendor: 'smscx', campaign, batch });
const dlr = (msgId: string, status = 'DELIVERED') => JSON.stringify({ event: 'dlr_update', data: [{ campaignId: 'c1', msgId, trackData: null, statusCode: 3, status, errorCode: null, datetime: '2030-06-23 14:26:19' }] });
const post = (url: string, body: string, headers: Record<string, string> = {}) => new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
const infobipBody = (messageId: string) => JSON.stringify({ results: [{ messageId, to: '41793026731', doneAt: '2030-01-01T00:00:01.000+0000', status: { groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' } }] });

describe('the webhook handler', () => {
  it('verifies, parses, reduces and answers 200 with no body, then runs onReports after the answer', async () => {
    const seen: ReportBatch[] = [];
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], onReports: (batch) => void seen.push(batch) });
    const response = await handler(post(smscxUrl('spring', 4), dlr('m1')));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await handler.drain();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.events[0]).toMatchObject({ vendor: 'smscx', messageId: 'm1', status: 'delivered', reference: { campaign: 'spring', batch: 4 } });
    expect(handler.ledger.get('smscx', 'm1')).toMatchObject({ status: 'delivered', final: true, reference: { campaign: 'spring', batch: 4 } });
    expect(handler.stats).toMatchObject({ accepted: 1, events: 1 });
  });

  it('refuses unsigned (401), forged and expired (403) callbacks before any user code runs', async () => {
    let userCode = 0;
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], record: () => void userCode++, onReports: () => void userCode++, now: () => Date.parse('2030-01-01T00:00:00Z') });
    expect((await handler(post(base, dlr('m1')))).status).toBe(401);
    const good = smscxUrl();
    expect((await handler(post(good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), dlr('m1')))).status).toBe(403);
    const expired = createCallbackUrl({ baseUrl: base, secret, vendor: 'smscx', ttlSeconds: 60, now: new Date('2029-12-31T23:00:00Z') });
    expect((await handler(post(expired, dlr('m1')))).status).toBe(403);
    await handler.drain();
    expect(userCode).toBe(0);
    expect(handler.ledger.size).toBe(0);
    expect(handler.stats.refused).toMatchObject({ unsigned: 1, forged: 1, expired: 1 });
  });

  it('refuses a token that expired after it was first verified and remembered', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], now: () => clock });
    const url = createCallbackUrl({ baseUrl: base, secret, vendor: 'smscx', ttlSeconds: 60, now: new Date(clock) });
    expect((await handler(post(url, dlr('m1')))).status).toBe(200);
    clock += 61_000;
    expect((await handler(post(url, dlr('m2')))).status).toBe(403);
    expect(handler.stats.refused.expired).toBe(1);
  });

  it('behind a trusted proxy, refuses a URL it took for one forwarded host when another host is forwarded with it', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], trustProxy: true });
    const inner = new URL(smscxUrl());
    inner.protocol = 'http:';
    inner.host = '127.0.0.1:8080';
    const forwarded = (host: string) => ({ 'x-forwarded-proto': 'https', 'x-forwarded-host': host });
    expect((await handler(post(inner.href, dlr('m1'), forwarded('hooks.example.com')))).status).toBe(200);
    expect((await handler(post(inner.href, dlr('m2'), forwarded('evil.example.com')))).status).toBe(403);
    expect((await handler(post(inner.href, dlr('m3'), forwarded('hooks.example.com')))).status).toBe(200);
  });

  it('refuses the replay of a callback it took, but takes a new report on the same URL', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret] });
    const url = smscxUrl();
    expect((await handler(post(url, dlr('m1')))).status).toBe(200);
    expect((await handler(post(url, dlr('m1')))).status).toBe(403);
    expect((await handler(post(url, dlr('m2')))).status).toBe(200);
    expect(handler.stats.refused.replayed).toBe(1);
  });

  it('answers 500 when record fails, so the vendor sends the report again and it is then taken', async () => {
    let fail = true;
    const recorded: DeliveryEvent[] = [];
    const handler = createWebhookHandler({
      formats: [smscxReports],
      secrets: [secret],
      record: (batch) => {
        if (fail) throw new Error('disk full');
        recorded.push(...batch.events);
      },
    });
    const url = smscxUrl();
    expect((await handler(post(url, dlr('m1')))).status).toBe(500);
    fail = false;
    expect((await handler(post(url, dlr('m1')))).status).toBe(200);
    expect(recorded.map((e) => e.messageId)).toEqual(['m1']);
    expect(handler.ledger.get('smscx', 'm1')).toMatchObject({ status: 'delivered', reports: 2, duplicates: 1 });
  });

  it('waits for an asynchronous record and replay store: a rejected record answers 500, a replay held by the store 403', async () => {
    let fail = true;
    const held = new Set<string>();
    const batches: ReportBatch[] = [];
    const clock = Date.now();
    const handler = createWebhookHandler({
      formats: [smscxReports],
      secrets: [secret],
      now: () => clock,
      replay: {
        claim: async (key) => !held.has(key) && Boolean(held.add(key)),
        release: async (key) => void held.delete(key),
      },
      record: async (batch) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (fail) throw new Error('disk full');
        batches.push(batch);
      },
    });
    const url = smscxUrl();
    expect((await handler(post(url, dlr('m1')))).status).toBe(500);
    expect(held.size).toBe(0);
    fail = false;
    expect((await handler(post(url, dlr('m1')))).status).toBe(200);
    expect((await handler(post(url, dlr('m1')))).status).toBe(403);
    expect(handler.stats.refused).toMatchObject({ record_failed: 1, replayed: 1 });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.receivedAt).toEqual(new Date(clock));
    expect(batches[0]!.states).toEqual([expect.objectContaining({ messageId: 'm1', status: 'delivered' })]);
  });

  it('retries a failing onReports and keeps the batch when it fails for good', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const handler = createWebhookHandler({
      formats: [smscxReports],
      secrets: [secret],
      queue: { retries: 2, retryDelayMs: 1 },
      onReports: () => {
        calls++;
        throw new Error('database down');
      },
      onError: (failure) => errors.push(failure.error),
    });
    expect((await handler(post(smscxUrl(), dlr('m1')))).status).toBe(200);
    await handler.drain();
    expect(calls).toBe(3);
    expect(errors).toHaveLength(1);
    expect(handler.failed).toHaveLength(1);
    expect(handler.failed[0]).toMatchObject({ attempts: 3, item: { events: [expect.objectContaining({ messageId: 'm1' })] } });
  });

  it('answers 503 and records nothing while its queue is full, and takes the report once there is room', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], queue: { maxPending: 1 }, onReports: () => gate });
    const url = smscxUrl();
    expect((await handler(post(url, dlr('m1')))).status).toBe(200); // running
    expect((await handler(post(url, dlr('m2')))).status).toBe(200); // waiting
    const busy = await handler(post(url, dlr('m3')));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(handler.ledger.get('smscx', 'm3')).toBeUndefined();
    release();
    await handler.drain();
    expect((await handler(post(url, dlr('m3')))).status).toBe(200);
  });

  it('keeps an authentic report it cannot parse, answers 400, and takes a corrected one', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret] });
    const url = smscxUrl();
    const response = await handler(post(url, JSON.stringify({ event: 'dlr_update', data: [{ status: 'SENT' }] })));
    expect(response.status).toBe(400);
    expect(handler.invalid[0]).toMatchObject({ vendor: 'smscx', error: { path: ['data', 0, 'msgId'] } });
    expect((await handler(post(url, 'not json'))).status).toBe(400);
    expect((await handler(post(url, dlr('m1')))).status).toBe(200);
  });

  it('accepts Infobip callbacks by the basic credentials Infobip documents, and refuses wrong ones', async () => {
    const handler = createWebhookHandler({ formats: [infobipReports], auth: { infobip: basicAuth({ username: 'msgkit', password: 'correct horse' }) }, vendor: 'infobip' });
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await handler(post(base, infobipBody('i1')))).status).toBe(401);
    expect((await handler(post(base, infobipBody('i1'), basic('msgkit', 'wrong')))).status).toBe(403);
    expect((await handler(post(base, infobipBody('i1'), { authorization: 'Bearer x' }))).status).toBe(403);
    expect((await handler(post(base, infobipBody('i1'), basic('msgkit', 'correct horse')))).status).toBe(200);
    expect((await handler(post(base, infobipBody('i1'), basic('msgkit', 'correct horse')))).status).toBe(403);
    expect(handler.ledger.get('infobip', 'i1')).toMatchObject({ status: 'delivered' });
  });

  it('answers 405 to anything but POST, 415 to XML, 413 to a body over the limit, 404 to a vendor it has no parser for', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], maxBodyBytes: 64 });
    expect((await handler(new Request(smscxUrl()))).status).toBe(405);
    expect((await handler(post(smscxUrl(), '<results/>', { 'content-type': 'application/xml' }))).status).toBe(415);
    expect((await handler(post(smscxUrl(), dlr('m1')))).status).toBe(413);
    const octopush = createCallbackUrl({ baseUrl: base, secret, vendor: 'octopush' });
    expect((await handler(post(octopush, '{}'))).status).toBe(404);
  });

  // A Request with its own body methods, as @hono/node-server hands one over: its arrayBuffer()
  // reads node:http's request directly, and its stream is only built when asked for.
  class LightRequest extends Request {
    reads = 0;
    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
      throw new Error('the stream was opened');
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      this.reads++;
      return super.arrayBuffer();
    }
  }
  const light = (url: string, body: string, headers: Record<string, string> = {}) => new LightRequest(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } });

  it('reads a body of declared length by the request own arrayBuffer() when it has one, never opening its stream', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret] });
    const request = light(smscxUrl(), dlr('m1'));
    expect((await handler(request)).status).toBe(200);
    expect(request.reads).toBe(1);
    expect(handler.ledger.get('smscx', 'm1')).toMatchObject({ status: 'delivered' });
    expect((await handler(light(smscxUrl(), dlr('m1')))).status).toBe(403);
  });

  it('refuses (413) a body read by arrayBuffer() that is longer than it declared and over the limit', async () => {
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], maxBodyBytes: 64 });
    const request = light(smscxUrl(), dlr('m1'), { 'content-length': '40' });
    expect((await handler(request)).status).toBe(413);
    expect(request.reads).toBe(1);
    expect(handler.stats.refused.too_large).toBe(1);
    expect(handler.ledger.size).toBe(0);
  });

  it('reads a body of undeclared length by its stream, stopping at the limit, even when the request has its own arrayBuffer()', async () => {
    class CountingRequest extends Request {
      reads = 0;
      override arrayBuffer(): Promise<ArrayBuffer> {
        this.reads++;
        return super.arrayBuffer();
      }
    }
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], maxBodyBytes: 64 });
    const request = new CountingRequest(smscxUrl(), { method: 'POST', body: dlr('m1'), headers: { 'content-type': 'application/json' } });
    expect((await handler(request)).status).toBe(413);
    expect(request.reads).toBe(0);
    for (const length of ['', '4e1', '-1', '0x28', '40 40']) {
      const odd = new CountingRequest(smscxUrl(), { method: 'POST', body: dlr('m2'), headers: { 'content-type': 'application/json', 'content-length': length } });
      expect((await handler(odd)).status).toBe(413);
      expect(odd.reads).toBe(0);
    }
  });

  it('refuses to start without any way to authenticate callbacks', () => {
    expect(() => createWebhookHandler({ formats: [smscxReports] })).toThrow(/forged reports/);
  });
});
