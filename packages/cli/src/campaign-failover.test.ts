// `msgkit campaign failover <id> --on-report` as a user runs it against a queue chain campaign
// (The SMS Works → SMS.CX): a real Redis with an append-only file (@msgkit/queue/testing), a worker and a receiver
// (createDeliveryRecorder behind createWebhookHandler) recording the sandbox's seeded reports, then
// the command, run as a process and SIGKILLed mid-move, then run again. The sandbox's own record
// of the messages each vendor holds is the proof of what was sent where.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { campaignStatus, createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
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
/** A hash as Redis holds it, read with redis-cli (the CLI does not depend on a Redis client). */
const hgetall = (key: string): Record<string, string> => {
  const lines = spawnSync('redis-cli', ['-u', url, '--raw', 'HGETALL', key], { encoding: 'utf8' }).stdout.trimEnd().split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i]!] = lines[i + 1]!;
  return out;
};
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

const startReceiver = (prefix: string) => startRedisReceiver({ connection: url, prefix, formats: [smscxReports, smsworksReports], secret });

describe.skipIf(!redisAvailable)('msgkit campaign failover', () => {
  it('moves each recipient The SMS Works reported undelivered to SMS.CX once, says what moves before sending (--dry-run sends nothing), resumes after SIGKILL mid-move without sending twice', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/bin.mjs', import.meta.url)))) throw new Error('build @msgkit/cli first (pnpm build)');
    const prefix = redis!.prefix();
    const campaignId = 'moved';
    const sandbox: Sandbox = await startSandbox({ port: 0, dlrDelayMs: 2, reports: { seed: 3, failures: 0.4 } });
    const receiver = await startReceiver(prefix);
    try {
      const chain = () => [smsworksSender({ token: 'JWT t', baseUrl: sandbox.baseUrls.smsworks, maxRetries: 0 }), smscxSender({ apiKey: 'k', baseUrl: sandbox.baseUrls.smscx, maxRetries: 0 })];
      await enqueueCampaign({ connection: url, prefix, campaignId, senders: chain(), recipients: gb(12, 800), message: { from: 'Shop', text: 'Your parcel is on its way' }, batchSize: 4 });
      const worker = createCampaignWorker({ connection: url, prefix, senders: chain(), deliveryReports: { url: `${receiver.url}/dlr`, secret } });
      try {
        for (;;) {
          const status = await campaignStatus(url, campaignId, { prefix });
          if (status?.done && status.inFlight.length === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await worker.close();
      }
      const settle = async () => {
        await sandbox.settled();
        await receiver.handler.drain();
        expect(await receiver.recorder.flush()).toBe(0);
      };
      await settle();
      const failedAtFirst = sandbox.messages('smsworks').filter((m) => m.status === 'UNDELIVERABLE').map((m) => e164(m.to));
      expect(failedAtFirst.length).toBeGreaterThan(1);
      const n = failedAtFirst.length;
      const args = ['campaign', 'failover', campaignId, '--redis', url, '--prefix', prefix, '--base-url', `smsworks=${sandbox.baseUrls.smsworks}`, '--base-url', `smscx=${sandbox.baseUrls.smscx}`, '--dlr-url', `${receiver.url}/dlr`];

      // No rule named: refused, nothing sent.
      const none = await run(args, env);
      expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('--on-report')]);
      // A dry run says what would move, and sends nothing.
      const dry = await run([...args, '--on-report', '--dry-run'], env);
      expect([dry.code, dry.stderr]).toEqual([0, '']);
      expect(dry.stdout).toContain(`${n} recipient(s) would move now: smsworks → smscx: ${n} (undelivered ${n})`);
      expect(sandbox.messages('smscx')).toEqual([]);

      // The first move's request reaches SMS.CX, which takes it; its answer never comes: the run is killed there.
      sandbox.faults.add({ vendor: 'smscx', path: '/sms', after: true, delayMs: 900_000 });
      const mover = spawn(process.execPath, [bin, ...args, '--on-report', '--lease', '10s'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
      let out = '';
      mover.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => mover.on('exit', (_code, signal) => resolve(signal)));
      await until(() => sandbox.messages('smscx').length > 0);
      mover.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(out).toContain(`${n} recipient(s) move now: smsworks → smscx: ${n} (undelivered ${n})`);
      // Redis holds the move begun, with its proofs, and never settled.
      const attempts = hgetall(`${prefix}:campaign:{${campaignId}}:attempts`);
      const begun = Object.entries(attempts).filter(([field, json]) => /^\d+:\d+$/.test(field) && (JSON.parse(json) as { sender: string }).sender === 'smscx');
      expect(begun).toHaveLength(1);
      const [field, json] = begun[0]!;
      const move = JSON.parse(json) as { recipients: string[]; proofs: unknown[] };
      expect(move.proofs).toEqual(move.recipients.map((to) => expect.objectContaining({ to, kind: 'report', status: 'undelivered' })));
      expect(attempts[`${field}:o`]).toBeUndefined();

      // The killed mover's hold lapses (its lease), then the next run resumes the move by core's rule:
      // SMS.CX deduplicates, so the request goes again with the key it had and is not sent twice.
      let resumed;
      for (;;) {
        resumed = await run([...args, '--on-report'], env);
        if (!resumed.stderr.includes('another mover holds')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect([resumed.code, resumed.stderr]).toEqual([0, '']);
      expect(resumed.stdout).toContain(`resuming the interrupted move of batch ${field.split(':')[0]}`);
      await settle();
      const smscx = sandbox.messages('smscx').map((m) => e164(m.to));
      expect(smscx.sort()).toEqual([...failedAtFirst].sort());
      expect(sandbox.messages('smsworks')).toHaveLength(12);

      // Again: nothing moves (they stand at the chain's last provider), nothing is sent.
      const again = await run([...args, '--on-report'], env);
      expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('none moves now')]);
      expect(sandbox.messages('smscx')).toHaveLength(n);

      const status = await run(['campaign', 'status', campaignId, '--redis', url, '--prefix', prefix]);
      expect(status.stdout).toContain(`moved on after the send: ${n} on a final negative report, 0 on the timer`);
      expect(status.stdout).toContain(`by ${'smscx'.padEnd(10)} ${String(n).padStart(6)} recipients`);
    } finally {
      await receiver.close();
      await sandbox.close();
    }
  });

  it('refuses (exit 2) a timer without its unit and a lease that is not a duration, before reaching Redis', async () => {
    const timer = await run(['campaign', 'failover', 'x', '--after-no-report', '30', '--redis', 'redis://127.0.0.1:1'], env);
    expect([timer.code, timer.stderr]).toEqual([2, expect.stringContaining('--after-no-report must be a duration with its unit (30m, 2h, 90s), got "30"')]);
    const lease = await run(['campaign', 'failover', 'x', '--on-report', '--lease', 'soon', '--redis', 'redis://127.0.0.1:1'], env);
    expect([lease.code, lease.stderr]).toEqual([2, expect.stringContaining('--lease must be a duration')]);
  });
});
