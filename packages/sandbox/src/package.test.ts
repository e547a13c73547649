import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built package, by its published name (run the build first; turbo's test task depends on it).
// A variable specifier keeps typecheck off dist/, which turbo's typecheck task does not build first.
const PACKAGE = '@msgkit/sandbox';
const load = () => import(PACKAGE) as Promise<typeof import('./index')>;

describe('the published entry points', () => {
  it('import by name (ESM), start the built sandbox and send through it with its embedded specs', async () => {
    const { startSandbox } = await load();
    const sandbox = await startSandbox({ port: 0 });
    try {
      const res = await fetch(`${sandbox.baseUrls.smscx}/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: JSON.stringify({ to: ['+31612345678'], from: 'InfoText', text: 'Hi' }),
      });
      expect(res.status).toBe(200);
      const invalid = await fetch(`${sandbox.baseUrls.octopush}/sms-campaign/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-login': 'a', 'api-key': 'k' },
        body: JSON.stringify({ recipients: [] }),
      });
      expect(invalid.status).toBe(400);
      expect(sandbox.received('smscx')).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  it('require by name (CJS) with the same exports', async () => {
    const esm = await load();
    const cjs = createRequire(import.meta.url)(PACKAGE) as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(Object.keys(esm).sort()).toEqual(['BODY_TIMEOUT_MS', 'MAX_BODY_BYTES', 'MAX_JSON_DEPTH', 'SMSCX_GROUPS', 'VENDORS', 'startSandbox']);
    const sandbox = await cjs.startSandbox();
    await sandbox.close();
  });
});
