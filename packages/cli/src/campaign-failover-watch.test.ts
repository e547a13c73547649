// `msgkit campaign failover <id> --on-report --watch --every <dur>` as a user runs it against a
// queue chain campaign (The SMS Works → SMS.CX), run as processes: a real Redis (@msgkit/queue/testing),
// a worker and a receiver (createDeliveryRecorder behind createWebhookHandler) recording the
// sandbox's seeded reports. The sandbox's own record of what each vendor received is the proof of
// what was sent where. Every wait is for an event (a line, a message, an exit), never for a time.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, waitDone, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type ReportBehaviour, type Sandbox } from '@msgkit/sandbox';
import { smscxReports, smscxSender } from '@msgkit/smscx';
import { smsworksReports, smsworksSender } from '@msgkit/smsworks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, startRedisReceiver } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const secret = randomBytes(32).toString('base64url');
const env = { SMSWORKS_TOKEN: 'JWT t', SMSCX_API_KEY: 'k', MSGKIT_WEBHOOK_SECRET: secret };
let redis: TestRedis | undefined;
let url: string;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(() => redis?.stop());

const gb = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+447400${String(from + i).padStart(6, '0')}`);
const e164 = (to: string) => `+${to.replace(/\D/g, '')}`;
/** Resolves once `condition` holds; rejects if the process `p` exits first (its stderr said why). */
const until = async (p: ReturnType<typeof start>, condition: () => boolean) => {
  let exited = false;
  void p.exited.then(() => (exited = true));
  for (;;) {
    if (condition()) return;
    if (exited) throw new Error(`the command exited first: ${p.err}${p.out}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const startReceiver = (prefix: string) => startRedisReceiver({ connection: url, prefix, formats: [smscxReports, smsworksReports], secret });

/** A chain campaign of `n` recipients sent by one worker, every report posted so far recorded; `args`: the command line that fails it over. */
async function sentCampaign(campaignId: string, reports: ReportBehaviour, n: number) {
  if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
  const prefix = redis!.prefix();
  const sandbox: Sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports });
  const receiver = await startReceiver(prefix);
  const chain = () => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
  await enqueueCampaign({ connection: url, prefix, campaignId, senders: chain(), recipients: gb(n, 900), message: { from: 'Shop', text: 'Your parcel is on its way' }, batchSize: 4 });
  const worker = createCampaignWorker({ connection: url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret } });
  try {
    await waitDone(url, campaignId, prefix);
  } finally {
    await worker.close();
  }
  const settle = async () => {
    await sandbox.settled();
    await receiver.handler.drain();
    expect(await receiver.recorder.flush()).toBe(0);
  };
  await settle();
  const args = ['campaign', 'failover', campaignId, '--redis', url, '--prefix', prefix, '--base-url', `smsworks=${sandbox.baseUrls.smsworks}`, '--base-url', `smscx=${sandbox.baseUrls.smscx}`, '--dlr-url', `${receiver.url}/dlr`, '--on-report'];
  const failedAtFirst = () =>
    sandbox
      .messages('smsworks')
      .filter((m) => m.status === 'UNDELIVERABLE')
      .map((m) => e164(m.to))
      .sort();
  const close = async () => {
    await receiver.close();
    await sandbox.close();
  };
  return { sandbox, prefix, args, failedAtFirst, settle, close };
}

/**
 * An HTTP proxy on 127.0.0.1 to the sandbox that holds every POST until `open()` lets them through
 * (and every one after): a send under way, as long as the test needs it to be. GETs pass at once.
 */
