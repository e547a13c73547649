import { createRequire } from 'node:module';
import { octopushSender } from '@msgkit/octopush';
import { describe, expect, it } from 'vitest';

// The built package, by its published name (turbo's test task builds it first). A variable
// specifier keeps typecheck off dist/.
const PACKAGE = '@msgkit/queue';
const load = () => import(PACKAGE) as Promise<typeof import('./index')>;

describe('the published entry points', () => {
  it('import by name (ESM) and refuse a bad campaign before any Redis call', async () => {
    const { enqueueCampaign, queueName } = await load();
    expect(queueName('octopush', 'fr-1')).toBe('msgkit-octopush-fr-1');
    // The batch size is bounded by the sender's own maximum (Octopush: 500 recipients per request).
    const sender = octopushSender({ apiLogin: 'a@b.c', apiKey: 'k' });
    await expect(
      enqueueCampaign({ connection: 'redis://127.0.0.1:1', campaignId: 'c', sender, recipients: ['+33612345678'], message: { text: 'x', options: { octopush: { type: 'sms_premium', purpose: 'alert' } } }, batchSize: 600 }),
    ).rejects.toMatchObject({ code: 'validation_error', issues: [{ code: 'batch_size_out_of_range' }] });
  });

  it('require by name (CJS) with the same exports', async () => {
    const esm = await load();
    const cjs = createRequire(import.meta.url)(PACKAGE) as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });

  it('export the producer, the worker (it takes any provider\'s campaign sender), the status readers, the per-recipient records and results, the name of a chain, failover after the send (and its watch), the campaign list, the account queues, resumeAccount, the Redis errors, and the index of the reports kept on an account URL (VendorIds: kept and aged-out counts, the aged-out proof) with its defaults', async () => {
    expect(Object.keys(await load()).sort()).toEqual([
      'CampaignNotFoundError',
      'DEFAULT_AGED_OUT_CAP',
      'DEFAULT_CONNECT_TIMEOUT_MS',
      'DEFAULT_FAILOVER_LEASE_MS',
      'DEFAULT_KEPT_PER_FLUSH',
      'DEFAULT_KEPT_WINDOW_MS',
      'DELIVERY_STATES',
      'DeliveryRecords',
      'FailoverBusyError',
      'FailoverWatchError',
      'MAX_RATE_LIMIT_PAUSE_MS',
      'RedisNotDurableError',
      'RedisReconcileStore',
      'RedisUnavailableError',
      'UnplacedReportError',
      'VendorIds',
      'batchJobId',
      'campaignRecipients',
      'campaignResults',
      'campaignStatus',
      'chainName',
      'createCampaignWorker',
      'createDeliveryRecorder',
      'deliveryCallbacks',
      'enqueueCampaign',
      'failoverCampaign',
      'followCampaign',
      'formatCampaignEvent',
      'formatCampaignStatus',
      'listCampaigns',
      'openAccountQueues',
      'parseReference',
      'queueName',
      'reconcileCampaign',
      'referenceOf',
      'resumeAccount',
      'standingOf',
      'watchFailover',
    ]);
  });
});
