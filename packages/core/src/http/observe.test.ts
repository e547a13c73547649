// What a caller sees of each attempt: log lines, hooks, extra headers, and the answer of a
// successful call. Real HTTP over loopback, through guardFetch as every client sends.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, ServerError, ValidationError } from '../errors';
import { clientOptionIssues, clientPolicy, noteHandler } from './client';
import { execute, type ClientPolicy, type Operation, type RequestOptions, type VendorProfile } from './execute';
import type { LogRecord, Logger } from './log';
import { guardFetch } from './redirect';

const SECRET = 'sk_live_51H8secretKEYobserve';

type Script = (req: IncomingMessage, res: ServerResponse, hit: number) => void;
let script: Script = (_req, res) => res.end('{}');
let hits = 0;
let received: IncomingMessage[] = [];
const server = createServer((req, res) => {
  hits += 1;
  received.push(req);
  req.resume();
  req.on('end', () => script(req, res, hits));
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  hits = 0;
  received = [];
});

const vendor: VendorProfile = { requestIdHeader: 'x-request-id', parseError: (_status, body) => ({ message: (body as { message?: string } | undefined)?.message }) };
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Like a generated `…Raw` method: the client's own headers, its fetch, the Response thrown on non-2xx. */
function op(idempotent: boolean, path = '/sms?to=447400123456'): Operation<{ ok: boolean }> {
  const fetch = guardFetch();
  return {
    idempotent,
    attempt: async (init) => {
      const raw = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': SECRET }, body: '{}', ...init });
      if (raw.status >= 300) throw Object.assign(new Error('Response returned an error code'), { name: 'ResponseError', response: raw });
      return { raw, value: () => raw.json() as Promise<{ ok: boolean }> };
    },
  };
}

interface Line {
  level: keyof Logger;
  message: string;
  record: LogRecord | undefined;
}
function recorder(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: keyof Logger) => (message: string, record?: LogRecord) => void lines.push({ level, message, record });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

function policy(options: Parameters<typeof clientPolicy>[1], env: Record<string, string> = {}): ClientPolicy {
  expect(clientOptionIssues(options, env)).toEqual([]);
  return clientPolicy('smscx', options, [SECRET], env);
}

const serverError = (res: ServerResponse) => json(res, 503, { message: 'busy' }, { 'retry-after': '0', 'x-request-id': 'r-503' });

