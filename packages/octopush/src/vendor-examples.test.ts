// Every request example of specs/octopush.yaml (the SEED's per-channel examples, its live_chat
// conversation id included, and DEV's) must pass msgkit's rules and reach the wire with every
// field. A refused example, or a field missing from what was sent, fails here.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { exampleOnWire, loadSpec, requestExamples } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctopushClient } from './client';
import { CancelMultichannelRequestFromJSON, CancelSmsCampaignRequestFromJSON, SendMultichannelRequestFromJSON, SendSmsCampaignRequestFromJSON } from './generated/index';

const spec = loadSpec('octopush');
let server: Recorder;
let client: OctopushClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: server.url, maxRetries: 0 });
});
afterAll(() => server.close());

const calls: Record<string, (example: unknown) => Promise<unknown>> = {
  sendMultichannel: (example) => client.multichannel.send(SendMultichannelRequestFromJSON(example)),
  cancelMultichannel: (example) => client.multichannel.cancel(CancelMultichannelRequestFromJSON(example)),
  sendSmsCampaign: (example) => client.sms.send(SendSmsCampaignRequestFromJSON(example)),
  cancelSmsCampaign: (example) => client.sms.cancel(CancelSmsCampaignRequestFromJSON(example)),
};
const examples = requestExamples(spec);

describe('every vendor example', () => {
  it("covers every operation that takes a body, the SEED's five channels among them", () => {
    expect(new Set(examples.map((e) => e.operationId))).toEqual(new Set(Object.keys(calls)));
    expect(examples.filter((e) => e.operationId === 'sendMultichannel').map((e) => (e.value as { channel: string }).channel)).toEqual(['sms', 'voice_sms', 'rcs', 'email', 'live_chat']);
  });

  it.each(examples.map((e) => [`${e.operationId}, the spec's ${e.name}`, e.operationId, e.value] as const))('passes the rules and reaches the wire whole: %s', async (_name, operationId, example) => {
    expect(await exampleOnWire(server, spec, operationId, example, calls[operationId]!)).toEqual({ requests: 1, missing: [] });
  });
});
