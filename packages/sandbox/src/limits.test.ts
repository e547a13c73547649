import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, startSandbox } from './index';
import { AUTH, call, stream } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ bodyTimeoutMs: 300 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sms = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };
const MB = 1024 * 1024;
const rss = (): number => process.memoryUsage().rss;

describe('request body limits', () => {
  it('refuses a 63 MB chunked body of "[" early, with little memory, and still answers the next request', async () => {
    const before = rss();
    const res = await stream(`${sandbox.baseUrls.smscx}/sms`, { chunk: Buffer.alloc(64 * 1024, '['), maxChunks: 1008, headers: AUTH.smscx });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.type).toBe('invalid_param');
    expect(res.sent).toBeLessThan(63 * MB);
    expect(rss() - before).toBeLessThan(200 * MB);
    expect((await call(sandbox, 'smscx', 'POST', '/sms', sms)).status).toBe(200);
  });

  it('answers 413 in the vendor error shape to a body whose Content-Length is past the limit, without reading it', async () => {
    const res = await stream(`${sandbox.baseUrls.infobip}/omni/1/advanced`, {
      chunk: Buffer.alloc(64 * 1024, 'a'),
      maxChunks: 1008,
      contentLength: 63 * MB,
      headers: AUTH.infobip,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).requestError.serviceException.messageId).toBe('PAYLOAD_TOO_LARGE');
    expect(res.sent).toBeLessThan(63 * MB);
    expect((await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios')).status).toBe(200);
  });

  it('answers 413 once a chunked body passes the limit, and closes the connection', async () => {
    const small = await startSandbox({ maxBodyBytes: MB });
    try {
      const before = rss();
      // A JSON string that never ends: shallow, so only the size limit can stop it.
      const res = await stream(`${small.baseUrls.smsworks}/message/send`, { chunk: Buffer.alloc(64 * 1024, 'a'), maxChunks: 10_000, headers: AUTH.smsworks });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ errorCode: 413, status: 'PAYLOAD_TOO_LARGE' });
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
      expect(res.sent).toBeLessThan(100 * MB);
      expect(rss() - before).toBeLessThan(200 * MB);
      expect(small.received()).toEqual([]);
      expect((await call(small, 'smsworks', 'POST', '/message/send', { sender: 'Shop', destination: '447777777777', content: 'Hi' })).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('answers 413 as plain JSON outside the vendor APIs', async () => {
    const res = await stream(`${sandbox.url}/__sandbox/faults`, { chunk: Buffer.alloc(64 * 1024, ' '), maxChunks: 1008, contentLength: 63 * MB });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: 'payload_too_large', message: `The request body is larger than ${MAX_BODY_BYTES} bytes` });
  });

  it(`refuses a small JSON body nested deeper than ${MAX_JSON_DEPTH} levels, and takes one at ${MAX_JSON_DEPTH}`, async () => {
    const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    const deep = await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, note: nested(MAX_JSON_DEPTH) });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ type: 'invalid_param', message: 'The request body is not valid JSON' });
    // Brackets inside strings do not count.
    expect((await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, text: '[{'.repeat(200) })).status).toBe(200);
    expect((await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, note: nested(MAX_JSON_DEPTH - 1) })).status).toBe(200);
    const octopush = await call(sandbox, 'octopush', 'POST', '/sms-campaign/send', '{"a":'.repeat(1000) + '1' + '}'.repeat(1000));
    expect(octopush).toMatchObject({ status: 400, body: { code: 400, message: 'Malformed JSON body.' } });
    expect(sandbox.received()).toHaveLength(2);
  });

  it('ends a chunked body that never finishes with 408 and closes the connection', async () => {
    const res = await stream(`${sandbox.baseUrls.octopush}/sms-campaign/send`, { chunk: Buffer.from(' '), maxChunks: 1000, intervalMs: 20, headers: AUTH.octopush });
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toEqual({ code: 408, message: 'The request body did not arrive within 300 ms' });
    expect(res.closed).toBe(true);
    expect(res.sent).toBeLessThan(1000);
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance')).status).toBe(200);
  });

  it('accepts a maximal legitimate request: 5000 The SMS Works messages with every text field at its longest', async () => {
    // Reports would fall due long after this test; close() forgets them.
    const big = await startSandbox({ dlrDelayMs: 600_000 });
    try {
      const message = {
        sender: 'YourCompany',
        destination: '447777777777',
        content: '中'.repeat(1280),
        tag: '中'.repeat(280),
        deliveryreporturl: `http://127.0.0.1:9/${'x'.repeat(200)}`,
        metadata: [{ key: 'k', value: 'v'.repeat(1024) }],
        responseemail: ['replies@example.com'],
        validity: 2880,
      };
      const body = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ ...message, destination: `4477${String(10_000_000 + i)}` })));
      expect(Buffer.byteLength(body)).toBeGreaterThan(30 * 1000 * 1000);
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);
      const res = await call(big, 'smsworks', 'POST', '/batch/any', body);
      expect(res.status).toBe(201);
      expect(big.messages('smsworks')).toHaveLength(5000);
    } finally {
      await big.close();
    }
  });
});
