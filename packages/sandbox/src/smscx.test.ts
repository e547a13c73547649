import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, smscxDate, startReceiver, UUID, type Receiver } from './test/helpers';
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

const sms = { to: ['+31612345678', '+447400123456'], from: 'InfoText', text: 'Your code is 1234' };

describe('SMS.CX sendSms', () => {
  it('accepts a send, answers per-recipient UUID ids, parts and costs, and records it', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', sms);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    expect(res.body.info).toMatchObject({ totalPhoneNumbers: 2, totalValid: 2, totalInvalid: 0, totalParts: 2, scheduled: false, phoneNumbersByCountry: { NL: 1, GB: 1 } });
    expect(res.body.info.campaignId).toMatch(UUID);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toMatchObject({ status: 'ACCEPTED', statusCode: 1, errorCode: null, to: '+31612345678', countryIso: 'NL', from: 'InfoText', parts: 1, textAnalysis: { length: 17, unicode: false, parts: 1 } });
    expect(res.body.data[0].msgId).toMatch(UUID);
    expect(res.body.info.totalCost).toBeCloseTo(res.body.data[0].cost + res.body.data[1].cost, 6);
    expect(sandbox.received('smscx')).toHaveLength(1);
    expect(sandbox.received('smscx')[0]).toMatchObject({ operationId: 'sendSms', method: 'POST', path: '/sms', body: sms });
    expect(sandbox.messages('smscx').map((m) => m.id)).toEqual(res.body.data.map((d: { msgId: string }) => d.msgId));
  });

  it('counts parts with the core segment counter (UCS-2 text of 71 characters is 2 parts)', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678'], text: 'é'.repeat(0) + 'Привет'.padEnd(71, 'ж') });
    expect(res.body.data[0]).toMatchObject({ parts: 2, textAnalysis: { unicode: true, parts: 2 } });
  });

  it('accepts a Bearer token as well as an API key', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', sms, { authorization: 'Bearer token' });
    expect(res.status).toBe(200);
  });

  it('answers 401 invalid_api_key without credentials or with the credential "invalid", and records nothing', async () => {
    for (const headers of [{}, { 'x-api-key': 'invalid' }, { authorization: 'Bearer invalid' }]) {
      const res = await call(sandbox, 'smscx', 'POST', '/sms', sms, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { type: 'invalid_api_key', code: 0, message: 'Invalid API key or access token', uri: expect.any(String) } });
    }
    expect(sandbox.received()).toHaveLength(0);
  });

  it.each([
    [{ ...sms, to: [] }, 1104],
    [{ from: 'InfoText', text: 'x' }, 1104],
    [{ ...sms, from: 'ThisSenderIsFarTooLong' }, 1106],
    [{ to: sms.to, text: 'x' }, 1105],
    [{ ...sms, text: '' }, 1107],
    [{ ...sms, idempotencyId: '46EDDF49-4541-4AD6-8A8A-E151FC9A0C9E' }, 1111],
    [{ ...sms, scheduledDate: 'tomorrow' }, 1108],
    [{ ...sms, dlrCallbackUrl: 'not a url' }, 1109],
    [{ ...sms, transliteration: { alphabet: 'KLINGON' } }, 1110],
    [{ ...sms, to: Array.from({ length: 25_001 }, (_, i) => `+3161${String(i).padStart(7, '0')}`) }, 1103],
  ])('rejects a request against the spec with the vendor code (%#)', async (body, code) => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_param', code, message: expect.any(String), uri: expect.any(String) });
    expect(sandbox.received()).toHaveLength(0);
  });

  it('rejects invalid phone numbers with 1210 listing them, unless allowInvalid skips them', async () => {
    const bad = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678', '+336123', '12'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 1210 }, invalid: ['+336123', '12'] });
    const one = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+336123'] });
    expect(one.body.error.code).toBe(1207);
    const skipped = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678', '+336123'], allowInvalid: true });
    expect(skipped.status).toBe(200);
    expect(skipped.body.info).toMatchObject({ totalPhoneNumbers: 2, totalValid: 1, totalInvalid: 1, invalid: ['+336123'] });
  });

  it('reads national numbers with countryIso', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['07400 123456'], countryIso: 'GB' });
    expect(res.body.data[0]).toMatchObject({ to: '+447400123456', countryIso: 'GB' });
  });

  it('replays the first answer for a repeated idempotencyId and records nothing new', async () => {
    const idempotencyId = crypto.randomUUID();
    const first = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, idempotencyId });
    const second = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, idempotencyId });
    expect(first.headers.get('x-idempotency-id')).toBe(idempotencyId);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-idempotency-id')).toBe(idempotencyId);
    expect(second.body).toEqual(first.body);
    expect(sandbox.received('smscx')).toHaveLength(1);
    expect(sandbox.messages('smscx')).toHaveLength(2);
  });

  it("accepts the seeds' trackData of version f and, as SMS.CX documents, discards it: no trackData in the answer, null in the report", async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: receiver.url, trackData: 'bf325375-e030-fccb-a009-17317c574773' });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).not.toHaveProperty('trackData');
    await sandbox.settled();
    const reports = (receiver.bodies[0] as { data: Array<{ trackData: unknown }> }).data;
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((report) => report.trackData === null)).toBe(true);
    receiver.bodies.length = 0;
  });

  it('posts delivery reports as {event: dlr_update, data} to dlrCallbackUrl, retrying a failing receiver', async () => {
    receiver.failNext(1);
    const trackData = crypto.randomUUID();
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: receiver.url, trackData });
    await sandbox.settled();
    expect(receiver.bodies).toHaveLength(1);
    const [report] = receiver.bodies;
    expect(report).toEqual({
      event: 'dlr_update',
      data: res.body.data.map((d: { msgId: string }) => ({
        campaignId: res.body.info.campaignId,
        msgId: d.msgId,
        trackData,
        statusCode: 3,
        status: 'DELIVERED',
        errorCode: null,
        datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      })),
    });
    expect(sandbox.deliveries('smscx')).toEqual([expect.objectContaining({ ok: true, attempts: 2, status: 200 })]);
    expect(sandbox.messages('smscx').every((m) => m.status === 'DELIVERED')).toBe(true);
    receiver.bodies.length = 0;
  });

  it('handles 25 000 recipients in one request, each with its own message id', async () => {
    const to = Array.from({ length: 25_000 }, (_, i) => `+316${String(10_000_000 + i)}`);
    const started = performance.now();
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { to, from: 'InfoText', text: 'Big campaign' });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.info.totalValid).toBe(25_000);
    expect(res.body.data).toHaveLength(25_000);
    expect(new Set(res.body.data.map((d: { msgId: string }) => d.msgId)).size).toBe(25_000);
    expect(sandbox.messages('smscx')).toHaveLength(25_000);
    // How long it took is printed for people, never asserted: timings on a shared machine are noise
    // (pnpm bench measures speed as ratios).
    console.info(`SMS.CX sandbox: one 25 000-recipient send took ${elapsed.toFixed(0)} ms`);
  });
});

