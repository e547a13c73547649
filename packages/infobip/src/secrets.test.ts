import { inspect } from 'node:util';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfobipClient } from './index';

const KEY = 'SeCrEt-0123456789abcdef-KEY';
let server: Recorder;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());

function expectNoKey(value: unknown): void {
  const views = [
    String(value),
    JSON.stringify(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true, customInspect: false }),
    value instanceof Error ? value.message : '',
    value instanceof Error ? String(value.stack) : '',
  ];
  for (const view of views) expect(view).not.toContain(KEY);
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('the API key', () => {
  const send = { destinations: [{ to: { phoneNumber: '41793026727' } }], sms: { text: 'Hi' } };

  it('is not shown by inspecting or serializing the client', () => {
    const client = new InfobipClient({ apiKey: KEY, baseUrl: server.url });
    expectNoKey(client);
    expectNoKey(client.omni);
    expect(JSON.stringify(client)).toBe(JSON.stringify({ name: 'InfobipClient', baseUrl: server.url }));
  });

  it('is not in any error: vendor answers, dropped connections, timeouts, validation and construction', async () => {
    const client = new InfobipClient({ apiKey: `App ${KEY}`, baseUrl: server.url, maxRetries: 0 });
    server.reply(
      { status: 401, json: { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'Invalid login details' } } } },
      { status: 500, text: 'oops' },
      { drop: true },
      { stall: true },
    );
    const errors = [
      await errorOf(client.omni.send(send)),
      await errorOf(client.omni.scenarios.list()),
      await errorOf(client.omni.send(send)),
      await errorOf(client.omni.logs(undefined, { timeoutMs: 100 })),
      await errorOf(client.omni.send({ destinations: [] })),
    ];
    // The timed-out request may be read after the client gave up: read here, not by the next test.
    await server.received(4);
    try {
      new InfobipClient({ apiKey: `${KEY} with spaces`, baseUrl: 'http://example.com' });
    } catch (error) {
      errors.push(error);
    }
    expect(errors).toHaveLength(6);
    for (const error of errors) expectNoKey(error);
  });

  it('is cut out of an error body that echoes the request headers', async () => {
    const client = new InfobipClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
    server.reply({ status: 400, json: (r: { headers: unknown }) => ({ requestError: { serviceException: { messageId: 'BAD_REQUEST', text: `Bad request ${JSON.stringify(r.headers)}` } }, echo: r.headers }) });
    const error = await errorOf(client.omni.send(send));
    expect(error).toMatchObject({ code: 'bad_request', body: { echo: { authorization: 'App [redacted]' } } });
    expectNoKey(error);
  });

  it('with CR, LF or NUL is refused at construction without being echoed', () => {
    for (const apiKey of [`${KEY}\u0000`, `${KEY}\r\nX: 1`, `App ${KEY}\nx`]) {
      let error: unknown;
      try {
        new InfobipClient({ apiKey, baseUrl: server.url });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'validation_error' });
      expectNoKey(error);
    }
  });
});
