// What goes out for each of the 14 operations, and how the vendor's documented 200 examples
// (specs/smscx.yaml components/examples) come back, over real HTTP to a recording server.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Note } from '@msgkit/core';
import { SmscxClient } from './client';

const API_KEY = 'test-key-0123456789';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const REQUEST_ID = '7a176840-d0d2-4c39-b2e8-585331bfe43b';

let server: Recorder;
let client: SmscxClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: API_KEY, baseUrl: `${server.url}/`, maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const ok = (json: unknown, headers: Record<string, string> = {}) => ({ status: 200, json, headers: { 'x-request-id': REQUEST_ID, 'x-response-time': '87ms', ...headers } });

const sendSmsOk = {
  info: { campaignId: 'd6dd39e8-d609-4350-8e58-03a3beda1b18', totalPhoneNumbers: 2, totalValid: 2, totalInvalid: 0, totalCost: 0.142, totalParts: 2, dlrCallbackUrl: 'https://example.com/webhooks/smscx-dlr', phoneNumbersByCountry: { NL: 1, GB: 1 }, scheduled: false, totalInQuietHours: 0 },
  data: [
    { msgId: '4e9ae8ce-795c-425d-868e-3fff9d781702', status: 'ACCEPTED', statusCode: 1, errorCode: null, createdAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.074, to: '+31612345678', countryIso: 'NL', from: 'InfoText', text: 'Your confirmation code is 604213 https://en.ax/o/Xk3', parts: 1, textAnalysis: { length: 52, unicode: false, parts: 1 }, trackData: '1465e231-ba8c-4b63-8be8-1eb3ccdcfe2e' },
    { msgId: 'a91c8340-187e-4f66-a0d7-4cbab157268b', status: 'ACCEPTED', statusCode: 1, errorCode: null, createdAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.068, to: '+447400123456', countryIso: 'GB', from: 'InfoText', text: 'Your confirmation code is 118790 https://en.ax/o/Xk4', parts: 1, textAnalysis: { length: 52, unicode: false, parts: 1 }, trackData: '1465e231-ba8c-4b63-8be8-1eb3ccdcfe2e' },
  ],
};
const sendSmsCampaignOk = {
  info: {
    campaignId: '13300b0a-7f53-41cb-9f01-ad6def2a88cc', totalPhoneNumbers: 3, totalValid: 3, totalInvalid: 0, totalCost: 0.222, totalParts: 3, duplicatesRemoved: 0, dlrCallbackUrl: null, phoneNumbersByCountry: { NL: 1432, DE: 1336, FR: 795 }, groups: [{ id: 1, name: 'Customers NL', phoneNumbers: 3 }], scheduled: true, totalInQuietHours: 0,
    transliterationAnalysis: { totalOriginalCost: 0.444, totalOriginalParts: 6, totalReplacedCost: 0.222, totalReplacedParts: 3, totalCostSaved: 0.222, totalPartsSaved: 3, text: { original: { text: 'Bună ziua Ana', length: 13, parts: 1, encoding: 'UCS-2' }, replaced: { text: 'Buna ziua Ana', length: 13, parts: 1, encoding: 'GSM-7', characters: { 'ă': 1 } } } },
  },
  data: [{ msgId: '70a5ad8a-d695-4fe2-8d34-95e0fcb0ace2', status: 'SCHEDULED', statusCode: 0, errorCode: null, createdAt: '2030-06-20T09:00:00+00:00', scheduledAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.074, to: '+31612345678', countryIso: 'NL', from: 'InfoText', text: 'Hello Ana de Vries This is example text https://en.ax/o/Xk5', parts: 1, textAnalysis: { length: 60, unicode: false, parts: 1 } }],
};
const sendMultichannelOk = {
  info: { campaignId: '5a616c0f-3410-4964-9758-058e5c744d3e', totalPhoneNumbers: 1, totalValid: 1, totalInvalid: 0, totalCost: 0.05, totalParts: 1, dlrCallbackUrl: 'https://example.com/webhooks/smscx-dlr', phoneNumbersByCountry: { NL: 1 }, scheduled: false },
  data: [{ msgId: 'de1e5978-0df4-44bd-80f2-339c5e840801', channel: 'viber', status: 'ACCEPTED', statusCode: 1, errorCode: null, createdAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.05, to: '+31612345678', countryIso: 'NL', from: 'InfoText', text: 'Your order 1234 has shipped.', parts: 1 }],
};
const sendMultichannelCampaignOk = {
  info: { campaignId: '10c6106d-0f5b-4712-a3ea-0b27191da704', totalPhoneNumbers: 3, totalValid: 2, totalInvalid: 1, totalCost: 0.1, totalParts: 2, duplicatesRemoved: 1, dlrCallbackUrl: null, phoneNumbersByCountry: { NL: 1, DE: 1 }, groups: [{ id: 1, name: 'Customers NL', phoneNumbers: 2 }, { id: 4, name: 'Customers DE', phoneNumbers: 2 }], scheduled: false, totalInQuietHours: 0, invalid: ['+4915'] },
  data: [
    { msgId: '3fe2f8d8-5d7d-41e0-9d18-315c6a0b3119', channel: 'whatsapp', status: 'ACCEPTED', statusCode: 1, errorCode: null, createdAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.05, to: '+31612345678', countryIso: 'NL', from: 'InfoText', text: 'Hello Ana, our summer sale starts today.', parts: 1 },
    { msgId: '881b5d6e-9312-4273-939d-e9d8b0de1793', channel: 'whatsapp', status: 'ACCEPTED', statusCode: 1, errorCode: null, createdAt: '2030-06-23T14:26:10+00:00', inQuietHours: false, cost: 0.05, to: '+4915112345678', countryIso: 'DE', from: 'InfoText', text: 'Hello Jonas, our summer sale starts today.', parts: 1 },
  ],
};
const deleteSmsOk = { info: { msgId: '3328fe13-2b99-4282-b62e-d891f5e452a8', parts: 2, creditReturned: 0.148, channel: 'sms' } };
const deleteMultichannelOk = { info: { msgId: '3328fe13-2b99-4282-b62e-d891f5e452a8', parts: 1, creditReturned: 0.05, channel: 'multichannel' } };
const deleteSmsCampaignOk = { info: { campaignId: 'cbb72a72-0dfa-4288-b3d0-05fab904f0b2', totalPhoneNumbers: 3563, totalParts: 3563, phoneNumbersDeleted: 3563, partsDeleted: 3563, creditReturned: 263.662, channel: 'sms' } };
const deleteMultichannelCampaignOk = { info: { campaignId: 'cbb72a72-0dfa-4288-b3d0-05fab904f0b2', totalPhoneNumbers: 4, totalParts: 4, phoneNumbersDeleted: 4, partsDeleted: 4, creditReturned: 0.2, channel: 'multichannel' } };

