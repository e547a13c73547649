// Imports the BUILT package by its name, through its `exports` map, as a user would.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as webhooks from '@msgkit/webhooks';

const require = createRequire(import.meta.url);

describe('the published entry point', () => {
  it('exports the receiver, the ledger, the callback URLs, the adapters and reconciliation, as ESM and as CommonJS', () => {
    const names = ['createWebhookHandler', 'DeliveryLedger', 'reduceDeliveries', 'createCallbackUrl', 'verifyCallbackUrl', 'basicAuth', 'headerSecret', 'MemoryReplayStore', 'toNodeListener', 'fromNodeRequest', 'writeNodeResponse', 'DELIVERY_STATUSES', 'reconcile', 'MemoryReconcileStore', 'RateLimiter', 'systemClock'];
    for (const name of names) expect(webhooks, name).toHaveProperty(name);
    const cjs = require('@msgkit/webhooks') as typeof webhooks;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(webhooks).sort());
    const ledger = new cjs.DeliveryLedger();
    ledger.apply({ vendor: 'smscx', messageId: 'm', status: 'delivered', final: true, raw: { status: 'DELIVERED' } });
    expect(ledger.summary()).toMatchObject({ delivered: 1, final: 1 });
  });

  it('pulls in no provider package: the report formats are handed in', async () => {
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@msgkit/core']);
  });
});
