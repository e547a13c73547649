import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileJournal } from '@msgkit/journal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from './dashboard';
import { MissingQueuePackageError } from './redisSource';
import { allowedHosts, DashboardOptionsError, isLoopback, sameToken, tokenFor } from './security';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-server-'));
const journalPath = join(dir, 'spring.journal');
const numbers = Array.from({ length: 4 }, (_, i) => `+44740010000${i}`);
let open: Dashboard;
let guarded: Dashboard;
const TOKEN = 'a-token-of-thirty-two-characters';

beforeAll(async () => {
  const journal = await openFileJournal(journalPath, { provider: 'smscx', sender: 'Shop', text: 'Hi', options: {}, recipients: 'x' });
  await journal.begin({ index: 0, recipients: numbers.slice(0, 2), rows: [2, 3] });
  await journal.settle(0, { status: 'unknown', code: 'timeout', message: 'no answer' });
  await journal.begin({ index: 1, recipients: numbers.slice(2), rows: [4, 5] });
  await journal.settle(1, { status: 'sent', ids: ['s-1'] });
  await journal.close();
  open = await startDashboard({ journals: [journalPath] });
  guarded = await startDashboard({ journals: [journalPath], token: TOKEN });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request, so that the Host header and the method are the test's. */
function call(base: string, path: string, options: { method?: string; host?: string; headers?: Record<string, string> } = {}) {
  const url = new URL(path, base);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: options.method ?? 'GET', headers: { host: options.host ?? url.host, ...options.headers }, timeout: 900_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard server', () => {
  it('binds to 127.0.0.1 and serves the page, its script and its style from itself, under a strict Content-Security-Policy', async () => {
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(open.token).toBeUndefined();
    const page = await call(open.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    // Nothing the page loads comes from elsewhere: every src and href is a path of this server.
    expect([...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual(['/favicon.svg', '/app.css', '/app.js', '#main', '/queues/']);
    for (const asset of ['/app.js', '/app.css', '/favicon.svg']) {
      const res = await call(open.url, asset);
      expect([asset, res.status]).toEqual([asset, 200]);
      expect(res.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it('answers only to its own host names, so a DNS-rebinding page cannot read it', async () => {
    const port = new URL(open.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect((await call(open.url, '/api/campaigns', { host })).status).toBe(200);
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`, `127.0.0.1.evil.example:${port}`]) {
      const res = await call(open.url, '/api/campaigns', { host });
      expect([host, res.status]).toEqual([host, 421]);
      expect(res.body).not.toContain('smscx');
    }
    // HTTP/1.0 without a Host header at all.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET /api/campaigns HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.\d (421|400) /);
    expect(answer).not.toContain('smscx');
  });

  it('is read-only: every method but GET and HEAD is refused, on every path', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const path of ['/', '/api/campaigns', '/queues/api/queues/msgkit-smscx-default/pause', '/api/anything']) {
        const res = await call(open.url, path, { method });
        expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 405, 'GET, HEAD']);
      }
    }
    expect((await call(open.url, '/', { method: 'HEAD' })).status).toBe(200);
  });

  it('sends the totals and the unknown recipients of its journal, masked, and whole only on request for a journal of the user\'s own', async () => {
    const { campaigns } = JSON.parse((await call(open.url, '/api/campaigns')).body);
    expect(campaigns).toMatchObject([{ name: 'spring.journal', provider: 'smscx', running: false, canReveal: true, totals: { sent: 2, unknown: 2 } }]);
    const summary = JSON.parse((await call(open.url, `/api/campaigns/${campaigns[0].id}`)).body);
    expect(summary).toMatchObject({ recipients: 4, totals: { sent: 2, unknown: 2 }, vendors: [{ vendor: 'smscx' }], countries: [{ country: 'GB' }], failures: [{ code: 'timeout', recipients: 2 }] });
    const masked = await call(open.url, `/api/campaigns/${campaigns[0].id}/unknown?offset=0&limit=10`);
    expect(masked.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(masked.body)).toMatchObject({ total: 2, recipients: [{ number: '+44 74•• •••000', row: 2 }, { number: '+44 74•• •••001', row: 3 }] });
    for (const n of numbers) expect(masked.body + JSON.stringify(summary)).not.toContain(n.slice(3));
    const whole = JSON.parse((await call(open.url, `/api/campaigns/${campaigns[0].id}/unknown?offset=1&limit=10&reveal=1`)).body);
    expect(whole.recipients.map((r: { number: string }) => r.number)).toEqual([numbers[1]]);
    for (const query of ['offset=-1', 'limit=0', 'limit=201', 'offset=x']) expect((await call(open.url, `/api/campaigns/${campaigns[0].id}/unknown?${query}`)).status).toBe(400);
    expect((await call(open.url, '/api/campaigns/nope')).status).toBe(404);
  });

  it('streams the campaign list and the summary as server-sent events', async () => {
    const { campaigns } = JSON.parse((await call(open.url, '/api/campaigns')).body);
    const controller = new AbortController();
    const res = await fetch(new URL(`/api/events?campaign=${campaigns[0].id}`, open.url), { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: summary')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: campaigns');
    expect(text).toMatch(/"totals":\{"pending":0,"sent":2/);
  });

  it('needs its token when it has one: a wrong or missing one is refused, the right one becomes a cookie the scripts cannot read', async () => {
    expect((await call(guarded.url, '/')).status).toBe(401);
    expect((await call(guarded.url, '/api/campaigns')).status).toBe(401);
    expect((await call(guarded.url, '/?token=wrong-token-of-some-length')).status).toBe(401);
    const opened = await call(guarded.url, `/?campaign=x&token=${TOKEN}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/?campaign=x');
    expect(opened.headers['set-cookie']).toEqual([`msgkit_dashboard=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`]);
    expect((await call(guarded.url, '/api/campaigns', { headers: { cookie: `msgkit_dashboard=${TOKEN}` } })).status).toBe(200);
    expect((await call(guarded.url, '/api/campaigns', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await call(guarded.url, '/api/campaigns', { headers: { cookie: 'msgkit_dashboard=a-token-of-thirty-two-characterz' } })).status).toBe(401);
  });
});

describe('the dashboard\'s options', () => {
  it('needs a token for any bind beyond loopback, makes one when none is given, and refuses a short one', () => {
    expect(['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.168.1.4', '::', 'example.com'].some(isLoopback)).toBe(false);
    expect(tokenFor('127.0.0.1', undefined)).toBeUndefined();
    const made = tokenFor('0.0.0.0', undefined)!;
    expect(made.length).toBeGreaterThanOrEqual(32);
    expect(tokenFor('0.0.0.0', undefined)).not.toBe(made);
    expect(() => tokenFor('0.0.0.0', 'short')).toThrow(DashboardOptionsError);
    expect(sameToken(made, made)).toBe(true);
    expect(sameToken(`${made}x`, made)).toBe(false);
    expect(sameToken(undefined, made)).toBe(false);
    expect([...allowedHosts('192.168.1.4', 8080, ['dash.lan'])]).toEqual(['192.168.1.4:8080', 'dash.lan:8080']);
  });

  it('refuses to start with nothing to show, and names the package a Redis needs when it is missing', async () => {
    await expect(startDashboard({})).rejects.toMatchObject({ code: 'no_source' });
    await expect(startDashboard({ journals: [journalPath], port: 70_000 })).rejects.toMatchObject({ code: 'bad_port' });
    const missing = () => Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' }));
    await expect(startDashboard({ redis: 'redis://127.0.0.1:1', loadQueue: missing })).rejects.toBeInstanceOf(MissingQueuePackageError);
  });

  it('never writes to what it shows: the journal and its folder are as they were', async () => {
    expect(readdirSync(dir)).toEqual(['spring.journal']);
    expect(readFileSync(journalPath, 'utf8').split('\n').filter(Boolean)).toHaveLength(5);
  });
});
