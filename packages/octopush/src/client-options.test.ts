// Credentials from OCTOPUSH_API_LOGIN / OCTOPUSH_API_KEY (the variables the CLI and the sender
// name), log lines with no secret in them, hooks, per-call headers and the answer of a call.
// Real HTTP to a recording server.
import type { Logger } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OctopushClient } from './client';
import { OCTOPUSH_CREDENTIALS } from './credentials';
import { MissingCredentialsError, ValidationError } from './errors';
import { octopushSenderFacts } from './sender';

const LOGIN = 'owner.env@example.com';
const KEY = 'octo_env_KEY_8b1e2f';
const balance = { amount: 12.5, unit: 'euros' };

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  vi.stubEnv('OCTOPUSH_API_LOGIN', undefined);
  vi.stubEnv('OCTOPUSH_API_KEY', undefined);
  vi.stubEnv('MSGKIT_LOG', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('OctopushClient options', () => {
  it('reads each credential not given from its variable, the ones the sender declares; a given one wins', async () => {
    expect(octopushSenderFacts.credentials).toBe(OCTOPUSH_CREDENTIALS);
    server.replyAlways({ json: balance });
    vi.stubEnv('OCTOPUSH_API_LOGIN', LOGIN);
    vi.stubEnv('OCTOPUSH_API_KEY', KEY);
    await new OctopushClient({ baseUrl: server.url }).wallet.balance();
    await new OctopushClient({ apiKey: 'given-key', baseUrl: server.url }).wallet.balance();
    expect(server.requests.map((request) => [request.headers['api-login'], request.headers['api-key']])).toEqual([[LOGIN, KEY], [LOGIN, 'given-key']]);
  });

  it('names only the variables still missing', () => {
    vi.stubEnv('OCTOPUSH_API_LOGIN', LOGIN);
    expect(() => new OctopushClient({ baseUrl: server.url })).toThrow(MissingCredentialsError);
    expect(() => new OctopushClient({ baseUrl: server.url })).toThrow('octopush needs OCTOPUSH_API_KEY in the environment (or the apiKey option)');
  });

  it('logs each attempt without the credentials, adds per-call and hook headers, and hands the answer on result.response', async () => {
    vi.stubEnv('OCTOPUSH_API_LOGIN', LOGIN);
    vi.stubEnv('OCTOPUSH_API_KEY', KEY);
    server.reply(
      { status: 503, headers: { 'x-echo': `${LOGIN} ${KEY}`, 'retry-after': '0' }, json: (request: { headers: Record<string, unknown> }) => ({ code: 0, message: `busy ${String(request.headers['api-key'])}` }) },
      { json: balance, headers: { 'x-echo': KEY } },
    );
    const lines: string[] = [];
    const write = (line: string, record?: unknown) => void lines.push(`${line} ${JSON.stringify(record)}`);
    const logger: Logger = { debug: write, info: write, warn: write, error: write };
    const client = new OctopushClient({ baseUrl: server.url, logger, logLevel: 'debug', onRequest: ({ headers }) => headers.set('x-hook', 'yes') });
    const got = await client.wallet.balance(undefined, { headers: { 'x-tenant': 't-1' } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^msgkit octopush: GET \/wallet\/check-balance 503 server_error \(attempt 1/);
    for (const line of lines) {
      expect(line).not.toContain(KEY);
      expect(line).not.toContain(LOGIN);
    }
    expect(server.requests.map((request) => [request.headers['x-tenant'], request.headers['x-hook']])).toEqual([['t-1', 'yes'], ['t-1', 'yes']]);
    expect(got).toEqual(balance);
    expect(got.response).toMatchObject({ status: 200, attempts: 2, headers: { 'x-echo': '[redacted]' } });
    await expect(client.wallet.balance(undefined, { headers: { 'api-key': 'other' } })).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(2);
  });

  it('hands the answer of a cancel on result.response too, like every other call of the four clients', async () => {
    server.replyAlways({ status: 200, headers: { 'x-echo': KEY } });
    const client = new OctopushClient({ apiLogin: LOGIN, apiKey: KEY, baseUrl: server.url });
    const cancelled = await client.sms.cancel({ ticketNumber: 'sms_61a0' });
    expect(cancelled.response).toMatchObject({ status: 200, attempts: 1, headers: { 'x-echo': '[redacted]' } });
    const multichannel = await client.multichannel.cancel({ channel: 'sms', ticketNumber: 'sms_61a1' });
    expect(multichannel.response.status).toBe(200);
    expect(Object.keys(multichannel)).toEqual([]);
  });
});
