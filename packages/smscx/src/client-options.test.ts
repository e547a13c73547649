// What a user expects of a client: credentials from the environment (the variables the CLI and
// the sender name), log lines with no secret in them, hooks around each attempt, per-call headers,
// and the answer of a successful call. Real HTTP to a recording server.
import { inspect } from 'node:util';
import type { LogRecord, Logger } from '@msgkit/core';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SmscxClient } from './client';
import { SMSCX_CREDENTIALS } from './credentials';
import { MissingCredentialsError, ValidationError } from './errors';
import { smscxSenderFacts } from './sender';

const API_KEY = 'sk_live_env_APIKEY_77c1';
const TOKEN = 'eyJ0eXAi.env_TOKEN_5e2d';
const ok = { info: { campaignId: 'c-1' }, data: [] };
const send = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  vi.stubEnv('SMSCX_API_KEY', undefined);
  vi.stubEnv('SMSCX_ACCESS_TOKEN', undefined);
  vi.stubEnv('MSGKIT_LOG', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write = (message: string, record?: LogRecord) => void lines.push(`${message} ${inspect(record, { depth: Infinity })} ${JSON.stringify(record)}`);
  return { lines, logger: { debug: write, info: write, warn: write, error: write } };
}

describe('credentials from the environment', () => {
  it('are the variables the sender declares, in one list', () => {
    expect(smscxSenderFacts.credentials).toBe(SMSCX_CREDENTIALS);
    expect(SMSCX_CREDENTIALS.map((c) => [c.env, c.option])).toEqual([['SMSCX_API_KEY', 'apiKey'], ['SMSCX_ACCESS_TOKEN', 'accessToken']]);
  });

  it('reads SMSCX_API_KEY, else SMSCX_ACCESS_TOKEN, when no credential is given', async () => {
    server.replyAlways({ json: ok });
    vi.stubEnv('SMSCX_ACCESS_TOKEN', TOKEN);
    await new SmscxClient({ baseUrl: server.url }).sms.send(send);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    vi.stubEnv('SMSCX_API_KEY', API_KEY);
    await new SmscxClient({ baseUrl: server.url }).sms.send(send);
    expect(server.requests[1]!.headers['x-api-key']).toBe(API_KEY);
    expect(server.requests[1]!.headers.authorization).toBeUndefined();
  });

  it('lets an option given win over the environment, and reads it when the option is undefined', async () => {
    server.replyAlways({ json: ok });
    vi.stubEnv('SMSCX_API_KEY', API_KEY);
    await new SmscxClient({ accessToken: 'explicit-token', baseUrl: server.url }).sms.send(send);
    expect(server.requests[0]!.headers).toMatchObject({ authorization: 'Bearer explicit-token' });
    expect(server.requests[0]!.headers['x-api-key']).toBeUndefined();
    await new SmscxClient({ apiKey: process.env.SMSCX_UNSET_FOR_TEST, baseUrl: server.url }).sms.send(send);
    expect(server.requests[1]!.headers['x-api-key']).toBe(API_KEY);
  });

  it('names the missing variables and options in a MissingCredentialsError, a ValidationError', () => {
    const error = thrown(() => new SmscxClient());
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ sender: 'smscx', missing: [['SMSCX_API_KEY', 'SMSCX_ACCESS_TOKEN']] });
    expect(String(error)).toContain('smscx needs SMSCX_API_KEY or SMSCX_ACCESS_TOKEN in the environment (or the apiKey / accessToken option)');
  });

  it('still refuses an empty credential given as an option, without reading the environment', () => {
    vi.stubEnv('SMSCX_API_KEY', API_KEY);
    const error = thrown(() => new SmscxClient({ apiKey: '' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: ['apiKey'], code: 'required' })]);
  });
});

