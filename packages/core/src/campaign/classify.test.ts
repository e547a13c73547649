import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, RateLimitError, ServerError, TimeoutError, ValidationError, createApiError, type ApiErrorInit } from '../errors';
import { execute, type Operation } from '../http/execute';
import { classifyError, recipientRefusal } from './classify';
import type { RefusalRule } from './sender';

const refusals: RefusalRule[] = [
  { class: 'authentication', status: 401, source: 's' },
  { class: 'no_route', vendorCode: 1119, source: 's' },
  { class: 'insufficient_credit', vendorType: 'insufficient_credit', source: 's' },
];
const api = (init: Partial<ApiErrorInit>) => createApiError({ status: 400, message: 'm', headers: {}, body: undefined, ...init });

describe('classifyError', () => {
  it('fails over a refusal in the table, matching a numeric code given as text too', () => {
    expect(classifyError(api({ status: 401 }), refusals)).toMatchObject({ failover: true, class: 'authentication', outcome: { status: 'refused' } });
    expect(classifyError(api({ status: 403, vendorCode: '1119' }), refusals)).toMatchObject({ failover: true, class: 'no_route' });
    expect(classifyError(api({ vendorType: 'insufficient_credit', vendorCode: 1113 }), refusals)).toMatchObject({ failover: true, class: 'insufficient_credit' });
  });

  it('never fails over a documented refusal whose outcome is unknown (an earlier attempt may have been accepted)', () => {
    expect(classifyError(api({ status: 401, outcomeUnknown: true }), refusals)).toMatchObject({ failover: false, outcome: { status: 'unknown' } });
  });

  it('records a refusal outside the table as refused without failing over', () => {
    expect(classifyError(api({ status: 400, vendorCode: 1106 }), refusals)).toEqual({ failover: false, outcome: expect.objectContaining({ status: 'refused', code: 'bad_request' }) });
    expect(classifyError(new RateLimitError({ status: 429, message: 'slow', headers: {}, body: undefined }), refusals)).toMatchObject({ failover: false, outcome: { status: 'refused' } });
    expect(classifyError(new AbortError(), refusals)).toMatchObject({ failover: false, outcome: { status: 'refused', code: 'aborted' } });
  });

  it('never fails over 5xx, timeouts, resets, 429s after acting or errors that do not say', () => {
    for (const error of [
      new ServerError({ status: 500, message: 'x', headers: {}, body: undefined, outcomeUnknown: true }),
      new TimeoutError(10, { outcomeUnknown: true }),
      new ConnectionError('ECONNRESET', { outcomeUnknown: true }),
      new RateLimitError({ status: 429, message: 'x', headers: {}, body: undefined, outcomeUnknown: true }),
      new Error('a bug'),
      'a string',
      null,
    ]) {
      expect(classifyError(error, refusals)).toMatchObject({ failover: false, outcome: { status: 'unknown' } });
    }
  });

  it("fails over msgkit's own ValidationError, read by its code", () => {
    expect(classifyError(new ValidationError([{ path: ['to', 0], code: 'phone_invalid', message: 'x' }]), [])).toMatchObject({ failover: true, class: 'validation' });
    expect(classifyError({ code: 'validation_error', outcomeUnknown: false, message: 'from another copy of core' }, [])).toMatchObject({ failover: true, class: 'validation' });
  });

  it('fails over a connection refused before sending and an unfollowed 307, both met over loopback, but not a 303', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const send = (url: string): Operation<unknown> => ({
      idempotent: false,
      attempt: async (init) => {
        const raw = await fetch(url, { ...init, method: 'POST', body: '{}' });
        if (raw.status >= 300) throw Object.assign(new Error('Response returned an error code'), { response: raw });
        return { raw, value: () => raw.json() };
      },
    });
    const vendor = { parseError: () => ({}) };
    const refused = await execute(send(`http://127.0.0.1:${port}/sms`), vendor, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(classifyError(refused, [])).toMatchObject({ failover: true, class: 'not_sent' });

    let status = 307;
    const redirecting = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { location: 'https://elsewhere.example/sms' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/sms`;
    try {
      expect(classifyError(await execute(send(url), vendor).catch((e: unknown) => e), [])).toMatchObject({ failover: true, class: 'redirect' });
      status = 303;
      expect(classifyError(await execute(send(url), vendor).catch((e: unknown) => e), [])).toMatchObject({ failover: false, outcome: { status: 'unknown', code: 'redirect' } });
    } finally {
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });
});

describe('recipientRefusal', () => {
  const rules = [
    { status: 'NO COVERAGE', class: 'no_route' as const, source: 's' },
    { status: 'REJECTED', source: 's' },
  ];
  it('moves on a per-recipient refusal with a class, keeps an opt-out, and takes any other status as accepted', () => {
    expect(recipientRefusal('+1', 'NO COVERAGE', rules)).toEqual({ to: '+1', failover: true, class: 'no_route', code: 'NO COVERAGE' });
    expect(recipientRefusal('+1', 'REJECTED', rules, 'opted out')).toEqual({ to: '+1', failover: false, code: 'REJECTED', reason: 'opted out' });
    expect(recipientRefusal('+1', 'ACCEPTED', rules)).toBeUndefined();
  });
});