describe('SMS.CX estimates', () => {
  it('estimate endpoints answer like a send but cost nothing and record nothing', async () => {
    const a = await call(sandbox, 'smscx', 'POST', '/sms/estimate', sms);
    expect(a.status).toBe(200);
    expect(a.body.info).toMatchObject({ totalValid: 2, totalParts: 2 });
    const b = await call(sandbox, 'smscx', 'POST', '/sms/campaign/estimate', { groups: [1], from: 'InfoText', text: 'Hi' });
    expect(b.body.info).toMatchObject({ totalValid: 3, groups: [{ id: 1, name: 'Customers NL', phoneNumbers: 3 }] });
    const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'Shipped' }];
    const c = await call(sandbox, 'smscx', 'POST', '/multichannel/estimate', { to: sms.to, from: 'InfoText', strategy });
    expect(c.body.data[0]).toMatchObject({ channel: 'viber', parts: 1, cost: 0.05 });
    const d = await call(sandbox, 'smscx', 'POST', '/multichannel/campaign/estimate', { groups: [1, 3], from: 'InfoText', strategy });
    expect(d.body.info).toMatchObject({ totalValid: 5, duplicatesRemoved: 1 });
    expect(sandbox.received()).toHaveLength(0);
    expect(sandbox.messages()).toHaveLength(0);
  });
});

