import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reachesLoopback } from './dlr';
import { startSandbox } from './index';
import { call, startReceiver, type Receiver } from './test/helpers';
import type { Sandbox } from './types';

let sandbox: Sandbox;
let target: Receiver;
let redirector: Server;
let redirectorUrl: string;
let redirectorHits = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ dlrDelayMs: 5, dlrAttempts: 2 });
  target = await startReceiver();
  redirector = createServer((req, res) => {
    redirectorHits++;
    req.resume();
    req.on('end', () => res.writeHead(302, { location: target.url }).end());
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/dlr`;
});
afterAll(async () => {
  await sandbox.close();
  await target.close();
  redirector.closeAllConnections();
  await new Promise((resolve) => redirector.close(resolve));
});
beforeEach(() => {
  sandbox.reset();
  target.bodies.length = 0;
  redirectorHits = 0;
});

const sms = { to: ['+31612345678'], from: 'InfoText', text: 'Hi' };

describe('delivery-report callbacks', () => {
  it('go only to the URL given and never follow a redirect', async () => {
    expect((await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: redirectorUrl })).status).toBe(200);
    await sandbox.settled();
    expect(redirectorHits).toBe(1);
    expect(target.bodies).toEqual([]);
    expect(sandbox.deliveries()).toEqual([expect.objectContaining({ url: redirectorUrl, status: 302, ok: false, attempts: 1 })]);
  });

  it('leave no listener behind after a back-off, however many reports were retried', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    // Attempts enough that every report gets through, whichever of them the 30 refusals fall on.
    const patient = await startSandbox({ dlrDelayMs: 1, dlrAttempts: 40 });
    try {
      // 30 reports each refused once: 30 back-offs, each of which used to leave its abort listener on the sender's signal.
      target.failNext(30);
      const to = Array.from({ length: 30 }, (_, i) => `+316123${String(45000 + i)}`);
      for (const n of to) expect((await call(patient, 'smsworks', 'POST', '/message/send', { sender: 'Shop', destination: n.slice(1), content: 'Hi', deliveryreporturl: target.url })).status).toBe(201);
      await patient.settled();
      expect(target.bodies).toHaveLength(30);
      expect(patient.deliveries().every((d) => d.ok)).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await patient.close();
    }
  });

  it('wait for a slow receiver as long as dlrTimeoutMs says, instead of giving up on it after 2 s', async () => {
    // The receiver holds its answer past the default 2 s: a durable receiver under load can.
    const slow = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200).end(), 2_200));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const patient = await startSandbox({ dlrDelayMs: 1, dlrAttempts: 1, dlrTimeoutMs: 600_000 });
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/dlr`;
      expect((await call(patient, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: url })).status).toBe(200);
      await patient.settled();
      expect(patient.deliveries()).toEqual([expect.objectContaining({ url, status: 200, ok: true, attempts: 1 })]);
      await expect(startSandbox({ dlrTimeoutMs: 0 })).rejects.toThrow(/dlrTimeoutMs must be a positive integer/);
    } finally {
      await patient.close();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('never go to the sandbox itself, under any of its names, and the refusal is recorded', async () => {
    const port = sandbox.port;
    const selves = [`${sandbox.url}/__sandbox/reset`, `http://localhost:${port}/__sandbox/reset`, `http://0.0.0.0:${port}/__sandbox/reset`, `http://[::ffff:127.0.0.1]:${port}/__sandbox/reset`];
    for (const url of selves) expect((await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: url })).status).toBe(200);
    await sandbox.settled();
    // Had any report reached /__sandbox/reset, the sends would be forgotten.
    expect(sandbox.received()).toHaveLength(selves.length);
    expect(sandbox.deliveries()).toHaveLength(selves.length);
    for (const delivery of sandbox.deliveries()) {
      expect(delivery).toMatchObject({ ok: false, attempts: 0, refused: 'the sandbox itself' });
      expect(delivery.status).toBeUndefined();
    }
  });

  it('go only to http and https URLs', async () => {
    expect((await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: 'ftp://127.0.0.1/dlr' })).status).toBe(200);
    await sandbox.settled();
    expect(sandbox.deliveries()).toEqual([expect.objectContaining({ url: 'ftp://127.0.0.1/dlr', ok: false, attempts: 0, refused: 'not an http(s) URL' })]);
  });

  it('still reach another loopback port, by address or by name', async () => {
    const byName = target.url.replace('127.0.0.1', 'localhost');
    await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: target.url });
    await call(sandbox, 'smscx', 'POST', '/sms', { ...sms, dlrCallbackUrl: byName });
    await target.waitFor(2);
    await sandbox.settled();
    expect(sandbox.deliveries()).toHaveLength(2);
    expect(sandbox.deliveries()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ url: target.url, status: 200, ok: true, attempts: 1 }),
        expect.objectContaining({ url: byName, status: 200, ok: true, attempts: 1 }),
      ]),
    );
  });
});

describe('reachesLoopback', () => {
  it('knows every address form that reaches a server on 127.0.0.1', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '0.0.0.0', '::1', '::', '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1', '::ffff:0:0']) {
      expect(reachesLoopback(address), address).toBe(true);
    }
    for (const address of ['10.0.0.1', '128.0.0.1', '::2', '::ffff:a00:1', '2001:db8::1', 'fe80::1']) expect(reachesLoopback(address), address).toBe(false);
  });
});
