// The token from SMSWORKS_TOKEN (the variable the CLI and the sender name), log lines with no
// secret in them, hooks, per-call headers and the answer of a call. Real HTTP to a recording server.
import type { Logger } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SmsWorksClient } from './client';
import { SMSWORKS_CREDENTIALS } from './credentials';
import { MissingCredentialsError, ValidationError } from './errors';
import { smsworksSenderFacts } from './sender';

const TOKEN = 'eyJhbGciOi.env_JWT_0c3f';
const sent = { messageid: 'm-1', status: 'SENT' };
const message = { sender: 'Shop', destination: '07400123456', content: 'Hi' };

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  vi.stubEnv('SMSWORKS_TOKEN', undefined);
  vi.stubEnv('MSGKIT_LOG', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('SmsWorksClient options', () => {
  it('reads the token from SMSWORKS_TOKEN, the variable the sender declares, when none is given; a given one wins', async () => {
    expect(smsworksSenderFacts.credentials).toBe(SMSWORKS_CREDENTIALS);
    server.replyAlways({ json: sent });
    vi.stubEnv('SMSWORKS_TOKEN', TOKEN);
    await new SmsWorksClient({ baseUrl: server.url }).messages.send(message);
    await new SmsWorksClient({ token: 'JWT given.token', baseUrl: server.url }).messages.send(message);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([`JWT ${TOKEN}`, 'JWT given.token']);
  });

  it('names SMSWORKS_TOKEN and the token option in a MissingCredentialsError when neither is set', () => {
    expect(() => new SmsWorksClient()).toThrow(MissingCredentialsError);
    expect(() => new SmsWorksClient({ baseUrl: server.url })).toThrow('smsworks needs SMSWORKS_TOKEN in the environment (or the token option)');
  });

  it('logs each attempt without the token, adds per-call and hook headers, and hands the answer on result.response', async () => {
    vi.stubEnv('SMSWORKS_TOKEN', TOKEN);
    server.reply(
      { status: 500, headers: { 'x-echo': TOKEN }, json: (request: { headers: Record<string, unknown> }) => ({ message: `no ${String(request.headers.authorization)}` }) },
      { json: sent, headers: { 'x-echo': TOKEN } },
    );
    const lines: string[] = [];
    const write = (line: string, record?: unknown) => void lines.push(`${line} ${JSON.stringify(record)}`);
    const logger: Logger = { debug: write, info: write, warn: write, error: write };
    const client = new SmsWorksClient({ baseUrl: server.url, logger, logLevel: 'debug', onRequest: ({ headers }) => headers.set('x-hook', 'yes') });
    // A read is retried after a 500; a send would not be.
    const got = await client.messages.get('m-1', { headers: { 'x-tenant': 't-1' } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^msgkit smsworks: GET \/messages\/m-1 500 server_error \(attempt 1/);
    for (const line of lines) expect(line).not.toContain(TOKEN);
    expect(server.requests.map((request) => [request.headers['x-tenant'], request.headers['x-hook']])).toEqual([['t-1', 'yes'], ['t-1', 'yes']]);
    expect(got.response).toMatchObject({ status: 200, attempts: 2, headers: { 'x-echo': '[redacted]' } });
    await expect(client.messages.get('m-1', { headers: { Authorization: 'JWT other' } })).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(2);
  });
});
