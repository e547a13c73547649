// Runs each example program (compiled by this package's test script, so a type error fails first)
// as a process against the sandbox on 127.0.0.1, as a user would run it.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { campaignStatus } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { SmscxClient } from '@msgkit/smscx';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../tools/test-child.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const example = (name) => join(here, 'dist', `${name}.js`);
// Bounds against a hang only, never a measure of speed (CONTRIBUTING.md, "Time in tests").
const PROCESS_MS = HANG_LIMIT_MS;
const WAIT_MS = HANG_LIMIT_MS;

/** Runs an example to its end without blocking this process (the sandbox answers from it). */
function run(name, args, env) {
  return new Promise((resolve) => {
    execFile(process.execPath, [example(name), ...args], { env: { PATH: process.env.PATH, ...env }, timeout: PROCESS_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Starts a long-running example; `waitFor(pattern)` resolves with the first stdout match. */
function start(name, args, env) {
  const child = spawn(process.execPath, [example(name), ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    for (const waiter of waiters) waiter();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stdout);
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const timer = setTimeout(() => (cleanup(), reject(new Error(`${name} did not print ${pattern} within ${WAIT_MS} ms:\n${stdout}\n${stderr}`))), WAIT_MS);
      const cleanup = () => (clearTimeout(timer), waiters.delete(check));
      waiters.add(check);
      check();
      void exited.then(({ code }) => {
        if (!waiters.has(check)) return;
        cleanup();
        reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`));
      });
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

let sandbox;
const dirs = [];
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
beforeEach(() => sandbox.reset());
afterAll(async () => {
  await sandbox?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const smscxEnv = () => ({ SMSCX_API_KEY: 'example-key', SMSCX_BASE_URL: sandbox.baseUrls.smscx });

describe('send.js, a transactional SMS', () => {
  it('sends one SMS to the number read under the given country and prints its campaign', async () => {
    const { code, stdout, stderr } = await run('send', ['--from', 'Shop', '--to', '07400 123456', '--country', 'GB', '--text', 'Your code is 123456'], smscxEnv());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [message] = sandbox.messages('smscx');
    expect(sandbox.messages('smscx')).toHaveLength(1);
    expect(message.to).toBe('+447400123456');
    expect(stdout).toContain(`message ${message.id} to +447400123456`);
  });

  it('prints SMS.CX codes and sends nothing when the request breaks a rule', async () => {
    const { code, stderr } = await run('send', ['--from', 'A sender name far too long', '--to', '+447400123456', '--text', 'Hi'], smscxEnv());
    expect(code).toBe(1);
    expect(stderr).toMatch(/^refused: from: .*\[SMS\.CX \d+\]/m);
    expect(sandbox.received()).toEqual([]);
  });
});

describe('campaign.js, a CSV campaign with the journal', () => {
  it('resends the batches of unknown outcome with their keys on a second run, so every number gets one message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msgkit-example-campaign-'));
    dirs.push(dir);
    const list = join(dir, 'list.csv');
    writeFileSync(list, 'name,phone\nAda,07400 100001\nBob,07400 100002\nCy,not a number\nDee,+44 7400 100003\nEd,07400 100001\nFay,07400 100004\nGus,07400 100005\n');
    const args = ['--file', list, '--country', 'GB', '--from', 'Shop', '--text', 'Sale today', '--journal', join(dir, 'spring.journal'), '--batch-size', '2'];

    // SMS.CX acts on every request, then its answers are lost: each batch's outcome is unknown.
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', method: 'POST', status: 500, after: true, count: 1000 });
    const first = await run('campaign', args, smscxEnv());
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('not sent: line 4 "not a number" (not_a_number)');
    expect(first.stdout).toContain('5 recipients, 1 invalid, 1 duplicate(s); country GB');
    expect(first.stdout).toContain('sent 0, already sent by an earlier run 0, not confirmed 5');
    expect(sandbox.messages('smscx')).toHaveLength(5);

    sandbox.faults.clear();
    const second = await run('campaign', args, smscxEnv());
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('sent 5, already sent by an earlier run 0, not confirmed 0');
    // The resent batches carried the keys of the first run: SMS.CX dropped them as repeats.
    expect(sandbox.messages('smscx').map((m) => m.to).sort()).toEqual(['+447400100001', '+447400100002', '+447400100003', '+447400100004', '+447400100005']);

    const third = await run('campaign', args, smscxEnv());
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('sent 0, already sent by an earlier run 5, not confirmed 0');
    expect(sandbox.messages('smscx')).toHaveLength(5);
  });
});

describe('webhook-receiver.js, delivery reports on node:http', () => {
  it('prints the delivery of a message sent with its signed callback URL, refuses an unsigned one, and stops on SIGTERM', async () => {
    const secret = 'an example secret of at least thirty-two bytes';
    const receiver = start('webhook-receiver', [], { MSGKIT_WEBHOOK_SECRET: secret, PORT: '0' });
    try {
      const [, url] = await receiver.waitFor(/listening on (\S+)/);
      const dlrCallbackUrl = createCallbackUrl({ baseUrl: url, secret, vendor: 'smscx', campaign: 'spring', batch: 0 });
      const smscx = new SmscxClient({ apiKey: 'example-key', baseUrl: sandbox.baseUrls.smscx });
      const sent = await smscx.sms.send({ from: 'Shop', to: ['+447400123456'], text: 'Hi', dlrCallbackUrl });
      const msgId = sent.data[0].msgId;
      await receiver.waitFor(new RegExp(`report: smscx message ${msgId} is delivered \\(final\\), campaign spring`));

      const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(forged.status).toBe(401);
      await receiver.waitFor(/refused a callback: unsigned \(401\)/);
    } finally {
      receiver.child.kill('SIGTERM');
    }
    const { code } = await receiver.exited;
    expect(receiver.output().stdout).toMatch(/stopped: 1 callback\(s\) accepted, 1 refused/);
    expect(code).toBe(0);
  });
});

// The queue needs a Redis: .ci/run starts one and sets MSGKIT_TEST_REDIS_URL. Without it this
// example is not run (and CI fails instead), and the output says so.
const redisUrl = process.env.MSGKIT_TEST_REDIS_URL;
if (!redisUrl) {
  const why = 'queue-worker.js was not run: MSGKIT_TEST_REDIS_URL is not set (a Redis 6.2+ URL)';
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`SKIPPED: ${why}`);
} else {
  describe('queue-worker.js, a campaign worker on Redis', () => {
    it('enqueues a campaign once, and a worker process sends every batch to the sandbox', async () => {
      const campaignId = `example-${process.pid}-${Date.now()}`;
      const env = { ...smscxEnv(), MSGKIT_REDIS_URL: redisUrl };
      const numbers = ['07400 200001', '07400 200002', '+44 7400 200003'];
      const enqueue = ['--enqueue', campaignId, '--from', 'Shop', '--text', 'Sale today', '--country', 'GB', ...numbers];
      const first = await run('queue-worker', enqueue, env);
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(new RegExp(`^enqueued: ${campaignId}, 3 recipients in 1 batch`));
      expect((await run('queue-worker', enqueue, env)).stdout).toMatch(/^already enqueued: /);

      const worker = start('queue-worker', [], env);
      try {
        await worker.waitFor(/worker ready on \S+/);
        for (let i = 0; !(await campaignStatus(redisUrl, campaignId))?.done; i++) {
          if (i >= WAIT_MS / 100) throw new Error(`campaign ${campaignId} not done:\n${worker.output().stdout}\n${worker.output().stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        worker.child.kill('SIGTERM');
      }
      expect((await worker.exited).code).toBe(0);
      expect(worker.output().stdout).toContain('worker stopped');
      const status = await run('queue-worker', ['--status', campaignId], env);
      expect(status.code).toBe(0);
      expect(sandbox.messages('smscx').map((m) => m.to).sort()).toEqual(['+447400200001', '+447400200002', '+447400200003']);
    });
  });
}
