// A throwaway redis-server on a free 127.0.0.1 port, nothing persisted, for the queue benchmark.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ping = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (data) => (socket.destroy(), resolve(data.toString().startsWith('+PONG'))));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
  });

/** CPU seconds redis-server has used (INFO cpu: used_cpu_user + used_cpu_sys), in ms. */
const cpuMs = (port) =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (data) => {
      text += data.toString();
      const user = /used_cpu_user:([\d.]+)/.exec(text);
      const sys = /used_cpu_sys:([\d.]+)/.exec(text);
      if (user && sys && text.includes('used_cpu_user_children')) {
        socket.destroy();
        resolve((Number(user[1]) + Number(sys[1])) * 1000);
      }
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write('INFO cpu\r\n'));
  });

export async function startRedis() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const failed = new Promise((_, reject) => child.once('error', () => reject(new Error('redis-server is not installed (apt-get install redis-server)'))));
  for (let i = 0; !(await Promise.race([ping(port), failed])); i++) {
    if (i >= 100) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    cpuMs: () => cpuMs(port),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
