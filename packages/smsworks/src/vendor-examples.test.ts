// Every request example The SMS Works publishes must pass msgkit's rules and reach the wire with
// every field: the spec's operation examples, and the message its property examples (the vendor's
// own, from its 1.8.0/1.9.0 schemas) form together for each operation that takes it. A refused
// example, or a field missing from what was sent, fails here.
import type { Note } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { exampleOnWire, loadSpec, requestExamples, schemaExample } from '@msgkit/test-server/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmsWorksClient } from './client';
import { BatchMessageFromJSON, MessageFromJSON, QueryFromJSON } from './generated/index';

const spec = loadSpec('smsworks');
let server: Recorder;
let client: SmsWorksClient;
const notes: Note[] = [];
beforeAll(async () => {
  server = await startRecorder();
  client = new SmsWorksClient({ token: 'JWT test-token', baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
});
afterAll(() => server.close());

const calls: Record<string, (example: never) => Promise<unknown>> = {
  sendMessage: (example) => client.messages.send(MessageFromJSON(example)),
  scheduleMessage: (example) => client.messages.schedule(MessageFromJSON(example) as never),
  sendAnyBatch: (example: unknown[]) => client.batch.sendAny(example.map(MessageFromJSON)),
  sendBatch: (example) => client.batch.send(BatchMessageFromJSON(example)),
  scheduleBatch: (example) => client.batch.schedule(BatchMessageFromJSON(example) as never),
  searchMessages: (example) => client.messages.search(QueryFromJSON(example)),
};

const message = schemaExample(spec, 'Message');
const batch = schemaExample(spec, 'BatchMessage');
const cases: Array<[string, string, unknown]> = [
  ...requestExamples(spec).map((e): [string, string, unknown] => [`${e.operationId}, the spec's ${e.name}`, e.operationId, e.value]),
  ["sendMessage, the vendor's Message schema example", 'sendMessage', message],
  ["scheduleMessage, the vendor's Message schema example", 'scheduleMessage', message],
  ["sendAnyBatch, the vendor's Message schema example as the one item", 'sendAnyBatch', [message]],
  ["sendBatch, the vendor's BatchMessage schema example", 'sendBatch', batch],
  ["scheduleBatch, the vendor's BatchMessage schema example", 'scheduleBatch', batch],
];

describe('every vendor example', () => {
  it('covers every operation that takes a body, and the five schema examples carry a schedule', () => {
    expect(new Set(requestExamples(spec).map((e) => e.operationId))).toEqual(new Set(Object.keys(calls)));
    expect([message.schedule, batch.schedule]).toEqual([expect.any(String), expect.any(String)]);
  });

  it.each(cases)('passes the rules and reaches the wire whole: %s', async (_name, operationId, example) => {
    expect(await exampleOnWire(server, spec, operationId, example, calls[operationId]!)).toEqual({ requests: 1, missing: [] });
  });
});
