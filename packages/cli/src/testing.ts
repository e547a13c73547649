import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeliveryRecorder, type DeliveryRecorder } from '@msgkit/queue';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { createWebhookHandler, toNodeListener, type DeliveryReportFormat, type WebhookHandler } from '@msgkit/webhooks';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Io } from './io';
import { main } from './program';

/** Runs the command line in-process with captured output (tests only). */
export async function runCli(args: string[], env: Record<string, string> = {}, stdin?: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: Io = { stdout, stderr, env, exitCode: 0, ...(stdin !== undefined && { stdin: Readable.from([stdin]) }) };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Parses a results CSV written by `--results` (no quoted commas in the tests' inputs). */
export function parseResults(text: string): Array<Record<string, string>> {
  const [head, ...lines] = text.trim().split('\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v.replace(/^"|"$/g, '')])));
}

/** A fresh temporary directory: `file(name, text?)` gives a new path in it (written when `text` is given); `remove` deletes it all. */
export function scratch(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  const file = (name: string, text?: string) => {
    const path = join(dir, `${n++}-${name}`);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  };
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A sandbox on a free loopback port and a fresh temporary directory for one test file, reset before
 * each test; `file(name, text)` writes a file there under a unique name.
 */
export function sandboxFixture(prefix: string) {
  const fixture = { sandbox: undefined as unknown as Sandbox, dir: '', file: (_name: string, _text: string): string => '' };
  let n = 0;
  beforeAll(async () => {
    fixture.sandbox = await startSandbox({ port: 0 });
    fixture.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await fixture.sandbox?.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  beforeEach(() => fixture.sandbox.reset());
  fixture.file = (name, text) => {
    const path = join(fixture.dir, `${n++}-${name}`);
    writeFileSync(path, text);
    return path;
  };
  return fixture;
}

/**
 * `msgkit webhooks serve --redis <url> --prefix <prefix> --port 0` as a process of its own (the built
 * dist/bin.mjs), with only PATH and `env` in its environment: the child, once it printed its address.
 */
export async function serveRedisReports(url: string, prefix: string, env: Record<string, string>, args: readonly string[] = []): Promise<{ child: ChildProcessWithoutNullStreams; address: string; said: string }> {
  if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
  const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, 'webhooks', 'serve', '--redis', url, '--prefix', prefix, '--port', '0', ...args], { stdio: 'pipe', env: { PATH: process.env.PATH ?? '', ...env } });
  child.stdin.end();
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const found = /msgkit webhooks: (http:\/\/127\.0\.0\.1:\d+)\/ recording into Redis/.exec(out);
      // Every line it prints when it starts ends with this one.
      if (found && out.includes('Ctrl-C stops it')) resolve(found[1]!);
    });
    child.on('close', (code) => reject(new Error(`exited ${code} before printing its address: ${out}`)));
  });
  return { child, address, said: out };
}

/** A report receiver in the test's process: `createDeliveryRecorder` behind `createWebhookHandler` on node:http (127.0.0.1). */
export async function startRedisReceiver(options: { connection: string; prefix: string; formats: readonly DeliveryReportFormat[]; secret: string }): Promise<{ url: string; handler: WebhookHandler; recorder: DeliveryRecorder; close(): Promise<void> }> {
  const recorder = await createDeliveryRecorder({ connection: options.connection, prefix: options.prefix });
  const handler = createWebhookHandler({ formats: [...options.formats], secrets: [options.secret], record: recorder.record });
  const server: Server = createHttpServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handler,
    recorder,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await recorder.close();
    },
  };
}