// The spec's request examples (without their idempotencyId, which the client must add itself).
const smsBody = {
  to: ['+31612345678', '+447400123456'],
  from: 'InfoText',
  text: 'Your confirmation code is {{numbers:6}} {{optoutLink}}',
  allowInvalid: true,
  dlrCallbackUrl: 'https://example.com/webhooks/smscx-dlr',
  trackData: '1465e231-ba8c-4b63-8be8-1eb3ccdcfe2e',
  transliteration: { alphabet: 'NONE' as const, removeEmojis: false },
};
const smsCampaignBody = { groups: [1], from: 'InfoText', text: 'Hello {{firstName}} {{lastName}} This is example text {{optoutLink}}', scheduledDate: '2030-06-23 14:26:10', isUtc: true, dlrCallbackUrl: 'https://example.com/webhooks/smscx-dlr' };
const mcBody = {
  to: ['+31612345678'],
  from: 'InfoText',
  strategy: [{ channel: 'viber' as const, templateId: 15 }, { channel: 'whatsapp' as const, templateId: 19 }, { channel: 'sms' as const, text: 'Your order 1234 has shipped.' }],
  ttl: 300,
  dlrCallbackUrl: 'https://example.com/webhooks/smscx-dlr',
};
const mcCampaignBody = { groups: [1, 4], from: 'InfoText', strategy: [{ channel: 'whatsapp' as const, templateId: 19 }, { channel: 'sms' as const, text: 'Hello {{firstName}}, our summer sale starts today.' }], ttl: 3600 };

