import { batchDedupeKey } from '@msgkit/core';
import { InfobipClient } from '@msgkit/infobip';
import { OctopushClient } from '@msgkit/octopush';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infobipAdapter, octopushAdapter } from './adapters';
import { dedupeKeyOf } from './batch';
import { enqueueCampaign } from './producer';
import { frNumbers, gbNumbers, waitDone } from './test/helpers';
import { redisAvailable, startTestRedis, type TestRedis } from './test/redis';
import { createCampaignWorker } from './worker';

let redis: TestRedis;
let sandbox: Sandbox;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startTestRedis();
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

const octopush = () => new OctopushClient({ apiLogin: 'queue@example.com', apiKey: 'queue-key', baseUrl: sandbox.baseUrls.octopush, maxRetries: 0 });

describe('the Octopush adapter', () => {
  it('carries the batch dedupe key as request_id, and a replay of it sends nothing twice', async () => {
    const numbers = frNumbers(3);
    const adapter = octopushAdapter(octopush(), { type: 'sms_premium', purpose: 'alert' });
    const key = batchDedupeKey('oct-1', 0);
    const first = await adapter.send(numbers, { text: 'oct-1' }, { dedupeKey: key });
    const again = await adapter.send(numbers, { text: 'oct-1' }, { dedupeKey: key });
    expect(again).toEqual(first);
    expect(sandbox.received('octopush').filter((r) => (r.body as { request_id?: string }).request_id === key)).toHaveLength(1);
    expect(sandbox.messages('octopush').filter((m) => m.text === 'oct-1').map((m) => m.to).sort()).toEqual([...numbers].sort());
  });

  it('takes Octopush error 120 (request_id already used) as proof the batch was sent earlier', async () => {
    sandbox.faults.add({ vendor: 'octopush', count: 1, status: 400, body: { code: 120, message: 'request_id already used' } });
    const sent = await octopushAdapter(octopush(), { type: 'sms_low_cost', purpose: 'alert' }).send(frNumbers(1, 50), { text: 'oct-2' }, { dedupeKey: batchDedupeKey('oct-2', 0) });
    expect(sent).toEqual({ ids: [], duplicate: true });
  });

  it('lets any other Octopush refusal through as the error it is', async () => {
    sandbox.faults.add({ vendor: 'octopush', count: 1, status: 400, body: { code: 100, message: 'bad request' } });
    await expect(octopushAdapter(octopush(), { type: 'sms_premium', purpose: 'alert' }).send(frNumbers(1, 60), { text: 'oct-3' }, { dedupeKey: 'k' })).rejects.toMatchObject({
      code: 'bad_request',
      vendorCode: 100,
    });
  });
});

describe.skipIf(!redisAvailable)('Infobip and Octopush campaigns on workers', () => {
  it('send every Infobip batch once through the OMNI scenario, with no sender of their own', async () => {
    const prefix = redis.prefix();
    const numbers = gbNumbers(5, 700);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'ib-1', provider: 'infobip', recipients: numbers, message: { text: 'ib-1' }, batchSize: 2 });
    const client = new InfobipClient({ apiKey: 'queue-key', baseUrl: sandbox.baseUrls.infobip, maxRetries: 0 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: infobipAdapter(client) });
    try {
      const status = await waitDone(redis.url, 'ib-1', prefix);
      expect(status.sent).toEqual({ batches: 3, recipients: 5 });
      expect(sandbox.messages('infobip').filter((m) => m.text === 'ib-1').map((m) => `+${m.to}`).sort()).toEqual([...numbers].sort());
    } finally {
      await worker.close();
    }
  });

  it('send every Octopush batch with its own request_id', async () => {
    const prefix = redis.prefix();
    const numbers = frNumbers(5, 100);
    await enqueueCampaign({ connection: redis.url, prefix, campaignId: 'oc-1', provider: 'octopush', recipients: numbers, message: { text: 'oc-1' }, batchSize: 2 });
    const worker = createCampaignWorker({ connection: redis.url, prefix, adapter: octopushAdapter(octopush(), { type: 'sms_premium', purpose: 'alert' }) });
    try {
      const status = await waitDone(redis.url, 'oc-1', prefix);
      expect(status.sent).toEqual({ batches: 3, recipients: 5 });
      const keys = sandbox.received('octopush').flatMap((r) => ((r.body as { text?: string }).text === 'oc-1' ? [(r.body as { request_id: string }).request_id] : []));
      expect(keys.sort()).toEqual([0, 1, 2].map((index) => dedupeKeyOf({ campaignId: 'oc-1', index, digest: status.fingerprint })).sort());
    } finally {
      await worker.close();
    }
  });
});
