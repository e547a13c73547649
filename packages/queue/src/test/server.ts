/**
 * A redis-server of the test's own that can be killed and started again on the same port and
 * directory, so a test can restart Redis under a running campaign in each persistence mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** `rdb`: snapshots only (taken when the test says SAVE); `none`: nothing persisted; `aof`: append-only file, fsync every second. */
export type Persistence = 'rdb' | 'none' | 'aof';

const ARGS: Record<Persistence, string[]> = {
  rdb: ['--save', '', '--appendonly', 'no'],
  none: ['--save', '', '--appendonly', 'no'],
  aof: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
};

/** A TCP port free on 127.0.0.1 a moment ago (the OS chose it; another process may take it before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits however slowly it starts: only a server that ended stops the wait (a hang ends at the hook's limit). */
async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connections while the server starts are expected; connect() rejects with them too.
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (error) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}) before it answered on ${url}: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

/** A `redis-server` child process of the test's own, in a temporary directory. */
export interface RedisServer {
  /** Its redis:// URL, on 127.0.0.1. */
  url: string;
  /** SIGKILL: no shutdown save, no final fsync; what is on disk is what a crash leaves. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory, with the same persistence (or another one), and any further arguments. */
  start(persistence?: Persistence, extra?: string[]): Promise<void>;
  /** Empties its directory while it is stopped: a lost disk or volume. */
  wipe(): void;
  /** SIGTERM, then removes its directory. */
  stop(): Promise<void>;
}

/** Starts a `redis-server` on a free 127.0.0.1 port with `persistence`, and waits until it answers PING. */
export async function startRedisServer(persistence: Persistence): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-redis-restart-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const start = async (mode: Persistence = persistence, extra: string[] = []) => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...ARGS[mode], ...extra], { stdio: 'ignore' });
    await waitForPing(url, child);
  };
  await start();
  return {
    url,
    kill,
    start,
    wipe: () => {
      for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
    },
    stop: async () => {
      // SIGTERM: a clean shutdown of the server other tests shared; the files go with the directory.
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
