// The published entry points, imported by the package's own name: the built ESM and CJS files.
import { createRequire } from 'node:module';
import { startRecorder } from '@msgkit/test-server';
import { describe, expect, it } from 'vitest';
import * as esm from '@msgkit/smscx';

const require = createRequire(import.meta.url);

describe('@msgkit/smscx as published', () => {
  it('exports the client, the error classes and the helpers from its ESM build', () => {
    expect(Object.keys(esm).sort()).toEqual(
      [
        'ALPHABETS', 'AbortError', 'AccountBalanceBillingEnum', 'AccountBalanceCurrencyEnum', 'ApiError', 'AuthenticationError', 'BadRequestError', 'CHANNELS', 'ConnectionError',
        'InsufficientCreditError', 'MAX_PARTS', 'MAX_RECIPIENTS', 'MissingCredentialsError', 'MsgkitError', 'MultichannelMethods', 'NotFoundError',
        'PermissionDeniedError', 'RateLimitError', 'RedirectError', 'ServerError', 'SmsMethods', 'SmscxClient', 'StrategyChannelChannelEnum',
        'SMSCX_REPORT_STATUSES', 'TTL_SECONDS', 'TimeoutError', 'TransliterationAlphabetEnum', 'ValidationError', 'billing', 'invalidNumbers', 'parseSmscxError', 'smscxReports', 'smscxVendor',
        'smscxSender', 'smscxSenderFactory', 'smscxSenderFacts', 'smscxStatusLookup', 'ReportMethods', 'MessageReportStatusEnum',
      ].sort(),
    );
  });

  it('shares its error classes with @msgkit/core, so instanceof works across packages', async () => {
    const core = await import('@msgkit/core');
    expect(esm.ValidationError).toBe(core.ValidationError);
    expect(esm.InsufficientCreditError).toBe(core.InsufficientCreditError);
  });

  it('sends an SMS through the built ESM and CJS files', async () => {
    const cjs = require('@msgkit/smscx') as typeof esm;
    const server = await startRecorder();
    try {
      server.replyAlways({ status: 200, json: { info: { campaignId: 'c' }, data: [] }, headers: { 'x-request-id': 'rid' } });
      for (const { SmscxClient } of [esm, cjs]) {
        const result = await new SmscxClient({ apiKey: 'k-1', baseUrl: server.url }).sms.send({ to: ['+447400123456'], from: 'InfoText', text: 'Hi' });
        expect(result.requestId).toBe('rid');
      }
      expect(server.requests.map((r) => r.path)).toEqual(['/sms', '/sms']);
      await expect(new cjs.SmscxClient({ apiKey: 'k-1', baseUrl: server.url }).sms.send({ to: [], from: 'InfoText', text: 'Hi' })).rejects.toBeInstanceOf(cjs.ValidationError);
    } finally {
      await server.close();
    }
  });
});