describe('log lines', () => {
  it('writes one line per attempt: method, path, status, attempt, duration and request id', async () => {
    const { logger, lines } = recorder();
    script = (_req, res, hit) => (hit === 1 ? serverError(res) : json(res, 200, { ok: true }, { 'x-request-id': 'r-ok' }));
    await execute(op(true), vendor, policy({ logger, logLevel: 'info' }));
    expect(lines.map((line) => line.level)).toEqual(['warn', 'info']);
    expect(lines[0]!.message).toMatch(/^msgkit smscx: POST \/sms 503 server_error \(attempt 1, \d+ ms, request id r-503\); retrying in \d+ ms$/);
    expect(lines[1]!.message).toMatch(/^msgkit smscx: POST \/sms 200 \(attempt 2, \d+ ms, request id r-ok\)$/);
    expect(lines[1]!.record).toMatchObject({ client: 'smscx', method: 'POST', path: '/sms', status: 200, attempt: 2, requestId: 'r-ok' });
    expect(lines[1]!.record!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('logs the last failure at error, says the outcome is unknown, and writes nothing under the level', async () => {
    const { logger, lines } = recorder();
    script = (_req, res) => serverError(res);
    await expect(execute(op(false), vendor, policy({ logger, logLevel: 'error' }))).rejects.toBeInstanceOf(ServerError);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', record: { error: 'server_error', outcomeUnknown: true, status: 503 } });
    expect(lines[0]!.message).toContain('not retried, outcome unknown');
  });

  it('takes the level from MSGKIT_LOG, and warn when a logger is given alone', async () => {
    script = (_req, res) => json(res, 200, { ok: true });
    const quiet = recorder();
    await execute(op(true), vendor, policy({ logger: quiet.logger }));
    expect(quiet.lines).toEqual([]);
    const loud = recorder();
    await execute(op(true), vendor, policy({ logger: loud.logger }, { MSGKIT_LOG: 'debug' }));
    expect(loud.lines.map((line) => line.level)).toEqual(['info']);
    expect(loud.lines[0]!.record!.headers).toMatchObject({ 'content-type': 'application/json' });
  });

  it('is off with neither a logger, a logLevel nor MSGKIT_LOG, and with logLevel off', () => {
    expect(policy({}).log).toBeUndefined();
    expect(policy({ logLevel: 'off' }, { MSGKIT_LOG: 'debug' }).log).toBeUndefined();
    expect(policy({}, { MSGKIT_LOG: 'info' }).log).toMatchObject({ threshold: 1 });
  });

  it('refuses an unknown level, in the option or in MSGKIT_LOG, and a logger without the four methods', () => {
    expect(clientOptionIssues({ logLevel: 'verbose', logger: { info: () => undefined } }, { MSGKIT_LOG: 'trace' })).toEqual([
      expect.objectContaining({ path: ['logger'], code: 'invalid_type' }),
      expect.objectContaining({ path: ['logLevel'], code: 'invalid' }),
      expect.objectContaining({ path: ['env', 'MSGKIT_LOG'], code: 'invalid' }),
    ]);
  });

  it('writes no credential in any line or record when the server echoes it into headers, request id and body', async () => {
    const { logger, lines } = recorder();
    const echo: Script = (req, res) => {
      const key = String(req.headers['x-api-key']);
      const status = hits < 3 ? 500 : 200;
      json(res, status, { message: `bad key ${key}`, echoed: req.headers, [key]: key }, { 'x-request-id': `id-${key}`, 'x-echo': key, 'set-cookie': `k=${encodeURIComponent(key)}`, 'retry-after': '0' });
    };
    script = echo;
    await execute(op(true, `/sms/${SECRET}`), vendor, policy({ logger, logLevel: 'debug' }));
    script = (req, res) => json(res, 400, { message: `refused ${String(req.headers['x-api-key'])}` }, { 'x-echo': String(req.headers['x-api-key']) });
    await expect(execute(op(true), vendor, policy({ logger, logLevel: 'debug' }))).rejects.toThrow();
    expect(lines.length).toBe(4);
    const everything = lines.map((line) => `${line.message}\n${inspect(line.record, { depth: Infinity })}\n${JSON.stringify(line.record)}`).join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET).slice(0, 12));
  });

  it('sends notes to the logger at warn, once each, when logging is on and no onNote is given', () => {
    const { logger, lines } = recorder();
    const notes = noteHandler(undefined, policy({ logger }));
    const note = { path: ['trackData'], code: 'vendor_may_discard', message: 'SMS.CX may discard it' };
    notes(note);
    notes(note);
    expect(lines).toEqual([{ level: 'warn', message: 'msgkit smscx: note vendor_may_discard at trackData: SMS.CX may discard it', record: undefined }]);
    const mine = (): void => undefined;
    expect(noteHandler(mine, policy({ logger }))).toBe(mine);
  });
});

describe('hooks', () => {
  it('calls onRequest before each attempt, and the headers it adds reach the wire; onResponse and onRetry see every answer and wait', async () => {
    script = (_req, res, hit) => (hit === 1 ? serverError(res) : json(res, 200, { ok: true }, { 'x-request-id': 'r-ok', 'x-echo': SECRET }));
    const seen: string[] = [];
    const hooks = {
      onRequest: ({ method, url, attempt, headers }: { method: string; url: string; attempt: number; headers: Headers }) => {
        seen.push(`request ${method} ${new URL(url).pathname} ${attempt}`);
        headers.set('x-trace-id', `t-${attempt}`);
      },
      onResponse: ({ status, attempt, requestId, durationMs, headers }: { status: number; attempt: number; requestId: string | undefined; durationMs: number; headers: Record<string, string> }) => {
        seen.push(`response ${status} ${attempt} ${requestId}`);
        expect(durationMs).toBeGreaterThanOrEqual(0);
        expect(JSON.stringify(headers)).not.toContain(SECRET);
      },
      onRetry: ({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: Error }) => void seen.push(`retry ${attempt} ${delayMs} ${error.name}`),
    };
    await execute(op(true), vendor, policy(hooks));
    expect(seen).toEqual(['request POST /sms 1', 'response 503 1 r-503', 'retry 1 0 ServerError', 'request POST /sms 2', 'response 200 2 r-ok']);
    expect(received.map((req) => req.headers['x-trace-id'])).toEqual(['t-1', 't-2']);
  });

  it('stops the call when a hook throws: an AbortError with its error as cause, saying whether the vendor may have acted', async () => {
    const mistake = new Error('hook bug');
    script = (_req, res) => json(res, 200, { ok: true });
    const before = await execute(op(false), vendor, policy({ onRequest: () => Promise.reject(mistake) })).catch((e: unknown) => e);
    expect(before).toBeInstanceOf(AbortError);
    expect(before).toMatchObject({ cause: mistake, outcomeUnknown: false, attempts: 1 });
    expect(hits).toBe(0);

    const after = await execute(op(false), vendor, policy({ onResponse: () => { throw mistake; } })).catch((e: unknown) => e);
    expect(after).toMatchObject({ name: 'AbortError', cause: mistake, outcomeUnknown: true });
    expect(hits).toBe(1);

    hits = 0;
    script = (_req, res) => serverError(res);
    const retry = await execute({ ...op(true), dedupeKey: 'k' }, vendor, policy({ onRetry: () => { throw mistake; } })).catch((e: unknown) => e);
    expect(retry).toMatchObject({ name: 'AbortError', cause: mistake, outcomeUnknown: true, dedupeKey: 'k' });
    expect(hits).toBe(1);
  });

  it('refuses a header from onRequest that would replace one the client sets or add credentials, before it is sent', async () => {
    script = (_req, res) => json(res, 200, { ok: true });
    for (const name of ['X-API-KEY', 'authorization', 'content-type']) {
      const error = await execute(op(true), vendor, policy({ onRequest: ({ headers }) => headers.set(name, 'other') })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).cause).toBeInstanceOf(ValidationError);
    }
    expect(hits).toBe(0);
  });
});

