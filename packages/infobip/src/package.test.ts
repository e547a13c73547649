// The published entry points, imported by the package's name (build first: turbo's test task
// depends on build).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('@msgkit/infobip as installed', () => {
  it('exports the client, the errors and the enums from its ESM entry', async () => {
    const esm = await import('@msgkit/infobip');
    expect(typeof esm.InfobipClient).toBe('function');
    // The built dist, not this folder's sources.
    expect(esm.InfobipClient).not.toBe((await import('./index')).InfobipClient);
    expect(new esm.ValidationError([]) instanceof esm.MsgkitError).toBe(true);
    expect(esm.OmniChannel.SMS).toBe('SMS');
    const client = new esm.InfobipClient({ apiKey: 'k', baseUrl: 'xyz.api.infobip.com' });
    expect(client.baseUrl).toBe('https://xyz.api.infobip.com');
    expect(Object.keys(esm).sort()).toMatchInlineSnapshot(`
      [
        "AbortError",
        "ApiError",
        "AuthenticationError",
        "BadRequestError",
        "ConnectionError",
        "GeneralStatus",
        "INFOBIP_REPORT_GROUPS",
        "INFOBIP_REPORT_NAMES",
        "INFOBIP_REPORT_STATUSES",
        "InfobipClient",
        "InsufficientCreditError",
        "MissingCredentialsError",
        "MsgkitError",
        "NotFoundError",
        "OmniChannel",
        "PermissionDeniedError",
        "RateLimitError",
        "RedirectError",
        "ServerError",
        "SmsDataTransliterationEnum",
        "TimeoutError",
        "ValidationError",
        "ValidityPeriodTimeUnit",
        "billing",
        "formatInfobipDate",
        "infobipReports",
        "infobipSender",
        "infobipSenderFactory",
        "infobipSenderFacts",
        "infobipStatusLookup",
        "infobipVendor",
        "parseInfobipError",
      ]
    `);
  });

  it('loads from its CommonJS entry too', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('@msgkit/infobip') as typeof import('@msgkit/infobip');
    expect(typeof cjs.InfobipClient).toBe('function');
    expect(typeof cjs.ApiError).toBe('function');
  });

  it('exports omniSend from @msgkit/infobip/omni-send, ESM and CommonJS, sending nothing when built', async () => {
    const esm = await import('@msgkit/infobip/omni-send');
    expect(Object.keys(esm)).toEqual(['omniSend']);
    // The built dist, not this folder's sources.
    expect(esm.omniSend).not.toBe((await import('./omni-send')).omniSend);
    expect(typeof esm.omniSend({ apiKey: 'k', baseUrl: 'xyz.api.infobip.com' })).toBe('function');
    const cjs = createRequire(import.meta.url)('@msgkit/infobip/omni-send') as typeof import('@msgkit/infobip/omni-send');
    expect(typeof cjs.omniSend).toBe('function');
  });

  it('builds no namespace object of the generated checks, which would keep every operation\'s checks in every app', () => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@msgkit/infobip/package.json')), 'dist');
    for (const file of ['index.mjs', 'index.cjs']) {
      // The bundler's helper for `import * as` read as an object (rules.ts once read checks[operation]).
      expect(readFileSync(join(dist, file), 'utf8'), file).not.toMatch(/__exportAll|__export\(/);
    }
  });
});
