// A queue campaign through a chain of senders (The SMS Works, then SMS.CX) against the sandbox,
// with the sandbox's own record of what each vendor accepted as the proof: a worker SIGKILLed
// while the second vendor is acting, and a first vendor behind the fault proxy. No recipient may be
// accepted by two vendors, none twice by one, and Redis must say which vendor sent each.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { campaignRecipients, campaignStatus, createCampaignWorker, enqueueCampaign } from '@msgkit/queue';
import { startSandbox } from '@msgkit/sandbox';
import { smscxSender } from '@msgkit/smscx';
import { smsworksSender } from '@msgkit/smsworks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, startFaultProxy } from './fault-proxy.mjs';
import { REFUSALS } from './failover-helpers.mjs';
import { redisAvailable, startRedis } from './redis-helper.mjs';
import { waitDone } from '@msgkit/queue/testing';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const WORKER_SCRIPT = fileURLToPath(new URL('./queue-chain-worker.mjs', import.meta.url));
const gb = (i) => `+447${String(410_000_000 + i)}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const http = { timeoutMs: HANG_LIMIT_MS, maxRetries: 0 };

let redis;
let sandbox;
let proxy;
const children = new Set();
const workers = new Set();
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedis();
  sandbox = await startSandbox({ port: 0 });
  proxy = await startFaultProxy({ target: sandbox.url, rate: 0.3, seed: 20261207 });
});
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const worker of workers) await worker.close();
  workers.clear();
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  await redis?.stop();
});

const senders = (smsworksBase = sandbox.baseUrls.smsworks) => [smsworksSender({ token: 'JWT e2e', baseUrl: smsworksBase, ...http }), smscxSender({ apiKey: 'e2e-key', baseUrl: sandbox.baseUrls.smscx, ...http })];

/** Numbers of `text` each vendor accepted (E.164), with every number one vendor holds twice. */
function accepted(text) {
  const of = (vendor) => sandbox.messages(vendor).filter((m) => m.text === text).map((m) => (m.to.startsWith('+') ? m.to : `+${m.to}`));
  const smsworks = of('smsworks');
  const smscx = of('smscx');
  const twice = [...smsworks.filter((n, i) => smsworks.indexOf(n) !== i), ...smscx.filter((n, i) => smscx.indexOf(n) !== i)];
  const both = smsworks.filter((n) => smscx.includes(n));
  return { smsworks: new Set(smsworks), smscx: new Set(smscx), twice, both };
}

describe.skipIf(!redisAvailable)('a queue campaign through a chain of senders, against the sandbox', () => {
  it('continues the chain after a worker is SIGKILLed while the second vendor acts: the first vendor is never asked again, the second sends each recipient once', async () => {
    const prefix = `chainkill${process.pid}`;
    const numbers = [gb(0), gb(1), gb(2)];
    const text = 'queue chain kill';
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'kill', senders: senders(), recipients: numbers, message: { from: 'Shop', text }, batchSize: 3 });
    // The SMS Works refuses the credential (documented as before acting): the chain moves on. SMS.CX
    // then acts on the batch and holds its answer while the worker is killed.
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 1, ...REFUSALS.smsworks.authentication });
    sandbox.faults.add({ vendor: 'smscx', path: '/sms', count: 1, after: true, delayMs: 20_000 });
    const child = fork(WORKER_SCRIPT, [redis.url, prefix, JSON.stringify(sandbox.baseUrls)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    while (accepted(text).smscx.size < numbers.length) {
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode})`);
      await sleep(50);
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect((await campaignStatus(redis.url, 'kill', { prefix })).inFlight).toEqual([0]);

    // A new worker takes the batch over once the dead one's lock lapses.
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: senders(), lockDuration: 2_000, stalledInterval: 1_000 });
    workers.add(worker);
    await worker.ready;
    const status = await waitDone(redis.url, 'kill', prefix);
    expect(status).toMatchObject({ sent: { batches: 1, recipients: 3 }, sentBy: { smscx: 3 }, unknown: { recipients: 0 } });
    const after = accepted(text);
    expect(after.smsworks.size).toBe(0);
    expect(after.twice).toEqual([]);
    expect([...after.smscx].sort()).toEqual([...numbers].sort());
    const records = await campaignRecipients(redis.url, 'kill', { prefix });
    for (const r of records) {
      expect(r).toMatchObject({ status: 'sent', sentBy: 'smscx' });
      // Refused by The SMS Works, begun at SMS.CX by the killed worker, resent there with its key.
      expect(r.tried.map((t) => `${t.sender}:${t.outcome}${t.code ? `:${t.code}` : ''}`)).toEqual(['smsworks:refused:authentication_error', 'smscx:unknown:interrupted', 'smscx:sent']);
    }
  });

  it('accepts no recipient at two vendors with the first vendor behind the fault proxy, and records which vendor sent each', async () => {
    const prefix = `chainfaults${process.pid}`;
    const numbers = Array.from({ length: 120 }, (_, i) => gb(1_000 + i));
    const text = 'queue chain faults';
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'faults', senders: senders(), recipients: numbers, message: { from: 'Shop', text }, batchSize: 3 });
    // Besides the proxy's faults, five documented refusals of The SMS Works: those batches move on.
    sandbox.faults.add({ vendor: 'smsworks', path: '/batch/send', count: 5, ...REFUSALS.smsworks.authentication });
    const worker = createCampaignWorker({ connection: redis.url, prefix, senders: senders(sandbox.baseUrls.smsworks.replace(sandbox.url, proxy.url)) });
    workers.add(worker);
    await worker.ready;
    const status = await waitDone(redis.url, 'faults', prefix);
    const injected = FAULTS.map((f) => `${f} ${proxy.counts[f]}`).join(', ');
    console.log(`queue chain e2e: ${numbers.length} recipients; sent ${JSON.stringify(status.sentBy)}, refused ${status.refused.recipients}, unknown ${status.unknown.recipients}; proxy: ${injected}`);

    const seen = accepted(text);
    expect(seen.both).toEqual([]);
    expect(seen.twice).toEqual([]);
    const records = await campaignRecipients(redis.url, 'faults', { prefix });
    expect(records).toHaveLength(numbers.length);
    for (const r of records) {
      if (r.status === 'sent') expect([r.to, seen[r.sentBy].has(r.to)]).toEqual([r.to, true]);
      // Never failed over on an unknown outcome: SMS.CX was not asked for it.
      if (r.status === 'unknown') expect([r.to, r.tried.map((t) => t.sender)]).toEqual([r.to, ['smsworks']]);
      if (seen.smscx.has(r.to)) expect([r.to, r.sentBy]).toEqual([r.to, 'smscx']);
    }
    // Those The SMS Works refused with proof went to SMS.CX, and only those.
    const movedOn = records.filter((r) => r.tried[0].failover === true);
    expect(movedOn.length).toBeGreaterThan(0);
    for (const r of movedOn) expect([r.to, r.tried.map((t) => t.sender)]).toEqual([r.to, ['smsworks', 'smscx']]);
    expect(status.sentBy.smscx).toBe(movedOn.filter((r) => r.status === 'sent').length);
    expect(seen.smscx.size).toBe(status.sentBy.smscx);
    expect(status.sent.recipients + status.refused.recipients + status.unknown.recipients).toBe(numbers.length);
  });
});
