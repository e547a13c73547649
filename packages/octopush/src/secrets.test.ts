import { inspect } from 'node:util';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OctopushClient } from './client';
import { MsgkitError } from './errors';

const API_KEY = 'sk_live_9f8e7d6c5b4a-octopush-secret';
const API_LOGIN = 'owner.secret-login@example.com';

let server: Recorder;
let client: OctopushClient;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  // The hang limit as timeout: a loaded machine must not turn an answer into a timeout; the stall case sets its own.
  client = new OctopushClient({ apiLogin: API_LOGIN, apiKey: API_KEY, baseUrl: server.url, maxRetries: 0, timeoutMs: 900_000 });
});

function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: Infinity, showHidden: true }), inspect(value, { depth: Infinity }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) out.push(value.message, String(value), value.stack ?? '');
  return out;
}

function expectNoSecret(value: unknown) {
  for (const text of renderings(value)) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_LOGIN);
  }
}

const send = (timeoutMs?: number) =>
  client.multichannel.send({ channel: 'sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], metadata: { type: 'sms_premium' } }, timeoutMs === undefined ? undefined : { timeoutMs });

describe('credentials stay out of sight', () => {
  it('are sent as the two headers but never shown by the client', async () => {
    server.reply({ json: { sms_ticket: 'sms_1', number_of_contacts: 1, total_cost: 0.05 } });
    await send();
    expect(server.requests[0]!.headers).toMatchObject({ 'api-login': API_LOGIN, 'api-key': API_KEY });
    expectNoSecret(client);
    expect(Object.keys(client)).toEqual(['multichannel', 'sms', 'wallet']);
  });

  it.each([
    ['a 401 answer', { status: 401, json: { code: 401, message: 'Unauthorized.' } }],
    ['a 500 answer', { status: 500, text: 'internal error' }],
    ['a dropped connection', { drop: true }],
    ['a stalled answer', { stall: true }],
  ])('are not in the error after %s', async (_name, reply) => {
    server.reply(reply);
    const error = await send('stall' in reply ? 200 : undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsgkitError);
    expectNoSecret(error);
    // A timed-out request may be read after the client gave up: read here, not by the next test.
    await server.received(1);
  });

  it('are cut out of an error body that echoes the request headers, even on a 2xx with an error code', async () => {
    const echo = (status: number) => ({ status, json: (r: { headers: unknown }) => ({ code: 401, message: `denied ${JSON.stringify(r.headers)}`, echo: r.headers }) });
    server.reply(echo(401), echo(200));
    for (const status of [401, 200]) {
      const error = await send().catch((e: unknown) => e);
      expect(error).toMatchObject({ status, body: { echo: { 'api-key': '[redacted]', 'api-login': '[redacted]' } } });
      expectNoSecret(error);
    }
  });

  it('with CR, LF or NUL are refused at construction without being echoed', () => {
    for (const options of [{ apiLogin: API_LOGIN, apiKey: `${API_KEY}\r\nX: 1` }, { apiLogin: `${API_LOGIN}\u0000`, apiKey: API_KEY }, { apiLogin: API_LOGIN, apiKey: `${API_KEY}\nx` }]) {
      let error: unknown;
      try {
        new OctopushClient(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MsgkitError);
      expectNoSecret(error);
    }
  });

  it('are not in a validation error, nor in the construction error', async () => {
    const error = await client.multichannel.send({ channel: 'sms', recipients: [] }).catch((e: unknown) => e);
    expectNoSecret(error);
    let construction: unknown;
    try {
      new OctopushClient({ apiLogin: API_LOGIN, apiKey: '   ' });
    } catch (e) {
      construction = e;
    }
    expect(construction).toBeInstanceOf(MsgkitError);
    expectNoSecret(construction);
  });
});
