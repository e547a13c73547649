// 100 000 recipients (20 000 in 200 batches alike in pnpm test; tools/e2e/size.mjs) through sendInBatches to the SMS.CX sandbox while about 10% of requests fail:
// 500s and 429s before the vendor acts, connections dropped before it acts, and, the billing trap,
// answers lost AFTER the vendor accepted (dropped connection or 500 after forwarding). The client's
// idempotencyId, generated once per logical send and reused on every retry, must make every
// recipient arrive exactly once: none missing, none twice.
import { sendInBatches } from '@msgkit/core';
import { startSandbox } from '@msgkit/sandbox';
import { SmscxClient } from '@msgkit/smscx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, startFaultProxy } from './fault-proxy.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { bySize, spaced } from './size.mjs';

const RECIPIENTS = bySize(100_000, 20_000);
const BATCH = bySize(500, 100);

let sandbox;
let proxy;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  proxy = await startFaultProxy({ target: sandbox.url, rate: 0.1, seed: 20261123 });
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
});

describe(`${spaced(RECIPIENTS)} recipients through faults`, () => {
  it('accepts every recipient exactly once', async () => {
    const client = new SmscxClient({ apiKey: 'e2e-key', baseUrl: `${proxy.url}/smscx`, maxRetries: 6, timeoutMs: HANG_LIMIT_MS });
    const numbers = Array.from({ length: RECIPIENTS }, (_, i) => `+447400${String(i).padStart(6, '0')}`);

    const results = await sendInBatches(numbers, {
      size: BATCH,
      concurrency: 4,
      send: (to) => client.sms.send({ from: 'Msgkit', to, text: 'Your order has shipped.' }),
    });

    const failed = results.filter((r) => !r.ok);
    const injected = FAULTS.reduce((n, f) => n + proxy.counts[f], 0);
    const requests = injected + proxy.counts.forwarded;
    console.log(
      `${results.length} batches, ${requests} requests, ${injected} faults injected (${((100 * injected) / requests).toFixed(1)}%): ` +
        FAULTS.map((f) => `${f} ${proxy.counts[f]}`).join(', ') +
        `; ${failed.length} batches failed`,
    );
    expect(failed.map((r) => r.error)).toEqual([]);
    expect(results).toHaveLength(RECIPIENTS / BATCH);
    // Faults of every kind really happened, at roughly the rate asked for.
    for (const fault of FAULTS) expect(proxy.counts[fault]).toBeGreaterThan(0);
    expect(injected / requests).toBeGreaterThan(0.05);

    const delivered = sandbox.messages('smscx').map((m) => m.to);
    const unique = new Set(delivered);
    expect(unique.size).toBe(RECIPIENTS);
    expect(delivered.length).toBe(RECIPIENTS);
    for (const number of numbers) expect(unique.has(number)).toBe(true);
    // One accepted campaign per batch, even where the answer was lost after acceptance.
    expect(new Set(sandbox.messages('smscx').map((m) => m.groupId)).size).toBe(RECIPIENTS / BATCH);
  });
});
