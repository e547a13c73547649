import { inspect } from 'node:util';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SmsWorksClient } from './client';
import { MissingCredentialsError, MsgkitError, ValidationError } from './errors';

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLWRvLW5vdC1sZWFr.U0VDUkVU';

let server: Recorder;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function authorizationSent(token: string): Promise<string | undefined> {
  server.reply({ status: 200, json: { messageid: '1', status: 'CANCELLED' } });
  await new SmsWorksClient({ token, baseUrl: server.url }).batch.cancelScheduled('1');
  return server.requests.at(-1)?.headers.authorization;
}

function expectNoSecret(value: unknown) {
  const views = [String(value), JSON.stringify(value), inspect(value, { depth: Infinity, showHidden: true })];
  if (value instanceof Error) views.push(value.message, String(value.stack));
  for (const view of views) expect(view).not.toContain('c2VjcmV0LXRva2VuLWRvLW5vdC1sZWFr');
}

describe('the Authorization header', () => {
  it('adds the JWT prefix to a bare token', async () => {
    expect(await authorizationSent(SECRET)).toBe(`JWT ${SECRET}`);
  });

  it('does not add the prefix again to a token that already has it', async () => {
    expect(await authorizationSent(`JWT ${SECRET}`)).toBe(`JWT ${SECRET}`);
    expect(await authorizationSent(`jwt  ${SECRET}`)).toBe(`JWT ${SECRET}`);
    expect(await authorizationSent(`  JWT ${SECRET}\n`)).toBe(`JWT ${SECRET}`);
  });

  it('never uses Bearer', async () => {
    expect(await authorizationSent(SECRET)).not.toMatch(/bearer/i);
  });
});

describe('a missing or unusable token', () => {
  it.each([
    ['no options', undefined],
    ['no token', {}],
  ])('is a MissingCredentialsError naming SMSWORKS_TOKEN at construction: %s', (_case, options) => {
    vi.stubEnv('SMSWORKS_TOKEN', undefined);
    try {
      expect(() => new SmsWorksClient(options as never)).toThrow(MissingCredentialsError);
      expect(() => new SmsWorksClient(options as never)).toThrow(/SMSWORKS_TOKEN in the environment \(or the token option\)/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['an empty token', { token: '' }],
    ['only the prefix', { token: 'JWT ' }],
    ['a token that is not a string', { token: 42 }],
  ])('is a ValidationError at construction: %s', (_case, options) => {
    expect(() => new SmsWorksClient(options as never)).toThrow(ValidationError);
    try {
      new SmsWorksClient(options as never);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: ['token'], code: 'required' })]);
      expect((error as Error).message).toMatch(/token/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it.each([`${SECRET}\u0000`, `${SECRET}\ninner`, `JWT ${SECRET}\rX: 1`])('refuses a token with NUL, CR or LF inside without quoting it: %#', (token) => {
    let error: unknown;
    try {
      new SmsWorksClient({ token });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expectNoSecret(error);
  });

  it('refuses a token with a line break without quoting it', () => {
    let error: unknown;
    try {
      new SmsWorksClient({ token: `${SECRET}\r\nX-Injected: 1` });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expectNoSecret(error);
  });
});

describe('the token never shows', () => {
  const client = () => new SmsWorksClient({ token: SECRET, baseUrl: server.url, maxRetries: 0 });

  it('in the client, printed or serialized', () => {
    expectNoSecret(client());
    expect(Object.keys(client())).toEqual(['batch', 'messages', 'credits']);
  });

  it.each([
    ['an authentication error', { status: 401, json: { message: 'Invalid token', errorCode: 401, status: 'UNAUTHORIZED' } }],
    ['a server error', { status: 500, json: { message: 'Internal error', errorCode: 500, status: 'INTERNAL_SERVER_ERROR' } }],
    ['a non-JSON error', { status: 502, text: '<html>Bad gateway</html>' }],
    ['a dropped connection', { drop: true }],
  ])('in %s', async (_case, reply) => {
    server.reply(reply);
    const error = await client().messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsgkitError);
    expect(server.requests[0]!.headers.authorization).toBe(`JWT ${SECRET}`);
    expectNoSecret(error);
  });

  it('in a timeout', async () => {
    server.reply({ stall: true });
    const error = await client().batch.get('1', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MsgkitError);
    expectNoSecret(error);
    // The timed-out request may be read after the client gave up: read here, not by the next test.
    await server.received(1);
  });

  it('in an error body that echoes the request headers', async () => {
    server.reply({ status: 400, json: (r: { headers: unknown }) => ({ message: `rejected ${JSON.stringify(r.headers)}`, errorCode: 400, status: 'BAD_REQUEST', echo: r.headers }) });
    const error = await client().messages.send({ sender: 'YourCompany', destination: '447777777777', content: 'Hi' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request', body: { echo: { authorization: 'JWT [redacted]' } } });
    expectNoSecret(error);
  });

  it('in a validation error', async () => {
    const error = await client().messages.send({ sender: '', destination: '', content: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expectNoSecret(error);
  });
});
