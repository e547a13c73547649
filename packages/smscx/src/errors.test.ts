// The vendor's documented error answers (specs/smscx.yaml components/examples and responses),
// served over HTTP, become typed errors with status, vendor code and type, message and request id.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  InsufficientCreditError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  invalidNumbers,
  parseSmscxError,
} from './errors';

const URI = 'https://sms.cx/sms-api-documentation/#section/Errors';
const REQUEST_ID = 'req-7a176840';
const body = (type: string, code: number, message: string, extra: object = {}) => ({ error: { type, code, message, uri: URI }, ...extra });

let server: Recorder;
let client: SmscxClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url, maxRetries: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const sms = { to: ['+31612345678'], from: 'InfoText', text: 'Hello' };
const smsCampaign = { groups: [1], from: 'InfoText', text: 'Hello' };
const mc = { to: ['+31612345678'], from: 'InfoText', strategy: [{ channel: 'viber' as const, templateId: 15 }, { channel: 'sms' as const, text: 'Hello' }] };
const mcCampaign = { groups: [1], from: 'InfoText', strategy: mc.strategy };
const MSG = '3328fe13-2b99-4282-b62e-d891f5e452a8';

type Call = () => Promise<unknown>;
const cases: Array<[name: string, call: Call, status: number, answer: ReturnType<typeof body>, Class: typeof ApiError, code: number]> = [
  ['sms.send: 400 invalid sender', () => client.sms.send(sms), 400, body('invalid_param', 1106, 'The parameter `from` is not valid (min 3, max 15 characters)'), BadRequestError, 1106],
  ['sms.send: 400 invalid idempotency id', () => client.sms.send(sms), 400, body('invalid_param', 1111, 'Idempotency Id provided is not a valid UUID (v1-v5)'), BadRequestError, 1111],
  ['sms.send: 400 insufficient credit', () => client.sms.send(sms), 400, body('insufficient_credit', 1113, 'Insufficient credit'), InsufficientCreditError, 1113],
  ['sms.estimate: 403 no coverage', () => client.sms.estimate(sms), 403, body('no_coverage', 1119, 'No coverage or restricted destination'), PermissionDeniedError, 1119],
  ['sms.sendCampaign: 400 invalid group', () => client.sms.sendCampaign(smsCampaign), 400, body('invalid_param', 1140, 'Group ID is not a valid group'), BadRequestError, 1140],
  ['sms.estimateCampaign: 400 scheduled in the past', () => client.sms.estimateCampaign(smsCampaign), 400, body('invalid_param', 1116, 'The scheduled date is in the past'), BadRequestError, 1116],
  ['sms.deleteScheduled: 400 invalid msgId', () => client.sms.deleteScheduled(MSG), 400, body('invalid_param', 1115, 'Message ID provided is not valid'), BadRequestError, 1115],
  ['sms.deleteScheduled: 403 not scheduled', () => client.sms.deleteScheduled(MSG), 403, body('access_denied', 1118, 'Only scheduled campaigns/messages can be deleted'), PermissionDeniedError, 1118],
  ['sms.deleteScheduled: 404 not found', () => client.sms.deleteScheduled(MSG), 404, body('not_found', 1100, 'Message ID provided was not found or is not scheduled'), NotFoundError, 1100],
  ['sms.deleteScheduledCampaign: 400 invalid campaignId', () => client.sms.deleteScheduledCampaign(MSG), 400, body('invalid_param', 1155, 'Campaign ID provided is not valid'), BadRequestError, 1155],
  ['sms.deleteScheduledCampaign: 404 not found', () => client.sms.deleteScheduledCampaign(MSG), 404, body('not_found', 1150, 'Campaign ID provided was not found or is not scheduled'), NotFoundError, 1150],
  ['multichannel.send: 400 sms not last', () => client.multichannel.send(mc), 400, body('invalid_param', 1122, 'The parameter `strategy` must have channel `sms` as last element'), BadRequestError, 1122],
  ['multichannel.send: 400 insufficient failover credit', () => client.multichannel.send(mc), 400, body('insufficient_credit', 1130, 'Insufficient credit for failover sending'), InsufficientCreditError, 1130],
  ['multichannel.estimate: 400 ttl too low', () => client.multichannel.estimate(mc), 400, body('invalid_param', 1125, 'Min value for `ttl` is 300 seconds'), BadRequestError, 1125],
  ['multichannel.estimate: 403 channel not active', () => client.multichannel.estimate(mc), 403, body('access_denied', 1131, 'The strategy contains channels that are not active: whatsapp'), PermissionDeniedError, 1131],
  ['multichannel.estimate: 403 template not approved', () => client.multichannel.estimate(mc), 403, body('access_denied', 1132, 'The template ID provided is not approved'), PermissionDeniedError, 1132],
  ['multichannel.sendCampaign: 400 duplicate channels', () => client.multichannel.sendCampaign(mcCampaign), 400, body('invalid_param', 1129, 'The parameter `strategy` contains duplicate channels'), BadRequestError, 1129],
  ['multichannel.estimateCampaign: 400 invalid group', () => client.multichannel.estimateCampaign(mcCampaign), 400, body('invalid_param', 1140, 'Group ID is not a valid group'), BadRequestError, 1140],
  ['multichannel.deleteScheduled: 404 not found', () => client.multichannel.deleteScheduled(MSG), 404, body('not_found', 1100, 'Message ID provided was not found or is not scheduled'), NotFoundError, 1100],
  ['multichannel.deleteScheduledCampaign: 403 not scheduled', () => client.multichannel.deleteScheduledCampaign(MSG), 403, body('access_denied', 1118, 'Only scheduled campaigns/messages can be deleted'), PermissionDeniedError, 1118],
  ['any operation: 401 invalid key', () => client.sms.send(sms), 401, body('invalid_api_key', 0, 'Invalid API key or access token'), AuthenticationError, 0],
  ['any operation: 403 insufficient scope', () => client.multichannel.send(mc), 403, body('insufficient_scope', 0, 'The Bearer token does not cover this resource'), PermissionDeniedError, 0],
  ['any operation: 405 invalid method', () => client.sms.estimate(sms), 405, body('invalid_method', 0, 'Method not allowed'), ApiError, 0],
  ['any operation: 429 rate limit', () => client.sms.send(sms), 429, body('rate_limit', 0, 'Too many requests'), RateLimitError, 0],
  ['any operation: 500 server error', () => client.sms.estimate(sms), 500, body('server_error', 0, 'Internal server error'), ServerError, 0],
];

