// Every constraint specs/infobip.yaml puts on a request (lengths, ranges, enums, patterns, list
// sizes, required fields, formats), read from the spec itself, is broken once on an otherwise valid
// request: the client must refuse it with an issue at that field, and nothing may reach the server.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { editedCopy, enforcement, requestConstraints } from '@msgkit/test-server/constraints';
import { loadSpec } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfobipClient } from './client';

const spec = loadSpec('infobip');
let server: Recorder;
let client: InfobipClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new InfobipClient({ apiKey: 'key-123456', baseUrl: server.url, maxRetries: 0, onNote: () => {} });
});
afterAll(() => server.close());

/** Each operation of the spec, called with the body and parameters in the generated models' names. */
const calls: Record<string, (body: never, params: Record<string, never>) => Promise<unknown>> = {
  sendOmniAdvanced: (body) => client.omni.send(body),
  listScenarios: (_body, params) => client.omni.scenarios.list(params),
  createScenario: (body) => client.omni.scenarios.create(body),
  getScenario: (_body, params) => client.omni.scenarios.get(params.scenarioKey),
  updateScenario: (body, params) => client.omni.scenarios.update(params.scenarioKey, body),
  getOmniReports: (_body, params) => client.omni.reports(params),
  getOmniLogs: (_body, params) => client.omni.logs(params),
};

describe('the constraints of specs/infobip.yaml', () => {
  it('are each refused before the wire, with an issue at the field that breaks them', async () => {
    const { checked, unenforced } = await enforcement(spec, calls, server);
    expect(unenforced).toEqual([]);
    expect(checked).toBe(requestConstraints(spec).length);
    expect(checked).toBeGreaterThan(100);
  });

  it('fail the test when a copy of the spec gains a limit the generated checks do not have (maxLength 64 on a destination messageId)', async () => {
    const copy = editedCopy(spec, (edited) => {
      edited.components.schemas.Destination.properties.messageId.maxLength = 64;
    });
    const { unenforced } = await enforcement(copy, calls, server, { operations: ['sendOmniAdvanced'] });
    expect(unenforced).toEqual([{ constraint: 'sendOmniAdvanced body destinations.[].messageId maxLength 64', why: '1 request(s) reached the server' }]);
  });
});
