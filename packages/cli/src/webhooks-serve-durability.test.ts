/**
 * `msgkit webhooks serve --redis` (run as a command) against real redis-server processes of the
 * test's own: it does not start on a Redis that could forget a report it answered 200, and it says
 * at start what a crash can still lose.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startRedisServer, type RedisServer } from '@msgkit/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Servers of the test's own in given persistence modes (MSGKIT_TEST_REDIS_URL has one mode only).
const redisInstalled = spawnSync('redis-server', ['--version']).status === 0;
if (!redisInstalled && process.env.CI === 'true') throw new Error('no redis-server for the webhooks serve --redis durability tests');

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const secret = randomBytes(32).toString('base64url');
const servers: RedisServer[] = [];

let noAof: string;
let everysec: string;
let always: string;
beforeAll(async () => {
  if (!redisInstalled) return;
  const [none, second, each] = await Promise.all([startRedisServer('none'), startRedisServer('aof'), startRedisServer('aof')]);
  servers.push(none, second, each);
  // The same directory and port, now syncing on every write.
  await each.kill();
  await each.start('aof', ['--appendfsync', 'always']);
  [noAof, everysec, always] = [none.url, second.url, each.url];
});
afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** SAVE (a snapshot) over a plain socket: the CLI does not depend on a Redis client of its own. */
function save(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString();
      if (!answer.includes('\r\n')) return;
      socket.destroy();
      if (answer.startsWith('+OK')) resolve();
      else reject(new Error(`SAVE answered ${answer}`));
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write('SAVE\r\n'));
  });
}

/**
 * Runs `webhooks serve --redis`; once it says it runs, stops it (SIGTERM; it may arrive before the
 * command listens for it, so a started one's exit code is not asserted); its exit code and output.
 */
function serve(url: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'webhooks', 'serve', '--redis', url, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', MSGKIT_WEBHOOK_SECRET: secret } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.includes('Ctrl-C stops it')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(!redisInstalled)('msgkit webhooks serve --redis and Redis persistence', () => {
  it('does not start (exit 1) on a Redis without an append-only file, naming the setting and --redis-persistence accept-loss; with it, starts and says a restart loses the answered reports', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
    const refused = await serve(noAof);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('webhooks serve not started');
    expect(refused.stderr).toContain('appendonly no');
    expect(refused.stderr).toContain('--redis-persistence accept-loss');
    expect(refused.stdout).not.toContain('recording into Redis');
    const accepted = await serve(noAof, ['--redis-persistence', 'accept-loss']);
    expect(accepted.stdout).toContain('recording into Redis');
    expect(accepted.stdout).toContain('A restart without one loses every report answered 200 since its last snapshot');
  });

  it('says at start what appendfsync everysec can lose (about the last second of answered reports, recovered by reconcile except Octopush) and that always loses none', async () => {
    const second = await serve(everysec);
    expect(second.stdout).toContain('(appendfsync everysec): a crash of the machine or a power cut can lose the reports answered 200 in about the last second');
    expect(second.stdout).toContain('msgkit reconcile --campaign asks the vendors for them again, except Octopush');
    const none = await serve(always);
    expect(none.stdout).toContain('(appendfsync always): a report answered 200 survives a crash of Redis or of the machine');
  });

  it('says on stderr when its Redis comes back from a snapshot without an append-only file, that every report is now answered 500 until it writes one again', async () => {
    const server = await startRedisServer('aof');
    servers.push(server);
    const child = spawn(process.execPath, [bin, 'webhooks', 'serve', '--redis', server.url, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', MSGKIT_WEBHOOK_SECRET: secret } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      while (!stdout.includes('Ctrl-C stops it')) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(stderr).toBe('');
      await save(server.url);
      await server.kill();
      await server.start('rdb');
      // The receiver reconnects on its own and checks Redis again before it takes any report.
      while (!stderr.includes('Every report is answered 500')) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stderr).toContain('appendonly no');
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('refuses (exit 2) an unknown --redis-persistence', async () => {
    const wrong = await serve(everysec, ['--redis-persistence', 'maybe']);
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('--redis-persistence must be require-aof, trust-aof or accept-loss')]);
  });
});
