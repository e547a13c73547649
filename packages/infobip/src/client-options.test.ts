// Credentials from INFOBIP_API_KEY / INFOBIP_BASE_URL (the variables the CLI and the sender name),
// log lines with no secret in them, hooks, per-call headers and the answer of a call. Real HTTP to
// a recording server.
import type { Logger } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InfobipClient } from './client';
import { INFOBIP_CREDENTIALS } from './credentials';
import { MissingCredentialsError, ValidationError } from './errors';
import { infobipSenderFacts } from './sender';

const KEY = 'ib_env_KEY_4d5e6f7a8b';
const reports = { results: [] };

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  vi.stubEnv('INFOBIP_API_KEY', undefined);
  vi.stubEnv('INFOBIP_BASE_URL', undefined);
  vi.stubEnv('MSGKIT_LOG', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('InfobipClient options', () => {
  it('reads the key and the account host from the variables the sender declares; a given option wins', async () => {
    expect(infobipSenderFacts.credentials).toBe(INFOBIP_CREDENTIALS);
    server.replyAlways({ json: reports });
    vi.stubEnv('INFOBIP_API_KEY', KEY);
    vi.stubEnv('INFOBIP_BASE_URL', server.url);
    const fromEnv = new InfobipClient();
    expect(fromEnv.baseUrl).toBe(server.url);
    await fromEnv.omni.reports();
    await new InfobipClient({ apiKey: 'given-key' }).omni.reports();
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([`App ${KEY}`, 'App given-key']);
  });

  it('names the account host when neither baseUrl nor INFOBIP_BASE_URL is given: no default host', () => {
    vi.stubEnv('INFOBIP_API_KEY', KEY);
    expect(() => new InfobipClient()).toThrow(MissingCredentialsError);
    expect(() => new InfobipClient()).toThrow('infobip needs INFOBIP_BASE_URL in the environment (or the baseUrl option)');
  });

  it('logs each attempt without the key, adds per-call and hook headers, and hands the answer on result.response', async () => {
    vi.stubEnv('INFOBIP_API_KEY', KEY);
    server.reply(
      { status: 500, headers: { 'x-echo': KEY, 'x-request-id': `r-${KEY}` }, json: (request: { headers: Record<string, unknown> }) => ({ requestError: { serviceException: { messageId: 'GENERAL_ERROR', text: `no ${String(request.headers.authorization)}` } } }) },
      { json: reports, headers: { 'x-echo': KEY, 'x-request-id': 'r-2' } },
    );
    const lines: string[] = [];
    const write = (line: string, record?: unknown) => void lines.push(`${line} ${JSON.stringify(record)}`);
    const logger: Logger = { debug: write, info: write, warn: write, error: write };
    const client = new InfobipClient({ baseUrl: server.url, logger, logLevel: 'debug', onRequest: ({ headers }) => headers.set('x-hook', 'yes') });
    const got = await client.omni.reports(undefined, { headers: { 'x-tenant': 't-1' } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^msgkit infobip: GET \/omni\/1\/reports 500 server_error \(attempt 1, \d+ ms, request id r-\[redacted\]\)/);
    for (const line of lines) expect(line).not.toContain(KEY);
    expect(server.requests.map((request) => [request.headers['x-tenant'], request.headers['x-hook']])).toEqual([['t-1', 'yes'], ['t-1', 'yes']]);
    expect(got.response).toMatchObject({ status: 200, requestId: 'r-2', attempts: 2, headers: { 'x-echo': '[redacted]' } });
    await expect(client.omni.reports(undefined, { headers: { authorization: 'App other' } })).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(2);
  });
});
