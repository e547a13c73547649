// Every request example of specs/infobip.yaml (the seed's scheduled failover with its 2016 sendAt,
// and S1's) must pass msgkit's rules and reach the wire with every field. A refused example, or a
// field missing from what was sent, fails here.
import type { Note } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { exampleOnWire, loadSpec, requestExamples } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfobipClient } from './client';
import { CreateOrUpdateScenarioRequestFromJSON, OmniAdvancedRequestFromJSON } from './generated';

const spec = loadSpec('infobip');
let server: Recorder;
let client: InfobipClient;
const notes: Note[] = [];
beforeAll(async () => {
  server = await startRecorder();
  client = new InfobipClient({ apiKey: 'key-123456', baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
});
afterAll(() => server.close());

const calls: Record<string, (example: unknown) => Promise<unknown>> = {
  sendOmniAdvanced: (example) => client.omni.send(OmniAdvancedRequestFromJSON(example) as never),
  createScenario: (example) => client.omni.scenarios.create(CreateOrUpdateScenarioRequestFromJSON(example)),
  updateScenario: (example) => client.omni.scenarios.update('AD9E01A5DC7BEE2C2B828D208182A611', CreateOrUpdateScenarioRequestFromJSON(example)),
};
const examples = requestExamples(spec);

describe('every vendor example', () => {
  it("covers every operation that takes a body, the seed's scheduled example among them", () => {
    expect(new Set(examples.map((e) => e.operationId))).toEqual(new Set(Object.keys(calls)));
    expect(examples.map((e) => (e.value as { sendAt?: string }).sendAt)).toContain('2016-04-26T10:52:15.000+01:00');
  });

  it.each(examples.map((e) => [`${e.operationId}, the spec's ${e.name}`, e.operationId, e.value] as const))('passes the rules and reaches the wire whole: %s', async (_name, operationId, example) => {
    expect(await exampleOnWire(server, spec, operationId, example, calls[operationId]!)).toEqual({ requests: 1, missing: [] });
  });
});
