// SMS.CX deduplicates paid sends by the body field `idempotencyId`, so a send is retried after a
// 500, a 429 or a dropped connection, and every attempt carries the same id: billed exactly once.
import { startRecorder, type Recorder, type Reply } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
import { ConnectionError, ServerError, TimeoutError } from './errors';
import { operationIssues, rules, type OperationRules } from './rules';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const serverError = { error: { type: 'server_error', code: 0, message: 'Internal server error', uri: 'https://sms.cx/sms-api-documentation/#section/Errors' } };
const campaignOk = { info: { campaignId: 'c', groups: [] }, data: [] };
const rateLimit = { error: { type: 'rate_limit', code: 0, message: 'Too many requests', uri: 'https://sms.cx/sms-api-documentation/#section/Errors' } };

let server: Recorder;
let client: SmscxClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url, maxRetries: 3 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const idsSent = () => server.requests.map((r) => (r.body as { idempotencyId?: string }).idempotencyId);
const bodiesSent = () => server.requests.map((r) => r.text);

/** 500, then 429 until the next whole second (X-Rate-Limit-Reset), then a dropped connection, then 200. */
function faultsThenOk(okJson: unknown): { resetMs: number; answeredAt: number[] } {
  const resetSeconds = Math.floor(Date.now() / 1000) + 1;
  const answeredAt: number[] = [];
  const replies: Reply[] = [
    { status: 500, json: serverError, headers: { 'x-request-id': 'r1' } },
    { status: 429, json: rateLimit, headers: { 'x-rate-limit-reset': String(resetSeconds), 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0' } },
    { drop: true },
    { status: 200, json: () => (answeredAt.push(Date.now()), okJson), headers: { 'x-request-id': 'r4' } },
  ];
  server.reply(...replies);
  return { resetMs: resetSeconds * 1000, answeredAt };
}

describe('retries of paid sends', () => {
  it('sms.send survives 500, 429 with X-Rate-Limit-Reset and a dropped connection, sending the same idempotencyId every time', async () => {
    const { resetMs, answeredAt } = faultsThenOk({ info: { campaignId: 'c' }, data: [] });
    const result = await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Your code is 1234' });
    expect(result.info.campaignId).toBe('c');
    expect(result.requestId).toBe('r4');
    expect(server.requests).toHaveLength(4);
    const ids = idsSent();
    expect(ids[0]).toMatch(UUID_V4);
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    // Not only the key: the whole body is byte-identical on every attempt.
    expect(new Set(bodiesSent()).size).toBe(1);
    // The 429 asked to wait until the reset time; the next attempts came no earlier.
    expect(answeredAt[0]).toBeGreaterThanOrEqual(resetMs - 5);
  });

  it('multichannel.send does the same', async () => {
    faultsThenOk({ info: { campaignId: 'c' }, data: [] });
    await client.multichannel.send({ to: ['+31612345678'], from: 'InfoText', strategy: [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'Hi' }] });
    expect(server.requests).toHaveLength(4);
    expect(new Set(idsSent()).size).toBe(1);
    expect(idsSent()[0]).toMatch(UUID_V4);
  });

  it('sms.sendCampaign and multichannel.sendCampaign reuse their id across a 500 and a dropped connection', async () => {
    server.reply({ status: 500, json: serverError, headers: { 'retry-after': '0' } }, { drop: true }, { status: 200, json: campaignOk });
    await client.sms.sendCampaign({ groups: [1], from: 'InfoText', text: 'Hi' });
    expect(server.requests.map((r) => r.path)).toEqual(['/sms/campaign', '/sms/campaign', '/sms/campaign']);
    expect(new Set(idsSent()).size).toBe(1);
    expect(idsSent()[0]).toMatch(UUID_V4);

    server.reset();
    server.reply({ status: 503, json: serverError, headers: { 'retry-after': '0' } }, { status: 200, json: campaignOk });
    await client.multichannel.sendCampaign({ groups: [1], from: 'InfoText', strategy: [{ channel: 'whatsapp', templateId: 19 }, { channel: 'sms', text: 'Hi' }] });
    expect(server.requests).toHaveLength(2);
    expect(new Set(idsSent()).size).toBe(1);
  });

  it("keeps the caller's own idempotencyId on every retry", async () => {
    server.reply({ status: 500, json: serverError, headers: { 'retry-after': '0' } }, { status: 200, json: { info: {}, data: [] } });
    await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', idempotencyId: '46eddf49-4541-4ad6-8a8a-e151fc9a0c9e' });
    expect(idsSent()).toEqual(['46eddf49-4541-4ad6-8a8a-e151fc9a0c9e', '46eddf49-4541-4ad6-8a8a-e151fc9a0c9e']);
  });

  it('generates, for every paid send, an idempotencyId its spec and checks accept, generated only once the request passed them', async () => {
    server.replyAlways({ status: 200, json: campaignOk });
    const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'Hi' }] as const;
    const sends: Array<[OperationRules, () => Promise<unknown>]> = [
      [rules.sms.send, () => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' })],
      [rules.sms.sendCampaign, () => client.sms.sendCampaign({ groups: [12], from: 'InfoText', text: 'Hi' })],
      [rules.multichannel.send, () => client.multichannel.send({ to: ['+31612345678'], from: 'InfoText', strategy: [...strategy] })],
      [rules.multichannel.sendCampaign, () => client.multichannel.sendCampaign({ groups: [12], from: 'InfoText', strategy: [...strategy] })],
    ];
    for (const [operation, send] of sends) {
      server.reset();
      server.replyAlways({ status: 200, json: campaignOk });
      await send();
      const sent = server.requests[0]!.body as { idempotencyId: string };
      expect(sent.idempotencyId).toMatch(UUID_V4);
      expect(operationIssues(operation, sent)).toEqual([]);
    }
    // A refused request goes nowhere and leaves the caller's object as it was.
    server.reset();
    const refused = { to: ['+31612345678'], from: 'InfoText', text: 'Hi', dlrCallbackUrl: 'not a url' };
    await expect(client.sms.send(refused)).rejects.toMatchObject({ issues: [{ path: ['dlrCallbackUrl'], vendorCode: 1109 }] });
    expect(refused).not.toHaveProperty('idempotencyId');
    expect(server.requests).toEqual([]);
  });

  it('gives two logical sends two different ids', async () => {
    server.replyAlways({ status: 200, json: { info: {}, data: [] } });
    const request = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };
    await client.sms.send(request);
    await client.sms.send(request);
    const [first, second] = idsSent();
    expect(first).not.toBe(second);
    expect(request).not.toHaveProperty('idempotencyId');
  });

  it('stops after maxRetries and reports the last failure with the attempt count, every attempt with the same id', async () => {
    server.replyAlways({ status: 500, json: serverError, headers: { 'retry-after': '0', 'x-request-id': 'r-last' } });
    const error = (await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' }, { maxRetries: 2 }).catch((e: unknown) => e)) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    // A 500 may come after the vendor accepted: unknown outcome, and the key to resend with safely.
    expect(error).toMatchObject({ status: 500, attempts: 3, requestId: 'r-last', outcomeUnknown: true, dedupeKey: idsSent()[0] });
    expect(server.requests).toHaveLength(3);
    expect(new Set(idsSent()).size).toBe(1);
  });

  it('gives up on dropped connections as a ConnectionError after the retries', async () => {
    server.replyAlways({ drop: true });
    const error = (await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' }, { maxRetries: 1 }).catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.attempts).toBe(2);
    expect(new Set(idsSent()).size).toBe(1);
  });
});

describe('429 on a paid send', () => {
  it('is retried with the same idempotencyId, and a send that ends on 429 says the outcome is unknown (SMS.CX does not document a 429 as a refusal)', async () => {
    server.replyAlways({ status: 429, json: rateLimit, headers: { 'retry-after': '0' } });
    const error = await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' }, { maxRetries: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', attempts: 3, outcomeUnknown: true, dedupeKey: idsSent()[0] });
    expect(new Set(idsSent()).size).toBe(1);
  });
});

describe('retries of free and refunding operations', () => {
  it('retries an estimate and a delete, which cannot bill', async () => {
    server.reply({ status: 502, json: serverError, headers: { 'retry-after': '0' } }, { status: 200, json: { info: {}, data: [] } });
    await client.sms.estimate({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' });
    expect(server.requests).toHaveLength(2);
    expect(idsSent()).toEqual([undefined, undefined]);

    server.reset();
    server.reply({ drop: true }, { status: 200, json: { info: {} } });
    await client.multichannel.deleteScheduled('3328fe13-2b99-4282-b62e-d891f5e452a8');
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('times out a stalled answer per attempt and retries it', async () => {
    // Every attempt stalls, so the short timeout can only fire later on a loaded machine, never on
    // an answer that was merely slow.
    server.reply({ stall: true }, { stall: true });
    const error = await client.sms.estimate({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' }, { timeoutMs: 200, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 2 });
    expect(await server.received(2)).toHaveLength(2);
  });
});
