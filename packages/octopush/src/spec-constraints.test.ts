// Every constraint specs/octopush.yaml puts on a request (lengths, enums, patterns, list sizes,
// required fields, formats), read from the spec itself, is broken once on an otherwise valid request:
// the client must refuse it with an issue at that field, and nothing may reach the server.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { editedCopy, enforcement, requestConstraints } from '@msgkit/test-server/constraints';
import { loadSpec } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OctopushClient } from './client';

const spec = loadSpec('octopush');
let server: Recorder;
let client: OctopushClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: server.url, maxRetries: 0, onNote: () => {} });
});
afterAll(() => server.close());

/** Each operation of the spec, called with the body and parameters in the generated models' names. */
const calls: Record<string, (body: never, params: Record<string, never>) => Promise<unknown>> = {
  sendMultichannel: (body) => client.multichannel.send(body),
  cancelMultichannel: (body) => client.multichannel.cancel(body),
  sendSmsCampaign: (body) => client.sms.send(body),
  cancelSmsCampaign: (body) => client.sms.cancel(body),
  getBalance: (_body, params) => client.wallet.balance(params),
};

describe('the constraints of specs/octopush.yaml', () => {
  it('are each refused before the wire, with an issue at the field that breaks them', async () => {
    const { checked, unenforced } = await enforcement(spec, calls, server);
    expect(unenforced).toEqual([]);
    expect(checked).toBe(requestConstraints(spec).length);
    expect(checked).toBeGreaterThan(30);
  });

  it('fail the test when a copy of the spec gains a limit the generated checks do not have (maxLength 64 on list_name)', async () => {
    const copy = editedCopy(spec, (edited) => {
      edited.components.schemas.SendMultichannelRequest.properties.list_name.maxLength = 64;
    });
    const { unenforced } = await enforcement(copy, calls, server, { operations: ['sendMultichannel'] });
    expect(unenforced).toEqual([{ constraint: 'sendMultichannel body list_name maxLength 64', why: '1 request(s) reached the server' }]);
  });
});