describe('documented error answers', () => {
  it.each(cases)('%s becomes the typed error with status, vendor code, type, message and request id', async (_name, call, status, answer, Class, code) => {
    server.reply({ status, json: answer, headers: { 'x-request-id': REQUEST_ID } });
    const error = (await call().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, vendorCode: code, vendorType: answer.error.type, vendorMessage: answer.error.message, requestId: REQUEST_ID, body: answer });
    expect(error.message).toContain(answer.error.message);
    expect(error.headers['x-request-id']).toBe(REQUEST_ID);
    expect(server.requests).toHaveLength(1);
  });

  it('reads the invalid numbers at the top level and puts them in the message', async () => {
    const answer = body('invalid_param', 1210, 'The phone numbers provided are invalid', { invalid: ['+336123', '+441589945'] });
    server.reply({ status: 400, json: answer });
    const error = (await client.sms.send(sms).catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.vendorCode).toBe(1210);
    expect(error.message).toContain('invalid: +336123, +441589945');
    expect(invalidNumbers(error)).toEqual(['+336123', '+441589945']);
  });

  it('reads the invalid numbers inside error as the vendor README shows them', () => {
    const answer = { error: { type: 'invalid_param', code: 1207, message: 'The phone number provided is not valid', uri: URI, invalid: ['+4915'] } };
    expect(parseSmscxError(400, answer)).toEqual({ vendorType: 'invalid_param', vendorCode: 1207, message: 'The phone number provided is not valid (invalid: +4915)' });
    expect(invalidNumbers({ body: answer })).toEqual(['+4915']);
  });

  it('classifies insufficient_credit as InsufficientCreditError although its status is 400', () => {
    expect(parseSmscxError(400, body('insufficient_credit', 1114, 'Credit limit reached')).kind).toBe('insufficient_credit');
  });

  it('keeps the raw text of a body that is not JSON, in an ApiError of the status class', async () => {
    server.reply({ status: 502, text: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    const error = (await client.sms.estimate(sms).catch((e: unknown) => e)) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, vendorCode: undefined, body: '<html>Bad Gateway</html>' });
    expect(error.message).toContain('<html>Bad Gateway</html>');
  });

  it('reads an unknown JSON error shape without failing', async () => {
    server.reply({ status: 418, json: { oops: true } });
    const error = (await client.sms.estimate(sms).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 418, vendorCode: undefined, body: { oops: true } });
  });

  it('reads the rate-limit reset as the wait the vendor asked for', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.reply({ status: 429, json: body('rate_limit', 0, 'Too many requests'), headers: { 'x-rate-limit-reset': String(reset), 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0' } });
    const error = (await client.sms.send(sms, { maxRetries: 2 }).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    // An hour is too long to wait inside a call: the caller gets the error at once.
    expect(server.requests).toHaveLength(1);
  });
});
