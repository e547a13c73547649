// Every constraint specs/smscx.yaml puts on a request (lengths, ranges, enums, patterns, list sizes,
// required fields, formats), read from the spec itself, is broken once on an otherwise valid request:
// the client must refuse it with an issue at that field, and nothing may reach the server.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { editedCopy, enforcement, requestConstraints } from '@msgkit/test-server/constraints';
import { loadSpec } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';

const spec = loadSpec('smscx');
let server: Recorder;
let client: SmscxClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url, maxRetries: 0, onNote: () => {} });
});
afterAll(() => server.close());

/** Each operation of the spec, called with the body and parameters in the generated models' names. */
const calls: Record<string, (body: never, params: Record<string, never>) => Promise<unknown>> = {
  sendSms: (body) => client.sms.send(body),
  estimateSms: (body) => client.sms.estimate(body),
  sendSmsCampaign: (body) => client.sms.sendCampaign(body),
  estimateSmsCampaign: (body) => client.sms.estimateCampaign(body),
  deleteScheduledSms: (_body, params) => client.sms.deleteScheduled(params.msgId),
  deleteScheduledSmsCampaign: (_body, params) => client.sms.deleteScheduledCampaign(params.campaignId),
  sendMultichannel: (body) => client.multichannel.send(body),
  estimateMultichannel: (body) => client.multichannel.estimate(body),
  sendMultichannelCampaign: (body) => client.multichannel.sendCampaign(body),
  estimateMultichannelCampaign: (body) => client.multichannel.estimateCampaign(body),
  deleteScheduledMultichannel: (_body, params) => client.multichannel.deleteScheduled(params.msgId),
  deleteScheduledMultichannelCampaign: (_body, params) => client.multichannel.deleteScheduledCampaign(params.campaignId),
  getSingleReport: (_body, params) => client.reports.single(params.msgId),
  getCampaignReport: (_body, { campaignId, ...page }) => client.reports.campaign(campaignId, page),
};

describe('the constraints of specs/smscx.yaml', () => {
  it('are each refused before the wire, with an issue at the field that breaks them', async () => {
    const { checked, unenforced } = await enforcement(spec, calls, server);
    expect(unenforced).toEqual([]);
    expect(checked).toBe(requestConstraints(spec).length);
    expect(checked).toBeGreaterThan(150);
  });

  it('fail the test when a copy of the spec gains a limit the generated checks do not have (maxLength 64 on sendSms text)', async () => {
    const copy = editedCopy(spec, (edited) => {
      edited.components.schemas.SendSmsRequest.properties.text.maxLength = 64;
    });
    const { unenforced } = await enforcement(copy, calls, server, { operations: ['sendSms'] });
    expect(unenforced).toEqual([{ constraint: 'sendSms body text maxLength 64', why: '1 request(s) reached the server' }]);
  });

  it('fail the test when a copy of the spec gains a new optional field with maxLength 64 that no check knows', async () => {
    const copy = editedCopy(spec, (edited) => {
      edited.components.schemas.SendSmsRequest.properties.customerRef = { type: 'string', maxLength: 64 };
    });
    const { unenforced } = await enforcement(copy, calls, server, { operations: ['sendSms'] });
    expect(unenforced).toEqual([{ constraint: 'sendSms body customerRef maxLength 64', why: '1 request(s) reached the server' }]);
  });
});
