// 0 forged, tampered, expired or replayed callbacks accepted, under node:http, Express, Fastify
// and Hono on loopback: every refused callback is counted, and no user code ever sees one.
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { infobipReports } from '@msgkit/infobip';
import { smscxReports } from '@msgkit/smscx';
import { afterAll, describe, expect, it } from 'vitest';
import { basicAuth } from './auth';
import { createWebhookHandler, type ReportBatch } from './handler';
import { FRAMEWORKS, nodeHttp, type Running } from './test/servers';
import { createCallbackUrl, TOKEN_PARAM } from './token';

const secret = randomBytes(32);
const dlr = (msgId: string) => JSON.stringify({ event: 'dlr_update', data: [{ campaignId: 'c1', msgId, trackData: null, statusCode: 3, status: 'DELIVERED', errorCode: null, datetime: '2030-06-23 14:26:19' }] });
const infobipBody = (messageId: string) => JSON.stringify({ results: [{ messageId, doneAt: '2030-01-01T00:00:01.000+0000', status: { groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' } }] });

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  await response.arrayBuffer();
  return response.status;
}

function mutate(token: string, i: number): string {
  const [v, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const swap = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
  const forgedClaims = [{ ...claims, campaign: 'other' }, { ...claims, vendor: 'infobip' }, { ...claims, expiresAt: claims.expiresAt + 86400 }, { ...claims, batch: 9 }];
  switch (i % 5) {
    case 0:
      // From the last character backwards: base64url's spare bits sit there.
      return `${v}.${payload}.${swap(signature, signature.length - 1 - (i % signature.length))}`;
    case 1:
      return `${v}.${Buffer.from(JSON.stringify(forgedClaims[i % forgedClaims.length])).toString('base64url')}.${signature}`;
    case 2:
      return `${v}.${payload}.${randomBytes(32).toString('base64url')}`;
    case 3:
      return `${v}.${payload}.${signature.slice(0, i % signature.length)}`;
    default:
      return `${v}.${swap(payload, i % payload.length)}.${signature}`;
  }
}

const running: Running[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

describe.each(FRAMEWORKS.map((start) => [start.name, start] as const))('under %s', (_name, start) => {
  it('accepts authentic reports, and 0 of the forged, tampered, expired and replayed ones', async () => {
    const seen: ReportBatch[] = [];
    let recorded = 0;
    const handler = createWebhookHandler({
      formats: [smscxReports, infobipReports],
      secrets: [secret],
      auth: { infobip: basicAuth({ username: 'ib', password: 'p4ss' }) },
      record: (batch) => void (recorded += batch.events.length),
      onReports: (batch) => void seen.push(batch),
      // The receiver's clock is an hour ahead: a URL issued for a minute has expired, without waiting.
      now: () => Date.now() + 3_600_000,
    });
    const server = await start(handler);
    running.push(server);
    const paths = server.name === 'express' ? ['/dlr', '/dlr-json'] : server.name === 'fastify' ? ['/dlr', '/dlr-web'] : ['/dlr'];
    let authentic = 0;
    let forged = 0;
    const refused: number[] = [];
    for (const path of paths) {
      const url = (o: Partial<Parameters<typeof createCallbackUrl>[0]> = {}) => createCallbackUrl({ baseUrl: `${server.url}${path}`, secret, vendor: 'smscx', campaign: 'spring', batch: 1, ...o });
      const good = url();
      const token = new URL(good).searchParams.get(TOKEN_PARAM)!;
      expect(await post(good, dlr(`${path}-ok`))).toBe(200);
      authentic++;
      const attempts: Array<[string, string, Record<string, string>?]> = [
        [good, dlr(`${path}-ok`)], // replay
        [`${server.url}${path}`, dlr(`${path}-unsigned`)],
        [url({ secret: randomBytes(32) }), dlr(`${path}-wrong-secret`)],
        [url({ ttlSeconds: 60 }), dlr(`${path}-expires`)],
        [createCallbackUrl({ baseUrl: `${server.url}/elsewhere`, secret, vendor: 'smscx' }).replace('/elsewhere', path), dlr(`${path}-moved`)],
        [`${server.url}${path}?vendor=infobip`, infobipBody(`${path}-ib-none`)],
        [`${server.url}${path}?vendor=infobip`, infobipBody(`${path}-ib-wrong`), { authorization: `Basic ${Buffer.from('ib:guess').toString('base64')}` }],
      ];
      for (let i = 0; i < 40; i++) attempts.push([`${server.url}${path}?${TOKEN_PARAM}=${encodeURIComponent(mutate(token, i))}`, dlr(`${path}-forged-${i}`)]);
      for (const [target, body, headers] of attempts) {
        const status = await post(target, body, headers);
        refused.push(status);
        forged++;
      }
      const ibOk = { authorization: `Basic ${Buffer.from('ib:p4ss').toString('base64')}` };
      expect(await post(`${server.url}${path}?vendor=infobip`, infobipBody(`${path}-ib-ok`), ibOk)).toBe(200);
      authentic++;
      expect(await post(`${server.url}${path}?vendor=infobip`, infobipBody(`${path}-ib-ok`), ibOk)).toBe(403);
      forged++;
    }
    await handler.drain();
    expect(refused.filter((s) => s < 400)).toEqual([]);
    expect(refused.every((s) => s === 401 || s === 403)).toBe(true);
    expect(handler.stats.accepted).toBe(authentic);
    expect(Object.values(handler.stats.refused).reduce((a, b) => a + b, 0)).toBe(forged);
    expect(recorded).toBe(authentic);
    expect(seen.flatMap((b) => b.events.map((e) => e.messageId)).sort()).toEqual(paths.flatMap((p) => [`${p}-ok`, `${p}-ib-ok`]).sort());
    console.log(`${server.name}: ${authentic} authentic accepted, ${forged} forged/tampered/expired/replayed sent, 0 accepted`);
  });
});

describe('behind a reverse proxy', () => {
  it('verifies the URL the vendor used when the proxy is trusted, and only then', async () => {
    const publicBase = 'https://hooks.example.com/dlr';
    const url = createCallbackUrl({ baseUrl: publicBase, secret, vendor: 'smscx', campaign: 'spring' });
    const results: Record<string, number> = {};
    for (const [name, options] of [['trusted', { trustProxy: true }], ['untrusted', {}], ['pinned', { publicOrigin: 'https://hooks.example.com' }]] as const) {
      const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret], ...options });
      const inner = await nodeHttp(handler);
      running.push(inner);
      const proxy = await startProxy(new URL(inner.url));
      // The vendor reached https://hooks.example.com; TLS ended at the proxy, which forwards to the receiver.
      const target = new URL(url);
      results[name] = await viaProxy(proxy, `${target.pathname}${target.search}`, 'hooks.example.com', dlr(`proxied-${name}`));
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
    expect(results).toEqual({ trusted: 200, untrusted: 403, pinned: 200 });
  });

  it('does not let a direct caller claim another host with forwarding headers when the proxy is not trusted', async () => {
    const url = createCallbackUrl({ baseUrl: 'https://hooks.example.com/dlr', secret, vendor: 'smscx' });
    const handler = createWebhookHandler({ formats: [smscxReports], secrets: [secret] });
    const server = await nodeHttp(handler);
    running.push(server);
    const target = new URL(url);
    expect(await post(`${server.url}${target.pathname}${target.search}`, dlr('direct'), { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' })).toBe(403);
  });
});

/** A minimal TLS-terminating proxy stand-in: forwards to `upstream`, adding X-Forwarded-Proto/Host. */
async function startProxy(upstream: URL): Promise<Server> {
  const proxy = createServer((req, res) => {
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host, 'x-forwarded-proto': 'https', 'x-forwarded-host': req.headers.host ?? '' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

function viaProxy(proxy: Server, path: string, host: string, body: string): Promise<number> {
  const { port } = proxy.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
