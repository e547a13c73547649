import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sms = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };

describe('startSandbox', () => {
  it('listens on 127.0.0.1 and serves each vendor under its prefix and server path', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.baseUrls).toEqual({
      smscx: `${sandbox.url}/smscx`,
      smsworks: `${sandbox.url}/smsworks/v1`,
      octopush: `${sandbox.url}/octopush/v1/public`,
      infobip: `${sandbox.url}/infobip`,
    });
  });

  it('answers 404 outside the vendor prefixes and in the vendor error shape for unknown paths', async () => {
    expect((await fetch(`${sandbox.url}/nope`)).status).toBe(404);
    const res = await call(sandbox, 'smscx', 'GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('not_found');
  });

  it('answers malformed JSON with the vendor validation error', async () => {
    const res = await call(sandbox, 'smscx', 'POST', '/sms', '{"to": [');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('invalid_param');
  });

  it('starts several sandboxes side by side, each with its own memory', async () => {
    const other = await startSandbox();
    try {
      await call(other, 'smscx', 'POST', '/sms', sms);
      expect(other.received()).toHaveLength(1);
      expect(sandbox.received()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('answers each vendor\'s balance, moved by what was sent, and lists every answered request with whether it acted', async () => {
    expect((await call(sandbox, 'smscx', 'GET', '/account/balance')).body).toEqual({ balance: 100000, currency: 'eur', billing: 'prepaid' });
    expect((await call(sandbox, 'smsworks', 'GET', '/credits/balance')).body).toEqual({ credits: 10000 });
    expect((await call(sandbox, 'infobip', 'GET', '/account/1/balance')).body).toEqual({ balance: 1000, currency: 'EUR' });
    await call(sandbox, 'smscx', 'POST', '/sms/estimate', sms);
    await call(sandbox, 'smscx', 'POST', '/sms', sms);
    await call(sandbox, 'smsworks', 'POST', '/batch/send', { sender: 'Shop', destinations: ['447400123456', '33612345678'], content: 'Hi' });
    await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', { destinations: [{ to: { phoneNumber: '447400123456' } }], sms: { text: 'Hi' } });
    expect((await call(sandbox, 'smscx', 'GET', '/account/balance')).body).toMatchObject({ balance: 99999.926 });
    expect((await call(sandbox, 'smsworks', 'GET', '/credits/balance')).body).toEqual({ credits: 9997 });
    expect((await call(sandbox, 'infobip', 'GET', '/account/1/balance')).body).toEqual({ balance: 999.99, currency: 'EUR' });
    expect(sandbox.requests('smscx').map((r) => [r.operationId, r.status, r.acted, r.messages])).toEqual([
      ['getAccountBalance', 200, false, 0],
      ['estimateSms', 200, false, 0],
      ['sendSms', 200, true, 1],
      ['getAccountBalance', 200, false, 0],
    ]);
    expect(sandbox.requests().filter((r) => r.acted).map((r) => r.operationId)).toEqual(sandbox.received().map((r) => r.operationId));
    sandbox.reset();
    expect(sandbox.requests()).toEqual([]);
  });

  it('times every answered request: when it arrived and when it was answered, in the order they came', async () => {
    const before = Date.now();
    await call(sandbox, 'smscx', 'GET', '/account/balance');
    await call(sandbox, 'smscx', 'POST', '/sms', sms);
    await call(sandbox, 'smsworks', 'GET', '/credits/balance');
    const answered = sandbox.requests();
    expect(answered).toHaveLength(3);
    let last = before;
    for (const r of answered) {
      expect(r.receivedAt).toBeInstanceOf(Date);
      expect(r.receivedAt.getTime()).toBeGreaterThanOrEqual(last);
      expect(r.answeredAt.getTime()).toBeGreaterThanOrEqual(r.receivedAt.getTime());
      last = r.answeredAt.getTime();
    }
    expect(last).toBeLessThanOrEqual(Date.now());
  });

  it('rejects a host other than loopback', async () => {
    await expect(startSandbox({ host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(TypeError);
  });
});

describe('fault injection', () => {
  it('answers the next N matching requests with the given status, headers and body, before any business logic', async () => {
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', method: 'POST', count: 2, status: 429, headers: { 'x-rate-limit-reset': '1700000000' }, body: { error: { type: 'rate_limit', code: 0 } } });
    for (let i = 0; i < 2; i++) {
      const res = await call(sandbox, 'smscx', 'POST', '/sms', sms);
      expect(res.status).toBe(429);
      expect(res.headers.get('x-rate-limit-reset')).toBe('1700000000');
      expect(res.body).toEqual({ error: { type: 'rate_limit', code: 0 } });
    }
    expect(sandbox.received()).toHaveLength(0);
    expect(sandbox.messages()).toHaveLength(0);
    expect((await call(sandbox, 'smscx', 'POST', '/sms', sms)).status).toBe(200);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('faults even requests that would fail validation or authentication', async () => {
    sandbox.faults.add({ status: 503 });
    expect((await call(sandbox, 'infobip', 'POST', '/omni/1/advanced', {}, {})).status).toBe(503);
  });

  it('matches only the vendor, path and method given', async () => {
    sandbox.faults.add({ vendor: 'octopush', status: 500 });
    sandbox.faults.add({ path: '/smscx/sms/estimate', status: 502 });
    sandbox.faults.add({ method: 'DELETE', vendor: 'smscx', status: 504 });
    expect((await call(sandbox, 'smscx', 'POST', '/sms', sms)).status).toBe(200);
    expect((await call(sandbox, 'smscx', 'POST', '/sms/estimate', sms)).status).toBe(502);
    expect((await call(sandbox, 'smscx', 'DELETE', `/sms/scheduled/${crypto.randomUUID()}`)).status).toBe(504);
    expect((await call(sandbox, 'octopush', 'GET', '/wallet/check-balance')).status).toBe(500);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('delays a request, which then proceeds normally', async () => {
    sandbox.faults.add({ delayMs: 300 });
    const started = performance.now();
    const res = await call(sandbox, 'smscx', 'POST', '/sms', sms);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
    expect(sandbox.received()).toHaveLength(1);
  });

  it('delays and then answers a status when both are given', async () => {
    sandbox.faults.add({ delayMs: 200, status: 500, body: { message: 'boom' } });
    const started = performance.now();
    const res = await call(sandbox, 'smsworks', 'POST', '/message/send', { sender: 'A', destination: '447777777777', content: 'x' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(res).toMatchObject({ status: 500, body: { message: 'boom' } });
  });

  it('drops the connection without an answer, recording nothing', async () => {
    sandbox.faults.add({ drop: true, count: 1 });
    await expect(call(sandbox, 'smscx', 'POST', '/sms', sms)).rejects.toThrow(TypeError);
    expect(sandbox.received()).toHaveLength(0);
    expect((await call(sandbox, 'smscx', 'POST', '/sms', sms)).status).toBe(200);
  });

  it('lets the vendor act first with `after`, then answers the fault instead: the answer is lost, the message is not', async () => {
    sandbox.faults.add({ vendor: 'smscx', after: true, status: 500, body: { error: { type: 'server_error', code: 0 } } });
    const res = await call(sandbox, 'smscx', 'POST', '/sms', sms);
    expect(res).toMatchObject({ status: 500, body: { error: { type: 'server_error', code: 0 } } });
    expect(sandbox.received()).toHaveLength(1);
    expect(sandbox.messages().map((m) => m.to)).toEqual(['+31612345678']);
  });

  it('answers an unreadable 2xx after acting when `after` carries a success status and a text body', async () => {
    sandbox.faults.add({ vendor: 'smsworks', after: true, status: 200, body: '<html>gateway</html>' });
    const res = await fetch(`${sandbox.baseUrls.smsworks}/batch/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'JWT sandbox.jwt.token' },
      body: JSON.stringify({ sender: 'Shop', destinations: ['447777777777'], content: 'x' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<html>gateway</html>');
    expect(sandbox.messages('smsworks')).toHaveLength(1);
  });

  it('drops the connection after acting with `after` and `drop`', async () => {
    sandbox.faults.add({ vendor: 'smscx', after: true, drop: true });
    await expect(call(sandbox, 'smscx', 'POST', '/sms', sms)).rejects.toThrow(TypeError);
    expect(sandbox.messages('smscx')).toHaveLength(1);
  });

  it('delays the real answer after acting with `after` and `delayMs` alone', async () => {
    sandbox.faults.add({ vendor: 'smscx', after: true, delayMs: 2000 });
    const controller = new AbortController();
    const answer = fetch(`${sandbox.baseUrls.smscx}/sms`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: JSON.stringify(sms), signal: controller.signal });
    // The client gives up once the vendor has taken the message, not after a fixed time: on a loaded
    // machine a 50 ms timer could fire before the request arrived, and the request then landed in the
    // next test. The sandbox runs in this process, so this 5 ms poll always fires before the 2 s delay.
    while (sandbox.messages('smscx').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(answer).rejects.toThrow();
    expect(sandbox.messages('smscx')).toHaveLength(1);
  });

  it('rejects a malformed fault', () => {
    expect(() => sandbox.faults.add({ count: 0, status: 500 })).toThrow(TypeError);
    expect(() => sandbox.faults.add({ status: 42 })).toThrow(TypeError);
  });
});

describe('the /__sandbox control endpoints', () => {
  it('arm faults, read received requests and messages, and reset over HTTP', async () => {
    const info = await (await fetch(`${sandbox.url}/__sandbox`)).json();
    expect(info).toEqual({ url: sandbox.url, baseUrls: sandbox.baseUrls });
    const armed = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ vendor: 'smscx', status: 500 }, { drop: true }]) });
    expect(armed.status).toBe(201);
    expect(await (await fetch(`${sandbox.url}/__sandbox/faults`)).json()).toHaveLength(2);
    expect((await call(sandbox, 'smscx', 'POST', '/sms', sms)).status).toBe(500);
    await expect(call(sandbox, 'smscx', 'POST', '/sms', sms)).rejects.toThrow();
    await call(sandbox, 'smscx', 'POST', '/sms', sms);

    const received = await (await fetch(`${sandbox.url}/__sandbox/received?vendor=smscx`)).json();
    expect(received).toEqual([expect.objectContaining({ vendor: 'smscx', operationId: 'sendSms', body: sms, messageIds: [expect.any(String)] })]);
    const messages = await (await fetch(`${sandbox.url}/__sandbox/messages`)).json();
    expect(messages).toEqual([expect.objectContaining({ vendor: 'smscx', to: '+31612345678', id: received[0].messageIds[0] })]);
    expect((await fetch(`${sandbox.url}/__sandbox/received?vendor=nope`)).status).toBe(400);
    expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count": 0}' })).status).toBe(400);

    expect((await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(204);
    expect(sandbox.received()).toEqual([]);
    expect(sandbox.messages()).toEqual([]);
  });
});
