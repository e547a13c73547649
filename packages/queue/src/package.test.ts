import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built package, by its published name (turbo's test task builds it first). A variable
// specifier keeps typecheck off dist/.
const PACKAGE = '@msgkit/queue';
const load = () => import(PACKAGE) as Promise<typeof import('./index')>;

describe('the published entry points', () => {
  it('import by name (ESM) and refuse a bad campaign before any Redis call', async () => {
    const { enqueueCampaign, MAX_BATCH_SIZE, queueName } = await load();
    expect(MAX_BATCH_SIZE).toEqual({ smscx: 25_000, smsworks: 5_000, octopush: 500, infobip: 1_000 });
    expect(queueName('octopush', 'fr-1')).toBe('msgkit-octopush-fr-1');
    await expect(
      enqueueCampaign({ connection: 'redis://127.0.0.1:1', campaignId: 'c', provider: 'octopush', recipients: ['+33612345678'], message: { text: 'x' }, batchSize: 600 }),
    ).rejects.toMatchObject({ code: 'validation_error', issues: [{ code: 'batch_size_out_of_range' }] });
  });

  it('require by name (CJS) with the same exports', async () => {
    const esm = await load();
    const cjs = createRequire(import.meta.url)(PACKAGE) as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });

  it('export the producer, the worker, the adapters, the status readers, the campaign list, the account queues, resumeAccount and the Redis errors', async () => {
    expect(Object.keys(await load()).sort()).toEqual([
      'DEFAULT_CONNECT_TIMEOUT_MS',
      'MAX_BATCH_SIZE',
      'MAX_RATE_LIMIT_PAUSE_MS',
      'RedisNotDurableError',
      'RedisUnavailableError',
      'batchJobId',
      'campaignStatus',
      'createCampaignWorker',
      'enqueueCampaign',
      'followCampaign',
      'formatCampaignEvent',
      'formatCampaignStatus',
      'infobipAdapter',
      'listCampaigns',
      'octopushAdapter',
      'openAccountQueues',
      'queueName',
      'resumeAccount',
      'smsWorksAdapter',
      'smscxAdapter',
    ]);
  });
});