async function startGate(target: string) {
  const upstream = new URL(target);
  const held: Array<() => void> = [];
  let opened = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = () => {
        const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (req.method !== 'POST' || opened) forward();
      else held.push(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => held.length,
    open: () => {
      opened = true;
      for (const forward of held.splice(0)) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The command run as a process: its output as it comes, and its exit. */
function start(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
  const p = { child, out: '', err: '', exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  child.stdout.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (p.err += c.toString()));
  return p;
}

describe.skipIf(!redisAvailable)('msgkit campaign failover --watch', () => {
  it('two watches at once move each recipient The SMS Works reported undelivered to SMS.CX once, say what they assume and each pass, and exit 0 by themselves when nothing is left that could move', async () => {
    const t = await sentCampaign('watched', { seed: 11, failures: 0.5 }, 16);
    try {
      const failed = t.failedAtFirst();
      expect(failed.length).toBeGreaterThan(2);
      // SMS.CX answers slowly, so the two watches' passes overlap.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 8, delayMs: 100 });
      const a = start([...t.args, '--watch', '--every', '0.05s']);
      const b = start([...t.args, '--watch', '--every', '0.05s']);
      const [ea, eb] = await Promise.all([a.exited, b.exited]);
      expect([ea, a.err, eb, b.err]).toEqual([{ code: 0, signal: null }, '', { code: 0, signal: null }, '']);
      for (const p of [a, b]) {
        expect(p.out).toContain('watching campaign watched (smsworks → smscx, queue): a pass every 50 ms; moves a recipient on a final negative delivery report; no timer; lease 30 s (the default)');
        expect(p.out).toMatch(/failover of campaign watched is done after \d+ pass\(es\): nothing is left that could move/);
      }
      // One of them moved them all, in its passes; the other found them moved (or waited for its turn).
      const moved = [a.out, b.out].join('\n').match(/pass \d+: \d+ moved \(smsworks → smscx: \d+ \(undelivered \d+\)\)/g) ?? [];
      expect(moved.map((l) => Number(/: (\d+) moved/.exec(l)![1])).reduce((x, y) => x + y, 0)).toBe(failed.length);
      // The sandbox's log: one SMS.CX message per recipient moved, none twice.
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
      const again = await run([...t.args, '--watch', '--every', '1s'], env);
      expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('failover of campaign watched is done after 1 pass(es)')]);
      expect(t.sandbox.messages('smscx')).toHaveLength(failed.length);
    } finally {
      await t.close();
    }
  });

  it('a watch SIGKILLed mid-pass is finished by a restarted watch: every moved recipient sent once by the sandbox received log', async () => {
    const t = await sentCampaign('killed', { seed: 3, failures: 0.4 }, 12);
    try {
      const failed = t.failedAtFirst();
      expect(failed.length).toBeGreaterThan(1);
      // The first move's request reaches SMS.CX, which takes it; its answer never comes: the watch is killed there.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, delayMs: 900_000 });
      const first = start([...t.args, '--watch', '--every', '0.05s', '--lease', '10m']);
      await until(first, () => t.sandbox.messages('smscx').length > 0);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const takenBeforeKill = t.sandbox.received('smscx').length;
      expect(takenBeforeKill).toBe(1);

      // The restarted watch finds the killed one's hold and waits (sending nothing, failing nothing);
      // the hold lapses (deleted here: a lease run out), then the watch resumes the move by core's
      // rule (SMS.CX deduplicates: the same request with its key), moves the rest, and ends by itself.
      const second = start([...t.args, '--watch', '--every', '0.05s']);
      await until(second, () => second.out.includes('another run holds the campaign'));
      expect(t.sandbox.received('smscx')).toHaveLength(1);
      expect(spawnSync('redis-cli', ['-u', url, 'DEL', `${t.prefix}:campaign:{killed}:failover:lease`], { encoding: 'utf8' }).stdout.trim()).toBe('1');
      expect([await second.exited, second.err]).toEqual([{ code: 0, signal: null }, '']);
      expect(second.out).toContain('resuming the interrupted move of batch');
      expect(second.out).toMatch(/failover of campaign killed is done after \d+ pass\(es\)/);
      const received = t.sandbox.received('smscx').flatMap((r) => (r.body as { to?: string[] }).to ?? []).map(e164);
      expect(received.sort()).toEqual(failed);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
    } finally {
      await t.close();
    }
  });

  it('SIGINT and SIGTERM stop a watch between passes, saying it is not done (exit 130 and 143), having sent nothing while no report came', async () => {
    // Every report is held back: nothing can be judged, the watch would go on.
    const t = await sentCampaign('stopped', { seed: 3, failures: 0.4, late: 1 }, 4);
    try {
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const p = start([...t.args, '--watch', '--every', '0.05s']);
        await until(p, () => p.out.includes('pass 2: none moved'));
        p.child.kill(signal);
        expect([await p.exited, p.err]).toEqual([{ code, signal: null }, '']);
        expect(p.out).toContain('pass 1: none moved; could move later: 4 awaiting a final report, 0 batch(es) without an outcome');
        expect(p.out).toMatch(new RegExp(`stopped by ${signal} between passes after \\d+ pass\\(es\\): not done \\(4 awaiting a final report, 0 batch\\(es\\) without an outcome\\); moved 0`));
      }
      expect(t.sandbox.messages('smscx')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('SIGINT during a pass stops it at its next batch: the batch being sent is recorded, none after it is begun, and the next watch moves the rest, none twice', async () => {
    // The SMS Works reports every recipient undelivered: three batches of four move in one pass.
    const t = await sentCampaign('cut', { seed: 3, failures: 1 }, 12);
    const gate = await startGate(t.sandbox.url);
    try {
      const failed = t.failedAtFirst();
      expect(failed).toHaveLength(12);
      const smscx = `smscx=${t.sandbox.baseUrls.smscx}`;
      const args = t.args.map((a) => (a === smscx ? `smscx=${t.sandbox.baseUrls.smscx.replace(t.sandbox.url, gate.url)}` : a));
      expect(args).not.toEqual(t.args);
      const p = start([...args, '--watch', '--every', '0.05s']);
      // The first moved batch's request is at SMS.CX's door when the user presses Ctrl-C.
      await until(p, () => gate.held() > 0);
      p.child.kill('SIGINT');
      await until(p, () => p.out.includes('SIGINT: stopping'));
      gate.open();
      expect([await p.exited, p.err]).toEqual([{ code: 130, signal: null }, '']);
      // One request reached SMS.CX, and was answered and recorded: its four recipients, once.
      expect(t.sandbox.received('smscx')).toHaveLength(1);
      expect(p.out).toContain('SIGINT: stopping at the next batch: a batch being sent is recorded first, none after it is begun');
      expect(p.out).toMatch(/pass 1: 4 moved \(smsworks → smscx: 4 \(undelivered 4\)\): 4 sent by the next provider, 0 unknown .*; stopped before batch \d+, \d+ \(nothing of them sent: the next run moves them\)/);
      expect(p.out).toMatch(/stopped by SIGINT during pass 1, before batch \d+, \d+ \(nothing of them sent: the next run moves them\): not done .*; moved 4: 4 sent by the next provider/);
      const first = t.sandbox.messages('smscx').map((m) => e164(m.to)).sort();
      expect(first).toHaveLength(4);

      const again = await run([...t.args, '--watch', '--every', '0.05s'], env);
      expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/failover of campaign cut is done after \d+ pass\(es\): nothing is left that could move; moved 8: 8 sent by the next provider/)]);
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
    } finally {
      await gate.close();
      await t.close();
    }
  });

  it('ends with exit 1 when a move ended unknown (the answer was lost), printing each pass and the end as JSON lines with --json', async () => {
    const t = await sentCampaign('lost', { seed: 3, failures: 0.4 }, 8);
    try {
      const failed = t.failedAtFirst();
      expect(failed.length).toBeGreaterThan(0);
      // SMS.CX takes every move and its answer is lost: each moved recipient is unknown (it may have them), never moved again.
      t.sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, drop: true, count: 10 });
      const p = start([...t.args, '--watch', '--every', '0.05s', '--json']);
      expect([await p.exited, p.err]).toEqual([{ code: 1, signal: null }, '']);
      const lines = p.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const end = lines.at(-1)!;
      expect(end).toEqual({ campaignId: 'lost', stopped: 'done', passes: lines.length - 1, moved: failed.length, sent: 0, unknown: failed.length, refused: 0 });
      expect(lines.slice(0, -1).map((l) => l.pass)).toEqual(lines.slice(0, -1).map((_, i) => i + 1));
      expect(lines.at(-2)).toMatchObject({ done: true, moved: 0 });
      expect(t.sandbox.messages('smscx').map((m) => e164(m.to)).sort()).toEqual(failed);
    } finally {
      await t.close();
    }
  });

  it('refuses (exit 2) --watch without --every, --every without --watch, and --watch with --dry-run, before reaching Redis', async () => {
    const base = ['campaign', 'failover', 'x', '--on-report', '--redis', 'redis://127.0.0.1:1'];
    const noEvery = await run([...base, '--watch'], env);
    expect([noEvery.code, noEvery.stderr]).toEqual([2, expect.stringContaining('--watch needs --every <duration>')]);
    const noWatch = await run([...base, '--every', '30s'], env);
    expect([noWatch.code, noWatch.stderr]).toEqual([2, expect.stringContaining('--every goes with --watch')]);
    const dry = await run([...base, '--watch', '--every', '30s', '--dry-run'], env);
    expect([dry.code, dry.stderr]).toEqual([2, expect.stringContaining('--watch moves: it cannot be a --dry-run')]);
    const bad = await run([...base, '--watch', '--every', '30'], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--every must be a duration with its unit (30s, 5m), got "30"')]);
  });
});
