// Every request example of specs/smscx.yaml (from the vendor's SDK docs, seeds 000/001, with the
// seeds' own trackData and idempotencyId values) must pass msgkit's rules and reach the wire with
// every field. A refused example, or a field missing from what was sent, fails here.
import type { Note } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { exampleOnWire, loadSpec, requestExamples } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
import {
  EstimateMultichannelCampaignRequestFromJSON,
  EstimateMultichannelRequestFromJSON,
  EstimateSmsCampaignRequestFromJSON,
  EstimateSmsRequestFromJSON,
  SendMultichannelCampaignRequestFromJSON,
  SendMultichannelRequestFromJSON,
  SendSmsCampaignRequestFromJSON,
  SendSmsRequestFromJSON,
} from './generated/models/index';

const spec = loadSpec('smscx');
let server: Recorder;
let client: SmscxClient;
const notes: Note[] = [];
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
});
afterAll(() => server.close());

const calls: Record<string, (example: unknown) => Promise<unknown>> = {
  sendSms: (example) => client.sms.send(SendSmsRequestFromJSON(example)),
  estimateSms: (example) => client.sms.estimate(EstimateSmsRequestFromJSON(example)),
  sendSmsCampaign: (example) => client.sms.sendCampaign(SendSmsCampaignRequestFromJSON(example)),
  estimateSmsCampaign: (example) => client.sms.estimateCampaign(EstimateSmsCampaignRequestFromJSON(example)),
  sendMultichannel: (example) => client.multichannel.send(SendMultichannelRequestFromJSON(example)),
  estimateMultichannel: (example) => client.multichannel.estimate(EstimateMultichannelRequestFromJSON(example)),
  sendMultichannelCampaign: (example) => client.multichannel.sendCampaign(SendMultichannelCampaignRequestFromJSON(example)),
  estimateMultichannelCampaign: (example) => client.multichannel.estimateCampaign(EstimateMultichannelCampaignRequestFromJSON(example)),
};
const examples = requestExamples(spec);

describe('every vendor example', () => {
  it('covers every operation that takes a body, and carries the seeds\' trackData', () => {
    expect(new Set(examples.map((e) => e.operationId))).toEqual(new Set(Object.keys(calls)));
    expect(examples.some((e) => (e.value as { trackData?: string }).trackData === 'bf325375-e030-fccb-a009-17317c574773')).toBe(true);
  });

  it.each(examples.map((e) => [`${e.operationId}, the spec's ${e.name}`, e.operationId, e.value] as const))('passes the rules and reaches the wire whole: %s', async (_name, operationId, example) => {
    expect(await exampleOnWire(server, spec, operationId, example, calls[operationId]!)).toEqual({ requests: 1, missing: [] });
  });
});
