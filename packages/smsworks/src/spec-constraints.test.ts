// Every constraint specs/smsworks.yaml puts on a request (lengths, ranges, patterns, list sizes,
// required fields, formats), read from the spec itself, is broken once on an otherwise valid request:
// the client must refuse it with an issue at that field, and nothing may reach the server.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { editedCopy, enforcement, requestConstraints } from '@msgkit/test-server/constraints';
import { loadSpec } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmsWorksClient } from './client';

const spec = loadSpec('smsworks');
let server: Recorder;
let client: SmsWorksClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmsWorksClient({ token: 'JWT test-token', baseUrl: server.url, maxRetries: 0, onNote: () => {} });
});
afterAll(() => server.close());

/** Each operation of the spec, called with the body and parameters in the generated models' names. */
const calls: Record<string, (body: never, params: Record<string, never>) => Promise<unknown>> = {
  sendBatch: (body) => client.batch.send(body),
  sendAnyBatch: (body) => client.batch.sendAny(body),
  scheduleBatch: (body) => client.batch.schedule(body),
  getBatch: (_body, params) => client.batch.get(params.batchid),
  cancelScheduledBatch: (_body, params) => client.batch.cancelScheduled(params.batchid),
  sendMessage: (body) => client.messages.send(body),
  scheduleMessage: (body) => client.messages.schedule(body),
  getMessage: (_body, params) => client.messages.get(params.messageid),
};
/** The ids are the methods' arguments, named as the client names them. */
const aliases = { batchid: 'batchId', messageid: 'messageId' };

describe('the constraints of specs/smsworks.yaml', () => {
  it('are each refused before the wire, with an issue at the field that breaks them', async () => {
    const { checked, unenforced } = await enforcement(spec, calls, server, { aliases });
    expect(unenforced).toEqual([]);
    expect(checked).toBe(requestConstraints(spec).length);
    expect(checked).toBeGreaterThan(30);
  });

  it('fail the test when a copy of the spec gains a limit the generated checks do not have (maxLength 64 on a message tag)', async () => {
    const copy = editedCopy(spec, (edited) => {
      edited.components.schemas.Message.properties.tag.maxLength = 64;
    });
    const { unenforced } = await enforcement(copy, calls, server, { aliases, operations: ['sendAnyBatch', 'sendMessage', 'scheduleMessage'] });
    expect(unenforced.map((u) => u.constraint)).toEqual(['sendAnyBatch body [].tag maxLength 64', 'sendMessage body tag maxLength 64', 'scheduleMessage body tag maxLength 64']);
  });
});
