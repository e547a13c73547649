// The published entry points, imported by the package's name (build first: turbo's test task
// depends on build).
import { createRequire } from 'node:module';
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
});
