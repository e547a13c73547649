/**
 * `startDashboard`: the dashboard of some journal files, folders of them and a queue's Redis, on a
 * local address. It reads the stores every `intervalMs` (1 s) and never writes to them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { queueBoard, type QueueBoard } from './board';
import { RedisCampaigns, type QueueModule } from './redisSource';
import { Registry } from './registry';
import { allowedHosts, DashboardOptionsError, tokenFor } from './security';
import { createApp } from './server';

/** What {@link startDashboard} shows and where it listens. At least one of `journals`, `journalDirs` or `redis` is required. */
export interface DashboardOptions {
  /** Campaign journal files (`msgkit send --journal`); a file not written yet is shown once it is. */
  journals?: string[];
  /** Folders whose journal files are all shown, those started later included. */
  journalDirs?: string[];
  /** A queue's Redis (`redis://…`): every campaign under `prefix`, and bull-board for its queues. */
  redis?: string;
  /** The queue's key prefix in Redis, as its workers were given it (the queue's default when absent). */
  prefix?: string;
  /** Milliseconds to wait for Redis to answer when connecting (the queue's default when absent). */
  connectTimeoutMs?: number;
  /** Address to bind: 127.0.0.1 by default; any address beyond loopback needs a token (one is made when none is given). */
  host?: string;
  /** 0 (the default) for a free port. */
  port?: number;
  /** The token a browser must present (16 characters or more). */
  token?: string;
  /** More Host header names to answer to (a name that points at the bind, for a bind beyond loopback). */
  allowHosts?: string[];
  /** Milliseconds between reads of the stores: 1000 by default, 50 at least. */
  intervalMs?: number;
  /** How @msgkit/queue is loaded (tests name a missing module). */
  loadQueue?: () => Promise<QueueModule>;
}

/** A running dashboard, as {@link startDashboard} returns it. */
export interface Dashboard {
  /** The page's address, without the token. */
  url: string;
  /** The token, when the bind needs one: give it once, as `url?token=…`. */
  token?: string;
  /** Stops reading the stores, closes open connections and the server, and resolves once the port is free. */
  close(): Promise<void>;
}

/**
 * Reads the stores once, then serves the page on `host`:`port` and reads them again every
 * `intervalMs`. Resolves once the server listens.
 *
 * @throws {@link DashboardOptionsError} when no store is named, or the host, port, interval or token is unusable.
 * @throws {@link MissingQueuePackageError} when `redis` is given and `@msgkit/queue` is not installed.
 * @throws The listen error (`EADDRINUSE`, `EACCES`, …) when the address cannot be bound, and the
 *   connection error when `redis` is given and cannot be reached.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const journals = options.journals ?? [];
  const journalDirs = options.journalDirs ?? [];
  if (journals.length === 0 && journalDirs.length === 0 && options.redis === undefined) throw new DashboardOptionsError('no_source', 'name a journal file, a folder of journals or a Redis to show');
  const host = options.host ?? '127.0.0.1';
  if (host === '' || /[\s/]/.test(host)) throw new DashboardOptionsError('bad_host', `cannot bind to "${host}"`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DashboardOptionsError('bad_port', `the port must be 0 to 65535, got ${String(port)}`);
  const intervalMs = options.intervalMs ?? 1_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 50) throw new DashboardOptionsError('bad_interval', 'the refresh interval must be 50 ms or more');
  const token = tokenFor(host, options.token);

  const redisOptions = { ...(options.prefix !== undefined && { prefix: options.prefix }), ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }) };
  let redis: RedisCampaigns | undefined;
  let board: QueueBoard | undefined;
  if (options.redis !== undefined) {
    redis = await RedisCampaigns.open(options.redis, { ...redisOptions, ...(options.loadQueue && { load: options.loadQueue }) });
    board = await queueBoard(redis.queue, options.redis, redisOptions);
  }
  const registry = new Registry({ journals, folders: journalDirs, ...(redis && { redis }), ...(board && { board }) });
  try {
    await registry.refresh();
    // Filled once the port is known; until then no Host passes, and nothing can connect yet anyway.
    const hosts = new Set<string>();
    const app = createApp({ registry, allowedHosts: hosts, token, ...(board && { board: board.app }) });
    const server = serve({ fetch: app.fetch, hostname: host, port }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const bound = (server.address() as AddressInfo).port;
    for (const name of allowedHosts(host, bound, options.allowHosts)) hosts.add(name);
    const timer = setInterval(() => void registry.refresh().catch(() => undefined), intervalMs);
    timer.unref();
    const shown = host === 'localhost' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${shown}:${bound}/`,
      ...(token !== undefined && { token }),
      async close() {
        clearInterval(timer);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await registry.close();
      },
    };
  } catch (error) {
    await registry.close();
    throw error;
  }
}
