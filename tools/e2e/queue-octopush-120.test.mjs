// A queue campaign to Octopush whose worker is SIGKILLed after Octopush accepted a batch and
// before its answer (the ticket) arrived, against the sandbox, which refuses a repeated request_id
// as Octopush documents it (HTTP 400, code 120, no ticket). The worker that takes the batch over
// resends it with the same request_id: the sandbox's own record must show it sent once, and the
// batch must be recorded sent with its reports unplaceable (`ticket_unknown`), named by the status.
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { octopushSender } from '@msgkit/octopush';
import { campaignStatus, createCampaignWorker, enqueueCampaign, formatCampaignStatus } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis } from './redis-helper.mjs';
import { waitDone } from '@msgkit/queue/testing';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const WORKER_SCRIPT = fileURLToPath(new URL('./queue-octopush-worker.mjs', import.meta.url));
const secret = randomBytes(32).toString('base64url');
const fr = (i) => `+3361${String(7_000_000 + i)}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const OCTOPUSH = { octopush: { type: 'sms_premium', purpose: 'alert' } };

let redis;
let sandbox;
const children = new Set();
const workers = new Set();
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  sandbox = await startSandbox({ port: 0 });
});
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const worker of workers) await worker.close();
  workers.clear();
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

describe.skipIf(!redisAvailable)('a queue campaign to Octopush whose worker dies after Octopush accepted a batch', () => {
  it('resends the batch with its request_id, meets code 120, records it sent with ticket_unknown and names it in the status; the sandbox sent each recipient once', async () => {
    const prefix = `octo120${process.pid}`;
    const numbers = [fr(0), fr(1), fr(2)];
    const text = 'queue octopush 120';
    const sender = octopushSender({ apiLogin: 'e2e@example.com', apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.octopush, timeoutMs: HANG_LIMIT_MS, maxRetries: 0 });
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'octo-120', sender, recipients: numbers, message: { from: 'Shop', text, options: OCTOPUSH }, batchSize: 3 });
    // Octopush acts on the batch and holds its answer while the worker is killed.
    sandbox.faults.add({ vendor: 'octopush', path: '/sms-campaign/send', count: 1, after: true, delayMs: 20_000 });
    const child = fork(WORKER_SCRIPT, [redis.url, prefix, sandbox.baseUrls.octopush, secret], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    while (sandbox.received('octopush').length < 1) {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode})`);
      await sleep(50);
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect((await campaignStatus(redis.url, 'octo-120', { prefix })).inFlight).toEqual([0]);

    // A new worker takes the batch over once the dead one's lock lapses, and resends it with the same request_id.
    const worker = createCampaignWorker({ connection: redis.url, prefix, sender, deliveryReports: { url: 'http://127.0.0.1:9/dlr', secret, accountUrl: true }, lockDuration: 2_000, stalledInterval: 1_000 });
    workers.add(worker);
    await worker.ready;
    const status = await waitDone(redis.url, 'octo-120', prefix);
    expect(status).toMatchObject({ sent: { batches: 1, recipients: 3 }, unknown: { recipients: 0 }, refused: { recipients: 0 } });
    expect(status.unplaceableBatches).toEqual([{ index: 0, count: 3, reason: 'ticket_unknown' }]);
    expect(formatCampaignStatus(status)).toContain('batch 0 (3 recipients): sent, but the vendor gave no message id for it (Octopush code 120 to a resend');
    // The sandbox's own record: one send acted on, the resend refused with 120 and nothing sent twice.
    expect(sandbox.received('octopush')).toHaveLength(1);
    expect(sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign' && r.status === 400 && !r.acted)).toHaveLength(1);
    const sent = sandbox.messages('octopush').filter((m) => m.text === text).map((m) => m.to);
    expect(sent.sort()).toEqual([...numbers].sort());
  });
});