describe('per-call headers', () => {
  it('are sent on every attempt', async () => {
    script = (_req, res, hit) => (hit === 1 ? serverError(res) : json(res, 200, { ok: true }));
    await execute(op(true), vendor, {}, { headers: { 'x-correlation-id': 'c-1' } });
    expect(received.map((req) => req.headers['x-correlation-id'])).toEqual(['c-1', 'c-1']);
  });

  it('refuse what would override credentials, idempotency or a header the client sets, before anything is sent', async () => {
    const cases: Array<[RequestOptions['headers'], string]> = [
      [{ 'X-Api-Key': 'other' }, 'X-Api-Key'],
      [{ Authorization: 'Bearer x' }, 'Authorization'],
      [{ 'Idempotency-Key': 'k' }, 'Idempotency-Key'],
      [{ 'content-type': 'text/plain' }, 'content-type'],
      [{ 'bad name': 'x' }, 'bad name'],
      [{ 'x-ok': 'line\r\nbreak' }, 'x-ok'],
    ];
    for (const [headers, name] of cases) {
      const error = await execute(op(false), vendor, {}, { headers }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toEqual(expect.arrayContaining(['headers', name]));
    }
    expect(hits).toBe(0);
  });
});

describe('the answer of a successful call', () => {
  it('is on result.response: status, redacted headers, request id and attempts, without changing the result', async () => {
    script = (_req, res, hit) => (hit === 1 ? serverError(res) : json(res, 201, { ok: true }, { 'x-request-id': 'r-ok', 'x-echo': SECRET }));
    const result = await execute(op(true), vendor, policy({}));
    expect(result).toEqual({ ok: true });
    expect(Object.keys(result)).toEqual(['ok']);
    expect(JSON.stringify(result)).toBe('{"ok":true}');
    expect(result.response).toMatchObject({ status: 201, requestId: 'r-ok', attempts: 2 });
    expect(result.response.headers).toMatchObject({ 'x-request-id': 'r-ok', 'x-echo': '[redacted]' });
  });
});
