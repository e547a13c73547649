import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from './index';
import { call, rawRequest } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const sms = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };

describe('the /__sandbox control endpoints', () => {
  it('answer only requests addressed to the sandbox itself, so a rebound DNS name gets nothing', async () => {
    await call(sandbox, 'smscx', 'POST', '/sms', sms);
    for (const path of ['/__sandbox', '/__sandbox/received', '/__sandbox/messages', '/__sandbox/faults']) {
      const res = await rawRequest(sandbox.url + path, { host: 'evil.example' });
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('smscx');
      expect(res.body).not.toContain('+31612345678');
      expect((await rawRequest(sandbox.url + path, { host: `evil.example:${sandbox.port}` })).status).toBe(403);
    }
    expect((await rawRequest(`${sandbox.url}/__sandbox/reset`, { method: 'POST', host: 'evil.example' })).status).toBe(403);
    expect((await rawRequest(`${sandbox.url}/__sandbox/faults`, { method: 'POST', host: 'evil.example', body: '{"status":500}' })).status).toBe(403);
    expect(sandbox.received()).toHaveLength(1);
    expect(sandbox.faults.list()).toEqual([]);

    for (const host of [`127.0.0.1:${sandbox.port}`, `localhost:${sandbox.port}`, `LOCALHOST:${sandbox.port}`, `[::1]:${sandbox.port}`]) {
      const res = await rawRequest(`${sandbox.url}/__sandbox/received`, { host });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toHaveLength(1);
    }
    expect((await rawRequest(`${sandbox.url}/__sandbox/received`, { host: `127.0.0.1:${sandbox.port + 1}` })).status).toBe(403);
  });

  it('refuse a POST that is not application/json with 415, so a web page cannot arm faults or reset with a cross-site text/plain form', async () => {
    await call(sandbox, 'smscx', 'POST', '/sms', sms);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const faults = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers, body: '{"status":500}' });
      expect([type, faults.status]).toEqual([type, 415]);
      expect((await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST', headers })).status).toBe(415);
    }
    expect(sandbox.faults.list()).toEqual([]);
    expect(sandbox.received()).toHaveLength(1);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: json, body: '{"status":503,"count":1}' })).status).toBe(201);
    expect((await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST', headers: json })).status).toBe(204);
    expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuse a request whose Origin is another site (403), and take the sandbox\'s own origin', async () => {
    const json = { 'content-type': 'application/json' };
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${sandbox.port + 1}`]) {
      expect((await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { ...json, origin }, body: '{"status":500}' })).status).toBe(403);
      expect((await fetch(`${sandbox.url}/__sandbox/received`, { headers: { origin } })).status).toBe(403);
    }
    expect(sandbox.faults.list()).toEqual([]);
    for (const origin of [sandbox.url, `http://localhost:${sandbox.port}`]) {
      expect((await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST', headers: { ...json, origin } })).status).toBe(204);
    }
  });

  it('still serve the vendor APIs whatever the Host header says', async () => {
    expect((await rawRequest(`${sandbox.baseUrls.smscx}/nope`, { host: 'evil.example' })).status).toBe(404);
  });
});

describe('recorded requests', () => {
  it('mask every credential header, in process and over HTTP, keeping the first characters', async () => {
    await call(sandbox, 'smscx', 'POST', '/sms', sms, { 'x-api-key': 'smscx-secret-key' });
    await call(sandbox, 'smscx', 'POST', '/sms', sms, { authorization: 'Bearer smscx-secret-token' });
    await call(sandbox, 'smsworks', 'POST', '/message/send', { sender: 'Shop', destination: '447777777777', content: 'Hi' }, { authorization: 'JWT works.secret.jwt' });
    await call(sandbox, 'octopush', 'GET', '/wallet/check-balance', undefined, { 'api-login': 'owner@example.com', 'api-key': 'octo-secret-key' });
    await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios', undefined, { authorization: `Basic ${Buffer.from('user:infobip-password').toString('base64')}` });
    await call(sandbox, 'infobip', 'GET', '/omni/1/scenarios', undefined, { authorization: 'App infobip-secret-key' });

    const headers = sandbox.received().map((r) => r.headers);
    expect(headers.map((h) => h['x-api-key'] ?? h['authorization'] ?? [h['api-login'], h['api-key']])).toEqual([
      'sm…',
      'Bearer sm…',
      'JWT wo…',
      ['ow…', 'oc…'],
      `Basic ${Buffer.from('user:infobip-password').toString('base64').slice(0, 2)}…`,
      'App in…',
    ]);
    const overHttp = await (await fetch(`${sandbox.url}/__sandbox/received`)).text();
    for (const secret of ['smscx-secret', 'works.secret', 'owner@example.com', 'octo-secret', 'infobip-secret', Buffer.from('user:infobip-password').toString('base64')]) {
      expect(JSON.stringify(sandbox.received())).not.toContain(secret);
      expect(overHttp).not.toContain(secret);
    }
  });

  it('mask credential fields and URL passwords in recorded bodies', async () => {
    await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, apiKey: 'body-secret-key', extra: { password: 'hunter2-long', nested: [{ client_secret: 'cs-secret-value' }] } });
    await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: 'https://hook:url-password@hooks.example/dlr' });
    const [first, second] = sandbox.received();
    expect(first!.body).toEqual({ ...sms, apiKey: 'bo…', extra: { password: 'hu…', nested: [{ client_secret: 'cs…' }] } });
    expect((second!.body as { dlrCallbackUrl: string }).dlrCallbackUrl).toBe('https://hook:***@hooks.example/dlr');
    expect(JSON.stringify(sandbox.messages())).not.toContain('url-password');
  });
});
