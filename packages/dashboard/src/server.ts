/**
 * The dashboard's HTTP server: the page and its two assets, a read-only JSON API, one event stream
 * per open page (server-sent events, a summary each time its campaign changes), and bull-board
 * under /queues when a Redis is shown. Every request passes the Host check, then the method check
 * (GET and HEAD only), then the token check when the bind needs one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Registry } from './registry';
import { requestToken, sameToken, securityHeaders, TOKEN_COOKIE } from './security';

/** Unknown recipients per page: a page, never the list. */
export const MAX_PAGE = 200;
/** An idle event stream sends a comment this often, so proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
  '/favicon.svg': 'favicon.svg',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/** The page's built files (dist/client, beside this module once built; from the sources, the package's dist). */
function clientDir(): string {
  for (const candidate of ['./client/', '../dist/client/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}app.js`)) return dir;
  }
  throw new Error('the dashboard page is not built: run the @msgkit/dashboard build');
}

export interface AppOptions {
  registry: Registry;
  allowedHosts: ReadonlySet<string>;
  token: string | undefined;
  board?: Hono;
}

export function createApp({ registry, allowedHosts, token, board }: AppOptions): Hono {
  const dir = clientDir();
  const files = new Map(Object.entries(ASSETS).map(([path, name]) => [path, readFileSync(`${dir}${name}`)]));
  const app = new Hono();

  app.use('*', async (c, next) => {
    const path = c.req.path;
    const headers = securityHeaders(path);
    const deny = (status: 401 | 403 | 405 | 421, text: string, extra: Record<string, string> = {}) =>
      new Response(`${text}\n`, { status, headers: { ...headers, ...extra, 'content-type': 'text/plain; charset=utf-8' } });
    if (!allowedHosts.has((c.req.header('host') ?? '').toLowerCase())) return deny(421, 'this dashboard does not answer to that host name');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return deny(405, 'this dashboard is read-only', { allow: 'GET, HEAD' });
    if (token !== undefined) {
      const offered = c.req.query('token');
      if (offered !== undefined && !path.startsWith('/api/')) {
        if (!sameToken(offered, token)) return deny(401, 'wrong token: open the address msgkit dashboard printed');
        // Into a cookie the page's scripts cannot read, and out of the address bar and history.
        const url = new URL(c.req.url);
        url.searchParams.delete('token');
        const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
        return new Response(null, { status: 303, headers: { ...headers, location: `${url.pathname}${url.search}`, 'set-cookie': cookie } });
      }
      if (!sameToken(requestToken(c.req.header('cookie'), c.req.header('authorization')), token)) return deny(401, 'this dashboard needs its token: open the address msgkit dashboard printed');
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });

  for (const [path, name] of Object.entries(ASSETS)) {
    app.get(path, (c) => c.body(files.get(path)!, 200, { 'content-type': TYPES[name.split('.').pop()!]! }));
  }

  app.get('/api/campaigns', (c) => c.json({ campaigns: registry.list(), queues: registry.hasQueues, ...(registry.problem && { problem: registry.problem }) }));

  app.get('/api/campaigns/:id', (c) => {
    const campaign = registry.get(c.req.param('id'));
    return campaign ? c.json(registry.summary(campaign)) : c.json({ error: 'no_campaign' }, 404);
  });

  app.get('/api/campaigns/:id/unknown', async (c) => {
    const campaign = registry.get(c.req.param('id'));
    if (!campaign) return c.json({ error: 'no_campaign' }, 404);
    const offset = Number(c.req.query('offset') ?? 0);
    const limit = Number(c.req.query('limit') ?? 50);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return c.json({ error: 'bad_page', message: `offset must be a whole number ≥ 0 and limit 1 to ${MAX_PAGE}` }, 400);
    }
    const reveal = c.req.query('reveal') === '1';
    if (reveal && !campaign.info().canReveal) return c.json({ error: 'not_revealable', message: 'full numbers are shown only for a journal file of your own' }, 403);
    return c.json(await campaign.unknown(offset, limit, reveal));
  });

  app.get('/api/events', (c) => {
    const id = c.req.query('campaign') ?? '';
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      let pending = true;
      // The list carries every campaign's totals, so any change is news to every page.
      const off = registry.onChange(() => {
        pending = true;
        wake?.();
      });
      stream.onAbort(() => {
        off();
        wake?.();
      });
      try {
        while (!stream.aborted) {
          if (pending) {
            pending = false;
            await stream.writeSSE({ event: 'campaigns', data: JSON.stringify({ campaigns: registry.list(), queues: registry.hasQueues, ...(registry.problem && { problem: registry.problem }) }) });
            const campaign = registry.get(id);
            if (campaign) await stream.writeSSE({ event: 'summary', data: JSON.stringify(registry.summary(campaign)) });
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (!pending && !stream.aborted) await stream.write(': keepalive\n\n');
        }
      } finally {
        off();
      }
    });
  });

  if (board) app.route('/', board);
  app.notFound((c) => c.text('not found\n', 404));
  return app;
}
