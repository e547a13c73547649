/**
 * Octopush reports of a queue campaign through the commands: `msgkit webhooks account-url` signs the
 * URL set once per Octopush account, `msgkit webhooks serve --redis` (run as a command, with a
 * secret being rotated out) places the sandbox's reports on it by the tickets the worker recorded,
 * and `msgkit campaign status` shows Octopush delivered and failed. Against a real Redis.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { octopushSender } from '@msgkit/octopush';
import { createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { redisAvailable, startTestRedis, waitDone, type TestRedis } from '@msgkit/queue/testing';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { verifyCallbackUrl } from '@msgkit/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, serveRedisReports } from './testing';

const current = randomBytes(32).toString('base64url');
const previous = randomBytes(32).toString('base64url');
let redis: TestRedis | undefined;
let url: string;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  url = redis.url;
});
afterAll(() => redis?.stop());

const fr = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+3361${String(from + i).padStart(7, '0')}`);

describe('msgkit webhooks account-url', () => {
  it('prints a URL whose token names the vendor and the expiry chosen, and no campaign, signed with the secret', async () => {
    const before = Math.floor(Date.now() / 1000);
    const out = await run(['webhooks', 'account-url', 'https://hooks.example.com/dlr', '--expires', '90d'], { MSGKIT_WEBHOOK_SECRET: current });
    expect(out.code).toBe(0);
    const check = verifyCallbackUrl(new URL(out.stdout.trim()), [current]);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.claims).toEqual({ vendor: 'octopush', expiresAt: expect.any(Number) });
    expect(check.claims.expiresAt - before).toBeGreaterThanOrEqual(90 * 86_400);
    expect(check.claims.expiresAt - before).toBeLessThanOrEqual(90 * 86_400 + 3600);
    expect(verifyCallbackUrl(new URL(out.stdout.trim()), [previous])).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses (exit 2) without a secret, without an expiry with its unit, or for a vendor msgkit does not know', async () => {
    expect((await run(['webhooks', 'account-url', 'https://hooks.example.com/dlr', '--expires', '90d'])).code).toBe(2);
    const unitless = await run(['webhooks', 'account-url', 'https://hooks.example.com/dlr', '--expires', '90'], { MSGKIT_WEBHOOK_SECRET: current });
    expect([unitless.code, unitless.stderr]).toEqual([2, expect.stringContaining('--expires must be a duration with its unit')]);
    expect((await run(['webhooks', 'account-url', 'https://hooks.example.com/dlr', '--expires', '9d', '--vendor', 'acme'], { MSGKIT_WEBHOOK_SECRET: current })).code).toBe(2);
    expect((await run(['webhooks', 'account-url', 'https://hooks.example.com/dlr'], { MSGKIT_WEBHOOK_SECRET: current })).code).not.toBe(0);
  });
});

describe.skipIf(!redisAvailable)('Octopush reports of a queue campaign through the commands', () => {
  it('msgkit webhooks serve --redis places the reports Octopush posts to the account URL (signed with the secret being rotated out) by the tickets the worker recorded; msgkit campaign status shows delivered and failed', async () => {
    const prefix = `o${randomUUID().slice(0, 8)}`;
    const { child: serve, address } = await serveRedisReports(url, prefix, { MSGKIT_WEBHOOK_SECRET: current, MSGKIT_WEBHOOK_SECRET_PREVIOUS: previous });
    let sandbox: Sandbox | undefined;
    try {
      // Set in the back office before the rotation: signed with the secret now being rotated out.
      const minted = await run(['webhooks', 'account-url', `${address}/dlr`, '--expires', '365d'], { MSGKIT_WEBHOOK_SECRET: previous });
      expect(minted.code).toBe(0);
      sandbox = await startSandbox({ port: 0, dlrDelayMs: 5, webhooks: { octopush: minted.stdout.trim() }, reports: { seed: 9, failures: 0.4, intermediate: true, duplicates: 0.4, outOfOrder: true } });
      const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      const recipients = fr(9, 700);
      await enqueueCampaign({ connection: url, prefix, campaignId: 'octo', sender, recipients, message: { from: 'Shop', text: 'Hi', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } }, batchSize: 4 });
      const worker = createCampaignWorker({ connection: url, prefix, sender, deliveryReports: { url: `${address}/dlr`, secret: current, accountUrl: true } });
      try {
        await waitDone(url, 'octo', prefix);
      } finally {
        await worker.close();
      }
      await sandbox.settled();
      // The sandbox's duplicates are byte-identical posts: refused as replays (403), the only refusals.
      expect(sandbox.deliveries().filter((d) => !d.ok && d.status !== 403)).toEqual([]);
      const closed = new Promise<number | null>((resolve) => serve.on('close', resolve));
      serve.kill('SIGTERM');
      expect(await closed).toBe(0);

      const delivered = sandbox.messages('octopush').filter((m) => m.status === 'DELIVERED').length;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(9);
      const text = await run(['campaign', 'status', 'octo', '--redis', url, '--prefix', prefix]);
      expect(text.stdout).toContain(`delivery: ${delivered} delivered, ${9 - delivered} failed, 0 pending, 0 unknown`);
      const json = await run(['campaign', 'status', 'octo', '--redis', url, '--prefix', prefix, '--json']);
      expect(JSON.parse(json.stdout).deliveries).toMatchObject({ delivered, failed: 9 - delivered, pending: 0, unknown: 0, unplaced: 0, unindexed: 0 });
    } finally {
      if (serve.exitCode === null) serve.kill('SIGKILL');
      await sandbox?.close();
    }
  });

  it('msgkit webhooks serve --redis prints the kept-report window and cap it runs with, moves a report whose ticket stays unknown past --kept-window aside (saying so), and campaign status counts it', async () => {
    const prefix = `o${randomUUID().slice(0, 8)}`;
    const defaults = await serveRedisReports(url, prefix, { MSGKIT_WEBHOOK_SECRET: current });
    const said = defaults.said;
    const stopped = new Promise((resolve) => defaults.child.on('close', resolve));
    defaults.child.kill('SIGTERM');
    await stopped;
    expect(said).toContain("--kept-window 24h, the default: Octopush's request_id lifetime");
    expect(said).toContain('the newest 10000 kept for proof (--aged-out-cap)');
    expect((await run(['webhooks', 'serve', '--redis', url, '--kept-window', '24'], { MSGKIT_WEBHOOK_SECRET: current })).stderr).toContain('--kept-window must be a duration with its unit');

    const { child: serve, address, said: stdout } = await serveRedisReports(url, prefix, { MSGKIT_WEBHOOK_SECRET: current }, ['--kept-window', '1s', '--aged-out-cap', '5']);
    const sandbox = await startSandbox({ port: 0 });
    try {
      let stderr = '';
      const movedAside = new Promise<void>((resolve) =>
        serve.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (stderr.includes('moved aside unplaced')) resolve();
        }),
      );
      const sender = octopushSender({ apiLogin: 'dev@example.com', apiKey: 'sandbox-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });
      await enqueueCampaign({ connection: url, prefix, campaignId: 'octo-aged', sender, recipients: fr(1, 900), message: { from: 'Shop', text: 'Hi', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } }, batchSize: 4 });
      const minted = await run(['webhooks', 'account-url', `${address}/dlr`, '--expires', '365d'], { MSGKIT_WEBHOOK_SECRET: current });
      // A report of another send of the account: no worker of this prefix recorded its ticket.
      const posted = await fetch(minted.stdout.trim(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'sms', message_id: 'sms_0000000foreign', list_name: '', number: '+33700000009', status: 'DELIVERED', unit_price: 0.065, delivery_date: '2026-12-07 10:00:00', meta_data: {} }) });
      expect(posted.status).toBe(200);
      await movedAside;
      expect(stdout).toContain('a ticket still unknown 1s after its first report');
      expect(stdout).toContain('the newest 5 kept for proof');
      expect(stderr).toContain('1 report(s) on an account URL moved aside unplaced');
      const json = await run(['campaign', 'status', 'octo-aged', '--redis', url, '--prefix', prefix, '--json']);
      expect(JSON.parse(json.stdout).deliveries).toMatchObject({ unindexed: 0, agedOut: 1 });
      const text = await run(['campaign', 'status', 'octo-aged', '--redis', url, '--prefix', prefix]);
      expect(text.stdout).toContain("1 report(s) on a vendor's account URL named a message id no batch recorded within the receiver's window");
    } finally {
      const stopped = new Promise((resolve) => serve.on('close', resolve));
      serve.kill('SIGTERM');
      await stopped;
      await sandbox.close();
    }
  });
});
