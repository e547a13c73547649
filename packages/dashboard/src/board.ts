/**
 * The queue's internals (jobs, retries, paused queues) through bull-board, a dashboard made for
 * BullMQ, rather than one of our own: every account queue in read-only mode, mounted under
 * `/queues`. Three things are changed on the way out, so that it keeps the page's promises:
 * - its API answers are masked like the rest of the page (job data carries the recipients);
 * - its page names a font on Google's CDN and shows a placeholder styled inline: both are taken
 *   out, so it works offline under a Content-Security-Policy that allows no inline style;
 * - the server in front of it answers GET and HEAD only (see server.ts), whatever bull-board offers.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AccountQueues } from '@msgkit/queue';
import { Hono } from 'hono';
import { maskText } from './mask';
import type { QueueModule } from './redisSource';

export const BOARD_PATH = '/queues';

export interface QueueBoard {
  app: Hono;
  /** Adds the queues not shown yet. */
  show(names: Iterable<string>): void;
  close(): Promise<void>;
}

export async function queueBoard(queue: QueueModule, url: string, options: { prefix?: string; connectTimeoutMs?: number }): Promise<QueueBoard> {
  const queues: AccountQueues = await queue.openAccountQueues(url, options);
  const adapter = new HonoAdapter(serveStatic).setBasePath(BOARD_PATH);
  const uiBasePath = dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json'));
  const board = createBullBoard({ queues: [], serverAdapter: adapter, options: { uiBasePath, uiConfig: { boardTitle: 'msgkit queues', miscLinks: [{ text: 'Campaigns', url: '/' }] } } });
  const shown = new Set<string>();
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      const body = maskJson(await c.res.json());
      c.res = new Response(JSON.stringify(body), { status: c.res.status, headers: c.res.headers });
    } else if (type.includes('text/html')) {
      c.res = new Response(offline(await c.res.text()), { status: c.res.status, headers: c.res.headers });
    }
  });
  app.route(BOARD_PATH, adapter.registerPlugin());
  return {
    app,
    show(names) {
      for (const name of names) {
        if (shown.has(name)) continue;
        shown.add(name);
        board.addQueue(new BullMQAdapter(queues.get(name), { readOnlyMode: true }));
      }
    },
    close: () => queues.close(),
  };
}

/** Every string masked but Redis's own figures (memory, version, uptime), which hold no number of anyone's. */
function maskJson(value: unknown, key = ''): unknown {
  if (/redis|stats/i.test(key)) return value;
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map((v) => maskJson(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskJson(v, k)]));
  return value;
}

/** bull-board's page without its CDN font and its inline-styled placeholder (React replaces it anyway). */
export function offline(html: string): string {
  return html.replace(/<link[^>]+href="https?:\/\/[^"]*"[^>]*>/g, '').replace(/<div id="root">[\s\S]*?(?=<script)/, '<div id="root"></div>\n');
}