describe('logging', () => {
  it('writes one line per attempt and no credential, when the server echoes it in headers, request id and body', async () => {
    vi.stubEnv('SMSCX_API_KEY', API_KEY);
    const echo = (request: { headers: Record<string, unknown> }) => ({ error: { type: 'internal', code: 0, message: `key ${String(request.headers['x-api-key'])}` }, echoed: request.headers });
    server.reply(
      { status: 503, headers: { 'retry-after': '0', 'x-request-id': API_KEY, 'x-echo': API_KEY }, json: echo },
      { status: 200, headers: { 'x-request-id': `ok-${API_KEY}`, 'x-echo': API_KEY }, json: ok },
      { status: 400, headers: { 'x-echo': API_KEY }, json: echo },
    );
    const { logger, lines } = recorder();
    const client = new SmscxClient({ baseUrl: server.url, logger, logLevel: 'debug' });
    await client.sms.send(send);
    await client.sms.estimate(send).catch(() => undefined);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^msgkit smscx: POST \/sms 503 server_error \(attempt 1, \d+ ms, request id \[redacted\]\); retrying in \d+ ms/);
    expect(lines[1]).toMatch(/^msgkit smscx: POST \/sms 200 \(attempt 2, \d+ ms, request id ok-\[redacted\]\)/);
    expect(lines[2]).toMatch(/^msgkit smscx: POST \/sms\/estimate 400 bad_request \(attempt 1/);
    for (const line of lines) expect(line).not.toContain(API_KEY);
  });

  it('turns on with MSGKIT_LOG on stderr, and stays silent without it', async () => {
    vi.stubEnv('SMSCX_API_KEY', API_KEY);
    server.replyAlways({ json: ok });
    const stderr = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await new SmscxClient({ baseUrl: server.url }).sms.send(send);
      expect(stderr).not.toHaveBeenCalled();
      vi.stubEnv('MSGKIT_LOG', 'info');
      await new SmscxClient({ baseUrl: server.url }).sms.send(send);
      expect(stderr).toHaveBeenCalledTimes(1);
      expect(stderr.mock.calls[0]![0]).toMatch(/^msgkit smscx: POST \/sms 200 /);
    } finally {
      stderr.mockRestore();
    }
    vi.stubEnv('MSGKIT_LOG', 'loud');
    expect(thrown(() => new SmscxClient({ baseUrl: server.url }))).toMatchObject({ issues: [expect.objectContaining({ path: ['env', 'MSGKIT_LOG'] })] });
  });
});

describe('hooks, per-call headers and the answer', () => {
  it('adds hook and per-call headers to the request, refuses ones that would replace the credentials, and times each attempt', async () => {
    server.replyAlways({ json: ok, headers: { 'x-request-id': 'r-1' } });
    const seen: string[] = [];
    const client = new SmscxClient({
      apiKey: API_KEY,
      baseUrl: server.url,
      onRequest: ({ headers, attempt }) => headers.set('x-trace', `t${attempt}`),
      onResponse: ({ status, requestId, durationMs }) => void seen.push(`${status} ${requestId} ${durationMs >= 0}`),
    });
    const sent = await client.sms.send(send, { headers: { 'x-tenant': 'shop-7' } });
    expect(server.requests[0]!.headers).toMatchObject({ 'x-trace': 't1', 'x-tenant': 'shop-7', 'x-api-key': API_KEY });
    expect(seen).toEqual(['200 r-1 true']);
    for (const name of ['X-API-KEY', 'Authorization', 'Content-Type']) {
      await expect(client.sms.send(send, { headers: { [name]: 'x' } })).rejects.toBeInstanceOf(ValidationError);
    }
    expect(server.requests).toHaveLength(1);
    expect(sent.response).toMatchObject({ status: 200, requestId: 'r-1', attempts: 1 });
  });

  it('keeps the result shape of a send and hands its answer on result.response', async () => {
    server.replyAlways({ json: ok, headers: { 'x-request-id': 'r-2', 'x-echo': API_KEY } });
    const sent = await new SmscxClient({ apiKey: API_KEY, baseUrl: server.url }).sms.send(send);
    expect(Object.keys(sent).sort()).toEqual(['data', 'info']);
    expect(sent.requestId).toBe('r-2');
    expect(sent.response.status).toBe(200);
    expect(sent.response.headers['x-echo']).toBe('[redacted]');
  });
});