function expectPostHeaders() {
  const headers = server.requests[0]!.headers;
  expect(headers['x-api-key']).toBe(API_KEY);
  expect(headers.authorization).toBeUndefined();
  expect(headers['content-type']).toBe('application/json');
}

describe('SmscxClient.sms', () => {
  it('send POSTs /sms with X-API-KEY, the documented body and a generated v4 idempotencyId, and parses the documented answer', async () => {
    server.reply(ok(sendSmsOk, { 'x-idempotency-id': '46eddf49-4541-4ad6-8a8a-e151fc9a0c9e' }));
    const result = await client.sms.send(smsBody);
    expect(server.requests).toHaveLength(1);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/sms']);
    expectPostHeaders();
    const { idempotencyId, ...rest } = body as { idempotencyId: string };
    expect(rest).toEqual(smsBody);
    expect(idempotencyId).toMatch(UUID_V4);
    expect(result.info.campaignId).toBe('d6dd39e8-d609-4350-8e58-03a3beda1b18');
    expect(result.data[1]).toMatchObject({ to: '+447400123456', countryIso: 'GB', cost: 0.068, status: 'ACCEPTED' });
    expect(result.data[0]!.createdAt).toEqual(new Date('2030-06-23T14:26:10Z'));
    expect(result.requestId).toBe(REQUEST_ID);
    expect(Object.keys(result)).toEqual(['info', 'data']);
  });

  it("send accepts the vendor docs' example idempotencyId (version digit f) and sends it unchanged", async () => {
    server.reply(ok(sendSmsOk));
    await client.sms.send({ ...smsBody, idempotencyId: 'bf325375-e030-fccb-a009-17317c574773' });
    expect((server.requests[0]!.body as { idempotencyId: string }).idempotencyId).toBe('bf325375-e030-fccb-a009-17317c574773');
  });

  it("send and multichannel.send accept the seeds' own trackData (version digit f), send it unchanged, and note that SMS.CX may drop it", async () => {
    const notes: Note[] = [];
    const noting = new SmscxClient({ apiKey: API_KEY, baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
    const seedTrackData = 'bf325375-e030-fccb-a009-17317c574773';
    server.reply(ok(sendSmsOk), ok(sendMultichannelOk));
    await noting.sms.send({ ...smsBody, trackData: seedTrackData });
    await noting.multichannel.send({ ...mcBody, trackData: seedTrackData });
    expect(server.requests.map((r) => (r.body as { trackData: string }).trackData)).toEqual([seedTrackData, seedTrackData]);
    expect(notes).toEqual([
      expect.objectContaining({ path: ['trackData'], code: 'uuid_version', message: expect.stringContaining('discard') }),
      expect.objectContaining({ path: ['trackData'], code: 'uuid_version' }),
    ]);
    server.reply(ok(sendSmsOk));
    await noting.sms.send(smsBody);
    expect(notes).toHaveLength(2);
  });

  it('send takes a Date scheduledDate and sends the documented YYYY-MM-DD HH:MM:SS in UTC', async () => {
    server.reply(ok(sendSmsOk));
    await client.sms.send({ ...smsBody, scheduledDate: new Date('2030-06-23T16:26:10+02:00') });
    expect((server.requests[0]!.body as { scheduledDate: string; isUtc?: boolean }).scheduledDate).toBe('2030-06-23 14:26:10');
    server.reply(ok(sendSmsCampaignOk));
    await client.sms.sendCampaign({ ...smsCampaignBody, scheduledDate: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) });
    expect(server.requests[1]!.body).toMatchObject({ scheduledDate: '2030-01-02 03:04:05', isUtc: true });
  });

  it('send keeps an idempotencyId the caller gave', async () => {
    server.reply(ok(sendSmsOk));
    await client.sms.send({ ...smsBody, idempotencyId: '46eddf49-4541-4ad6-8a8a-e151fc9a0c9e' });
    expect((server.requests[0]!.body as { idempotencyId: string }).idempotencyId).toBe('46eddf49-4541-4ad6-8a8a-e151fc9a0c9e');
  });

  it('estimate POSTs /sms/estimate with the body as given and no idempotencyId', async () => {
    server.reply(ok(sendSmsOk));
    const request = { to: ['+31612345678', '+447400123456'], from: 'InfoText', text: 'Your confirmation code is {{numbers:6}} {{optoutLink}}', countryIso: 'NL', allowInvalid: false };
    const result = await client.sms.estimate(request);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/sms/estimate']);
    expectPostHeaders();
    expect(body).toEqual(request);
    expect(result.info.totalCost).toBe(0.142);
    expect(result.requestId).toBe(REQUEST_ID);
  });

  it('sendCampaign POSTs /sms/campaign with a generated idempotencyId and parses the documented answer', async () => {
    server.reply(ok(sendSmsCampaignOk));
    const result = await client.sms.sendCampaign(smsCampaignBody);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/sms/campaign']);
    expectPostHeaders();
    const { idempotencyId, ...rest } = body as { idempotencyId: string };
    expect(rest).toEqual(smsCampaignBody);
    expect(idempotencyId).toMatch(UUID_V4);
    expect(result.info.groups).toEqual([{ id: 1, name: 'Customers NL', phoneNumbers: 3 }]);
    expect(result.info.transliterationAnalysis?.text?.replaced?.characters).toEqual({ 'ă': 1 });
    expect(result.data[0]!.scheduledAt).toEqual(new Date('2030-06-23T14:26:10Z'));
  });

  it('estimateCampaign POSTs /sms/campaign/estimate with the body as given', async () => {
    server.reply(ok(sendSmsCampaignOk));
    const request = { groups: [1], from: 'InfoText', text: 'Hello {{firstName}} {{lastName}} This is example text {{optoutLink}}' };
    const result = await client.sms.estimateCampaign(request);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/sms/campaign/estimate']);
    expectPostHeaders();
    expect(body).toEqual(request);
    expect(result.info.totalCost).toBe(0.222);
  });

  it('deleteScheduled sends DELETE /sms/scheduled/{msgId} with no body and parses the refund', async () => {
    server.reply(ok(deleteSmsOk));
    const result = await client.sms.deleteScheduled('3328fe13-2b99-4282-b62e-d891f5e452a8');
    const { method, path, text, headers } = server.requests[0]!;
    expect([method, path, text]).toEqual(['DELETE', '/sms/scheduled/3328fe13-2b99-4282-b62e-d891f5e452a8', '']);
    expect(headers['x-api-key']).toBe(API_KEY);
    expect(result).toEqual(deleteSmsOk);
    expect(result.requestId).toBe(REQUEST_ID);
  });

  it('deleteScheduledCampaign sends DELETE /sms/scheduled/campaign/{campaignId}, lowering a pasted upper-case id', async () => {
    server.reply(ok(deleteSmsCampaignOk));
    const result = await client.sms.deleteScheduledCampaign('CBB72A72-0DFA-4288-B3D0-05FAB904F0B2');
    const { method, path } = server.requests[0]!;
    expect([method, path]).toEqual(['DELETE', '/sms/scheduled/campaign/cbb72a72-0dfa-4288-b3d0-05fab904f0b2']);
    expect(result).toEqual(deleteSmsCampaignOk);
  });
});

describe('SmscxClient.multichannel', () => {
  it('send POSTs /multichannel with the strategy as given and a generated idempotencyId', async () => {
    server.reply(ok(sendMultichannelOk));
    const result = await client.multichannel.send(mcBody);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/multichannel']);
    expectPostHeaders();
    const { idempotencyId, ...rest } = body as { idempotencyId: string };
    expect(rest).toEqual(mcBody);
    expect(idempotencyId).toMatch(UUID_V4);
    expect(result.data[0]).toMatchObject({ channel: 'viber', status: 'ACCEPTED', parts: 1 });
    expect(result.requestId).toBe(REQUEST_ID);
  });

  it('send takes a 15-character sender, as the vendor SDKs validate it, and sends it unchanged', async () => {
    server.reply(ok(sendMultichannelOk));
    await client.multichannel.send({ ...mcBody, from: 'FifteenCharsAB1' });
    expect((server.requests[0]!.body as { from: string }).from).toBe('FifteenCharsAB1');
  });

  it('estimate POSTs /multichannel/estimate with no idempotencyId', async () => {
    server.reply(ok(sendMultichannelOk));
    const request = { to: ['+31612345678'], from: 'InfoText', strategy: [{ channel: 'viber' as const, templateId: 15 }, { channel: 'sms' as const, text: 'Your order 1234 has shipped.' }] };
    const result = await client.multichannel.estimate(request);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/multichannel/estimate']);
    expectPostHeaders();
    expect(body).toEqual(request);
    expect(result.info.totalCost).toBe(0.05);
  });

  it('sendCampaign POSTs /multichannel/campaign with a generated idempotencyId and parses the documented answer', async () => {
    server.reply(ok(sendMultichannelCampaignOk));
    const result = await client.multichannel.sendCampaign(mcCampaignBody);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/multichannel/campaign']);
    expectPostHeaders();
    const { idempotencyId, ...rest } = body as { idempotencyId: string };
    expect(rest).toEqual(mcCampaignBody);
    expect(idempotencyId).toMatch(UUID_V4);
    expect(result.info.invalid).toEqual(['+4915']);
    expect(result.data.map((m) => m.to)).toEqual(['+31612345678', '+4915112345678']);
  });

  it('estimateCampaign POSTs /multichannel/campaign/estimate with the body as given', async () => {
    server.reply(ok(sendMultichannelCampaignOk));
    const { ttl: _ttl, ...request } = mcCampaignBody;
    await client.multichannel.estimateCampaign(request);
    const { method, path, body } = server.requests[0]!;
    expect([method, path]).toEqual(['POST', '/multichannel/campaign/estimate']);
    expect(body).toEqual(request);
  });

  it('deleteScheduled sends DELETE /multichannel/scheduled/{msgId}', async () => {
    server.reply(ok(deleteMultichannelOk));
    const result = await client.multichannel.deleteScheduled('3328fe13-2b99-4282-b62e-d891f5e452a8');
    const { method, path } = server.requests[0]!;
    expect([method, path]).toEqual(['DELETE', '/multichannel/scheduled/3328fe13-2b99-4282-b62e-d891f5e452a8']);
    expect(result).toEqual(deleteMultichannelOk);
  });

  it('deleteScheduledCampaign sends DELETE /multichannel/scheduled/campaign/{campaignId}', async () => {
    server.reply(ok(deleteMultichannelCampaignOk));
    const result = await client.multichannel.deleteScheduledCampaign('cbb72a72-0dfa-4288-b3d0-05fab904f0b2');
    const { method, path } = server.requests[0]!;
    expect([method, path]).toEqual(['DELETE', '/multichannel/scheduled/campaign/cbb72a72-0dfa-4288-b3d0-05fab904f0b2']);
    expect(result).toEqual(deleteMultichannelCampaignOk);
  });
});

const MSG_ID = '9eeed792-9c8c-463c-a8e2-43ebf4494c02';
const CAMPAIGN_ID = '4baf0298-0c21-4df1-a60a-6e3476e95e0b';
const delivered = { msgId: MSG_ID, status: 'DELIVERED', statusCode: 3, errorCode: null, inQuietHours: false, createdAt: '2023-02-19T10:15:00+00:00', updatedAt: '2023-02-19T10:15:07+00:00', cost: 0.068, to: '+447400123456', countryIso: 'GB', from: 'InfoText', text: 'Your order has shipped', source: 'api', channel: 'sms', textAnalysis: { length: 22, unicode: false, parts: 1 } };
const failed = { ...delivered, msgId: '1c6b1f0e-5a3f-4d67-9d8e-0e7f1a2b3c4d', status: 'FAILED', statusCode: 4, errorCode: 1, updatedAt: '2023-02-19T10:16:30+00:00', to: '+447400123457', textAnalysis: undefined };
const campaignReportOk = { info: { campaignId: CAMPAIGN_ID, campaignName: 'API', totalPhoneNumbers: 2, totalCost: 0.136, totalParts: 2, channel: 'sms' }, data: [delivered, failed], paging: { next: 'NTM2NTA', previous: null, size: 2 } };

describe('SmscxClient.reports', () => {
  it('single GETs /reports/single/{msgId} with no body, lowering a pasted upper-case id, and parses the documented answer', async () => {
    server.reply(ok({ data: delivered }));
    const result = await client.reports.single(MSG_ID.toUpperCase());
    const { method, path, text, headers } = server.requests[0]!;
    expect([method, path, text, headers['x-api-key']]).toEqual(['GET', `/reports/single/${MSG_ID}`, '', API_KEY]);
    expect(result.data).toMatchObject({ msgId: MSG_ID, status: 'DELIVERED', errorCode: null, to: '+447400123456' });
    expect(result.data.createdAt).toEqual(new Date('2023-02-19T10:15:00Z'));
    expect(result.requestId).toBe(REQUEST_ID);
  });

  it('campaign GETs /reports/campaigns/{campaignId} with the page size and cursor, and parses a page with a null-cursor field', async () => {
    server.reply(ok(campaignReportOk));
    const result = await client.reports.campaign(CAMPAIGN_ID, { limit: 2, next: 'NTQxNTA' });
    const { method, path, query } = server.requests[0]!;
    expect([method, path, query]).toEqual(['GET', `/reports/campaigns/${CAMPAIGN_ID}`, { limit: '2', next: 'NTQxNTA' }]);
    expect(result.data.map((m) => [m.msgId, m.status, m.errorCode])).toEqual([
      [MSG_ID, 'DELIVERED', null],
      ['1c6b1f0e-5a3f-4d67-9d8e-0e7f1a2b3c4d', 'FAILED', 1],
    ]);
    expect(result.paging).toEqual({ next: 'NTM2NTA', previous: null, size: 2 });
  });

  it('refuses an id that is not a lowercase UUID with the code SMS.CX documents for each report, and a page size outside 1–500, sending nothing', async () => {
    await expect(client.reports.single('12')).rejects.toMatchObject({ issues: [{ path: ['msgId'], code: 'uuid_invalid', vendorCode: 1165 }] });
    await expect(client.reports.campaign('../x')).rejects.toMatchObject({ issues: [{ path: ['campaignId'], code: 'uuid_invalid', vendorCode: 1155 }] });
    // The page size is the spec's getCampaignReport `limit` (generated checks): an int32 from 1 to 500.
    for (const [limit, code] of [[0, 'too_small'], [501, 'too_big'], [2.5, 'invalid_type']] as const) {
      await expect(client.reports.campaign(CAMPAIGN_ID, { limit })).rejects.toMatchObject({ issues: [{ path: ['limit'], code }] });
    }
    await expect(client.reports.campaign(CAMPAIGN_ID, { cursor: 'x' } as never)).rejects.toMatchObject({ issues: [{ path: ['cursor'], code: 'unknown_field' }] });
    expect(server.requests).toHaveLength(0);
  });

  it('turns the documented 404 / 1160 into a NotFoundError carrying the vendor code', async () => {
    server.reply({ status: 404, json: { error: { type: 'not_found', code: 1160, message: 'Campaign ID or msg ID provided was not found', uri: 'https://sms.cx/sms-api-documentation/#section/Errors' } } });
    await expect(client.reports.single(MSG_ID)).rejects.toMatchObject({ name: 'NotFoundError', status: 404, vendorCode: 1160, vendorType: 'not_found' });
  });

  it('asks again after a 500, as a read may', async () => {
    const retrying = new SmscxClient({ apiKey: API_KEY, baseUrl: server.url, maxRetries: 1 });
    server.reply({ status: 500, json: { error: { type: 'server_error', code: 0, message: 'Internal server error', uri: 'x' } } }, ok({ data: delivered }));
    expect((await retrying.reports.single(MSG_ID)).data.status).toBe('DELIVERED');
    expect(server.requests).toHaveLength(2);
  });
});

describe('authentication and numbers', () => {
  it('sends an access token as Authorization: Bearer and no X-API-KEY', async () => {
    const bearer = new SmscxClient({ accessToken: 'tok-abc', baseUrl: server.url });
    server.reply(ok(deleteSmsOk));
    await bearer.sms.deleteScheduled('3328fe13-2b99-4282-b62e-d891f5e452a8');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer tok-abc');
    expect(server.requests[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('refuses at construction a client with no credential, or with both, without any request', () => {
    // With neither given nor set in the environment (credential reading: client-options.test.ts).
    expect(() => new SmscxClient({ baseUrl: server.url })).toThrow(/SMSCX_API_KEY or SMSCX_ACCESS_TOKEN in the environment \(or the apiKey \/ accessToken option\)/);
    expect(() => new SmscxClient({ apiKey: '', baseUrl: server.url })).toThrow(/required/);
    expect(() => new SmscxClient({ apiKey: 'a', accessToken: 'b', baseUrl: server.url })).toThrow(/not both/);
    expect(server.requests).toHaveLength(0);
  });

  it('sends numbers pasted in common formats as unique E.164, using the client defaultCountry', async () => {
    const gb = new SmscxClient({ apiKey: API_KEY, baseUrl: server.url, defaultCountry: 'GB' });
    server.reply(ok(sendSmsOk));
    await gb.sms.estimate({
      to: ['07400 123456', '+44 (0)7400 123457', '0044 7400-123458', 'tel:+31-6-1234-5678', '+31 6 12 34 56 79', '07400.123.456', '\u00a0+49 151 12345678'],
      from: 'InfoText',
      text: 'Hi',
    });
    expect((server.requests[0]!.body as { to: string[] }).to).toEqual(['+447400123456', '+447400123457', '+447400123458', '+31612345678', '+31612345679', '+4915112345678']);
  });

  it("reads national numbers in the request's countryIso before the client's defaultCountry", async () => {
    const gb = new SmscxClient({ apiKey: API_KEY, baseUrl: server.url, defaultCountry: 'GB' });
    server.reply(ok(sendMultichannelOk));
    await gb.multichannel.estimate({ to: ['06 12345678'], countryIso: 'NL', from: 'InfoText', strategy: mcBody.strategy });
    expect(server.requests[0]!.body).toMatchObject({ to: ['+31612345678'], countryIso: 'NL' });
  });

  it('passes invalid numbers through untouched when allowInvalid is set, so the vendor lists them in info.invalid', async () => {
    server.reply(ok(sendSmsOk));
    await client.sms.estimate({ to: ['+31612345678', '+336123'], from: 'InfoText', text: 'Hi', allowInvalid: true });
    expect((server.requests[0]!.body as { to: string[] }).to).toEqual(['+31612345678', '+336123']);
  });
});