describe('SMS.CX campaigns and multichannel', () => {
  it('sends a campaign to contact groups, removing duplicates across groups', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms/campaign', { groups: [1, 3], from: 'InfoText', text: 'Sale!' });
    expect(res.status).toBe(200);
    expect(res.body.info).toMatchObject({ totalValid: 5, duplicatesRemoved: 1, groups: [{ id: 1 }, { id: 3 }] });
    expect(sandbox.messages('smscx')).toHaveLength(5);
  });

  it('rejects an unknown group (1140) and an empty one (1102)', async () => {
    expect((await call(sandbox, 'smscx', 'POST', '/sms/campaign', { groups: [99], from: 'InfoText', text: 'x' })).body.error.code).toBe(1140);
    expect((await call(sandbox, 'smscx', 'POST', '/sms/campaign', { groups: [4], from: 'InfoText', text: 'x' })).body.error.code).toBe(1102);
    expect((await call(sandbox, 'smscx', 'POST', '/sms/campaign', { groups: [], from: 'InfoText', text: 'x' })).body.error.code).toBe(1101);
  });

  it('sends multichannel messages through the first channel of the strategy', async () => {
    const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'whatsapp', templateId: 19 }, { channel: 'sms', text: 'Shipped' }];
    const res = await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678'], from: 'InfoText', strategy, ttl: 300 });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ channel: 'viber', status: 'ACCEPTED', parts: 1 });
    const campaign = await call(sandbox, 'smscx', 'POST', '/multichannel/campaign', { groups: [2], from: 'InfoText', strategy });
    expect(campaign.body.info).toMatchObject({ totalValid: 2, groups: [{ id: 2 }] });
    expect(sandbox.received('smscx').map((r) => r.operationId)).toEqual(['sendMultichannel', 'sendMultichannelCampaign']);
  });

  it.each([
    [[{ channel: 'sms', text: 'x' }], 1121],
    [[{ channel: 'sms', text: 'x' }, { channel: 'viber', templateId: 1 }], 1122],
    [[{ channel: 'viber', templateId: 1 }, { channel: 'viber', templateId: 2 }, { channel: 'sms', text: 'x' }], 1129],
    [[{ channel: 'viber' }, { channel: 'sms', text: 'x' }], 1126],
    [[{ channel: 'viber', templateId: 1 }, { channel: 'sms' }], 1107],
    [[{ channel: 'telegram', templateId: 1 }, { channel: 'sms', text: 'x' }], 1123],
  ])('enforces the strategy rules with their vendor codes (%#)', async (strategy, code) => {
    const res = await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678'], from: 'InfoText', strategy });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('takes a 15-character Multichannel sender (the SDKs\' limit) and the vendor docs\' example idempotencyId; 16 characters is 1106', async () => {
    const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'Shipped' }];
    const res = await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678'], from: 'FifteenCharsAB1', strategy, idempotencyId: 'bf325375-e030-fccb-a009-17317c574773' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-idempotency-id')).toBe('bf325375-e030-fccb-a009-17317c574773');
    const long = await call(sandbox, 'smscx', 'POST', '/multichannel/campaign', { groups: [2], from: 'SixteenCharsLong', strategy });
    expect(long.body.error.code).toBe(1106);
  });

  it('enforces the ttl range (1125 below 300 s, 1134 above 14 days)', async () => {
    const strategy = [{ channel: 'viber', templateId: 1 }, { channel: 'sms', text: 'x' }];
    expect((await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678'], from: 'InfoText', strategy, ttl: 10 })).body.error.code).toBe(1125);
    expect((await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678'], from: 'InfoText', strategy, ttl: 2_000_000 })).body.error.code).toBe(1134);
  });
});

describe('SMS.CX scheduled messages', () => {
  it('deletes a scheduled SMS until it is due, then answers 404 1100 / 403 1118', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678'], scheduledDate: smscxDate(3_600_000) });
    expect(res.body.info.scheduled).toBe(true);
    expect(res.body.data[0]).toMatchObject({ status: 'SCHEDULED', statusCode: 0, scheduledAt: expect.any(String) });
    const msgId = res.body.data[0].msgId;
    const deleted = await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${msgId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ info: { msgId, parts: 1, creditReturned: res.body.data[0].cost, channel: 'sms' } });
    const again = await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${msgId}`);
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ type: 'not_found', code: 1100 });

    const now = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678'] });
    const late = await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${now.body.data[0].msgId}`);
    expect(late.status).toBe(403);
    expect(late.body.error).toMatchObject({ type: 'access_denied', code: 1118 });
    expect((await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${crypto.randomUUID()}`)).body.error.code).toBe(1100);
    expect((await call(sandbox, 'smscx', 'DELETE', '/sms/scheduled/NOT-A-UUID')).body.error.code).toBe(1115);
  });

  it('a scheduled message becomes undeletable once it falls due', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, to: ['+31612345678'], scheduledDate: new Date(Date.now() + 1500).toISOString() });
    expect(res.body.data[0].status).toBe('SCHEDULED');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const late = await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${res.body.data[0].msgId}`);
    expect(late.body.error.code).toBe(1118);
  });

  it('rejects a scheduledDate in the past with 1116', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, scheduledDate: '2001-01-01 10:00:00' });
    expect(res.body.error.code).toBe(1116);
  });

  it('deletes the scheduled part of a campaign, and multichannel messages and campaigns', async () => {
    const scheduledDate = smscxDate(3_600_000);
    const campaign = await call(sandbox, 'smscx', 'POST', '/sms/campaign', { groups: [1], from: 'InfoText', text: 'Later', scheduledDate });
    const id = campaign.body.info.campaignId;
    const deleted = await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/campaign/${id}`);
    expect(deleted.body.info).toMatchObject({ campaignId: id, totalPhoneNumbers: 3, phoneNumbersDeleted: 3, partsDeleted: 3, channel: 'sms' });
    expect((await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/campaign/${id}`)).body.error.code).toBe(1118);
    expect((await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/campaign/${crypto.randomUUID()}`)).body.error.code).toBe(1150);

    const strategy = [{ channel: 'viber', templateId: 1 }, { channel: 'sms', text: 'x' }];
    const mc = await call(sandbox, 'smscx', 'POST', '/multichannel', { to: ['+31612345678', '+4915112345678'], from: 'InfoText', strategy, scheduledDate });
    const one = await call(sandbox, 'smscx', 'DELETE', `/multichannel/scheduled/${mc.body.data[0].msgId}`);
    expect(one.body.info).toMatchObject({ channel: 'multichannel', parts: 1, creditReturned: 0.05 });
    const rest = await call(sandbox, 'smscx', 'DELETE', `/multichannel/scheduled/campaign/${mc.body.info.campaignId}`);
    expect(rest.body.info).toMatchObject({ totalPhoneNumbers: 2, phoneNumbersDeleted: 1, channel: 'multichannel' });
    expect(sandbox.messages('smscx').filter((m) => m.status === 'DELETED')).toHaveLength(5);
  });

  it('never posts delivery reports for deleted messages', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: receiver.url, scheduledDate: new Date(Date.now() + 300).toISOString() });
    await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${res.body.data[0].msgId}`);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await sandbox.settled();
    const [report] = (await receiver.waitFor(1)) as Array<{ data: Array<{ msgId: string }> }>;
    expect(report!.data.map((d) => d.msgId)).toEqual([res.body.data[1].msgId]);
    receiver.bodies.length = 0;
  });
});


