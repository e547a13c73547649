// The API key and the access token never show in any error or in the client itself, however it
// is printed or serialized.
import { inspect } from 'node:util';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';

const API_KEY = 'sk_live_APIKEY_4f1c9e2b7d';
const TOKEN = 'eyJ0eXAi.TOKEN_9a8b7c6d';

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());

function expectNoSecret(value: unknown, secret: string) {
  const renderings = [
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value, { depth: 10 }),
    inspect(value, { depth: 10, showHidden: true, getters: true }),
    value instanceof Error ? `${value.message}\n${value.stack ?? ''}` : '',
  ];
  for (const text of renderings) expect(text).not.toContain(secret);
}

async function failures(client: SmscxClient): Promise<unknown[]> {
  const request = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };
  server.reply(
    { status: 401, json: { error: { type: 'invalid_api_key', code: 0, message: 'Invalid API key or access token', uri: 'u' } } },
    { status: 500, text: 'oops' },
    { stall: true },
  );
  const errors: unknown[] = [];
  const capture = (e: unknown) => errors.push(e);
  const before = server.requests.length;
  await client.sms.send(request, { maxRetries: 0 }).catch(capture);
  await client.sms.estimate(request, { maxRetries: 0 }).catch(capture);
  await client.sms.estimate(request, { maxRetries: 0, timeoutMs: 100 }).catch(capture);
  // The timed-out request may be read after the client gave up: read here, not by the next call.
  await server.received(before + 3);
  await client.sms.send({ ...request, from: '' }).catch(capture);
  // Nothing listens on port 9 of 127.0.0.1: a refused connection.
  const unreachable = new SmscxClient({ ...(client === keyClient ? { apiKey: API_KEY } : { accessToken: TOKEN }), baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
  await unreachable.sms.estimate(request).catch(capture);
  expect(errors).toHaveLength(5);
  return [...errors, unreachable];
}

let keyClient: SmscxClient;

describe('secrets', () => {
  it('never shows the API key in errors, String(error), JSON, util.inspect or the client', async () => {
    keyClient = new SmscxClient({ apiKey: API_KEY, baseUrl: server.url });
    for (const value of [keyClient, keyClient.sms, keyClient.multichannel, ...(await failures(keyClient))]) expectNoSecret(value, API_KEY);
    expect(server.requests.some((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
  });

  it('never shows the access token either', async () => {
    const client = new SmscxClient({ accessToken: TOKEN, baseUrl: server.url });
    for (const value of [client, ...(await failures(client))]) expectNoSecret(value, TOKEN);
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('does not echo a credential in the construction error', () => {
    const error = (() => {
      try {
        return new SmscxClient({ apiKey: API_KEY, accessToken: TOKEN });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, API_KEY);
    expectNoSecret(error, TOKEN);
  });

  it.each([
    ['CR LF', `${API_KEY}\r\nX-Injected: 1`],
    ['LF', `${API_KEY}\nmore`],
    ['NUL', `${API_KEY}\u0000`],
  ])('refuses a credential with %s at construction without echoing it', (_name, secret) => {
    for (const options of [{ apiKey: secret }, { accessToken: secret }]) {
      let error: unknown;
      try {
        new SmscxClient({ ...options, baseUrl: server.url });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'validation_error' });
      expectNoSecret(error, API_KEY);
    }
  });

  it('cuts the key and the token out of an error body that echoes the request headers', async () => {
    const echo = { status: 400, json: (r: { headers: unknown }) => ({ error: { type: 'invalid_param', code: 1100, message: `bad: ${JSON.stringify(r.headers)}` }, headers: r.headers }) };
    server.reply(echo, echo);
    const request = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };
    const byKey = await new SmscxClient({ apiKey: API_KEY, baseUrl: server.url }).sms.send(request).catch((e: unknown) => e);
    const byToken = await new SmscxClient({ accessToken: TOKEN, baseUrl: server.url }).sms.send(request).catch((e: unknown) => e);
    expect(byKey).toMatchObject({ code: 'bad_request', body: { headers: { 'x-api-key': '[redacted]' } } });
    expect(byToken).toMatchObject({ code: 'bad_request', body: { headers: { authorization: 'Bearer [redacted]' } } });
    expectNoSecret(byKey, API_KEY);
    expectNoSecret(byToken, TOKEN);
  });
});
