import { describe, expect, it } from 'vitest';
import { ApiError, NotFoundError, ServerError } from '../errors';
import type { DeliveryEvent } from '../delivery/report';
import { absenceVerdict, lookupRequests, matchRecipients, notFoundProof, strictestRateLimit, type LookupProof, type StatusLookupFact } from './lookup';

const proving: StatusLookupFact = {
  endpoints: ['GET /logs'],
  by: ['dedupeKey'],
  rateLimit: { requests: 120, periodSeconds: 60, published: true },
  absenceProof: { retentionHours: 48, marginHours: 1, settleMinutes: 10, source: 'test' },
  source: 'test',
};
const now = new Date('2030-01-02T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const key = '2f1c6a4e-8b0d-5e2f-9a3b-1c4d5e6f7a8b';

describe('absenceVerdict', () => {
  it('takes an absence as proof only for a send with msgkit ids, settled and inside the retention window less its margin', () => {
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: ago(10) }, now)).toEqual({ proves: true });
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: ago(47 * 60) }, now)).toEqual({ proves: true });
  });

  it('names why an absence proves nothing', () => {
    expect(absenceVerdict(false, { dedupeKey: key, sentAt: ago(60) }, now)).toEqual({ proves: false, reason: 'vendor_gives_no_proof' });
    expect(absenceVerdict({ ...proving, absenceProof: false }, { dedupeKey: key, sentAt: ago(60) }, now)).toEqual({ proves: false, reason: 'vendor_gives_no_proof' });
    expect(absenceVerdict(proving, { sentAt: ago(60) }, now)).toEqual({ proves: false, reason: 'no_client_ids' });
    expect(absenceVerdict(proving, { dedupeKey: key }, now)).toEqual({ proves: false, reason: 'send_time_unknown' });
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: new Date('nope') }, now)).toEqual({ proves: false, reason: 'send_time_unknown' });
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: ago(9) }, now)).toEqual({ proves: false, reason: 'too_recent' });
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: ago(-5) }, now)).toEqual({ proves: false, reason: 'too_recent' });
    expect(absenceVerdict(proving, { dedupeKey: key, sentAt: ago(47 * 60 + 1) }, now)).toEqual({ proves: false, reason: 'outside_retention' });
  });
});

describe('strictestRateLimit', () => {
  it('picks the limit that allows the fewest requests per second, the smaller burst on a tie', () => {
    const perMinute = { requests: 120, periodSeconds: 60, published: true };
    const perSecond = { requests: 1, periodSeconds: 1, published: false };
    const halfBurst = { requests: 60, periodSeconds: 30, published: true };
    expect(strictestRateLimit(perMinute, perSecond)).toBe(perSecond);
    expect(strictestRateLimit(perSecond, perMinute)).toBe(perSecond);
    expect(strictestRateLimit(perMinute, halfBurst)).toBe(halfBurst);
    expect(strictestRateLimit(perMinute)).toBe(perMinute);
  });
});

describe('notFoundProof', () => {
  it("records a 404 with the vendor's body and request id, and nothing for any other error", () => {
    const notFound = new NotFoundError({ status: 404, message: 'Batch not found', body: { message: 'Batch not found' }, headers: {}, requestId: 'r-1' });
    expect(notFoundProof(notFound, 'GET /batch/1')).toEqual({ endpoint: 'GET /batch/1', at: expect.any(String), status: 404, body: { message: 'Batch not found' }, requestId: 'r-1' });
    expect(notFoundProof(new ServerError({ status: 500, message: 'x', body: {}, headers: {} }), 'GET /batch/1')).toBeUndefined();
    expect(notFoundProof(new Error('x'), 'GET /batch/1')).toBeUndefined();
    expect(new ApiError({ status: 404, message: 'x', body: 'text', headers: {} }).status).toBe(404);
  });
});

describe('lookupRequests', () => {
  it('waits for acquire before each request and keeps every answer, a 404 as the answer it is, and throws anything else', async () => {
    const proof: LookupProof[] = [];
    const order: string[] = [];
    const ask = lookupRequests(proof, { acquire: async () => void order.push('acquire') });
    expect(await ask('GET /a', async () => (order.push('a'), { requestId: 'r', x: 1 }))).toEqual({ requestId: 'r', x: 1 });
    expect(await ask('POST /b', async () => { order.push('b'); throw new NotFoundError({ status: 404, message: 'none', body: { message: 'none' }, headers: {} }); }, { q: 1 })).toBeUndefined();
    await expect(ask('GET /c', async () => { throw new ServerError({ status: 500, message: 'x', body: {}, headers: {} }); })).rejects.toBeInstanceOf(ServerError);
    expect(order).toEqual(['acquire', 'a', 'acquire', 'b', 'acquire']);
    expect(proof).toEqual([
      { endpoint: 'GET /a', at: expect.any(String), status: 200, body: { requestId: 'r', x: 1 }, requestId: 'r' },
      { endpoint: 'POST /b', request: { q: 1 }, at: expect.any(String), status: 404, body: { message: 'none' } },
    ]);
  });
});

describe('matchRecipients', () => {
  const event = (messageId: string, to?: string): DeliveryEvent => ({ vendor: 'v', messageId, status: 'delivered', final: true, raw: { status: 'DELIVERED' }, ...(to !== undefined && { to }) });
  it('names each event by the id msgkit knows, else by its number as digits, in the order of the recipients, and lists the rest as missing', () => {
    const recipients = ['+447400123456', '+447400123457', '+447400123458'];
    const { found, missing } = matchRecipients([event('x', '447400123457'), event('y'), event('z', '999'), event('w', '+447400123456')], recipients, new Map([['y', '+447400123458']]));
    expect(found.map((e) => [e.messageId, e.reference?.recipient])).toEqual([['w', '+447400123456'], ['x', '+447400123457'], ['y', '+447400123458'], ['z', undefined]]);
    expect(missing).toEqual([]);
    expect(matchRecipients([], recipients).missing).toEqual(recipients);
  });
});
