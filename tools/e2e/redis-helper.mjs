// The Redis the queue end-to-end test uses: MSGKIT_TEST_REDIS_URL when set (.ci/run starts one),
// else a redis-server of its own on a free loopback port; both write an append-only file. In CI (CI=true) a missing Redis is a
// failure; elsewhere the test is skipped with a note saying why.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const redisAvailable = Boolean(process.env.MSGKIT_TEST_REDIS_URL) || spawnSync('redis-server', ['--version']).status === 0;
if (!redisAvailable) {
  const why = 'no Redis for the queue end-to-end test: set MSGKIT_TEST_REDIS_URL or install redis-server (apt-get install redis-server)';
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

export async function startRedis() {
  if (process.env.MSGKIT_TEST_REDIS_URL) return { url: process.env.MSGKIT_TEST_REDIS_URL, stop: async () => {} };
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-redis-'));
  // An append-only file fsynced every second: the queue's workers for The SMS Works and Infobip refuse a Redis without one.
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir], { stdio: 'ignore' });
  let exited;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
  // However slowly it starts: only a server that ended stops the wait (a hang ends at the hook's limit).
  while (!(await ping(port))) {
    if (exited) throw new Error(`redis-server ${exited} before it answered on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
