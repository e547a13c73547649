import { createRequire } from 'node:module';
import { startRecorder } from '@msgkit/test-server';
import { describe, expect, it } from 'vitest';

// The built package, by its published name (run the build first; turbo's test task depends on it).
// A variable specifier keeps typecheck off dist/, which turbo's typecheck task does not build first.
const PACKAGE = '@msgkit/smsworks';
const load = () => import(PACKAGE) as Promise<typeof import('./index')>;
describe('the published entry points', () => {
  it('import by name (ESM) and send through the built client', async () => {
    const { SmsWorksClient, ValidationError, ApiError, InsufficientCreditError } = await load();
    const server = await startRecorder();
    try {
      server.reply({ status: 201, json: { messageid: '1', status: 'SENT', credits: 9, creditsUsed: 1 } });
      const client = new SmsWorksClient({ token: 'JWT t0ken', baseUrl: server.url });
      await expect(client.messages.send({ sender: 'YourCompany', destination: '07777 777777', content: 'Hi' })).resolves.toEqual({
        messageid: '1',
        status: 'SENT',
        credits: 9,
        creditsUsed: 1,
      });
      expect(server.requests[0]).toMatchObject({ path: '/message/send', headers: { authorization: 'JWT t0ken' }, body: { destination: '447777777777' } });
      await expect(client.batch.send({ sender: 'x y', destinations: [], content: '' })).rejects.toBeInstanceOf(ValidationError);
      expect(new InsufficientCreditError({ status: 402, message: 'm', headers: {}, body: undefined })).toBeInstanceOf(ApiError);
    } finally {
      await server.close();
    }
  });

  it('require by name (CJS) with the same exports', async () => {
    const esm = await load();
    const cjs = createRequire(import.meta.url)(PACKAGE) as typeof esm;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(typeof cjs.SmsWorksClient).toBe('function');
  });

  it('export the client, the limits and the error classes, and nothing of the generated runtime', async () => {
    const names = Object.keys(await load()).sort();
    expect(names).toEqual(
      [
        'AbortError',
        'ApiError',
        'AuthenticationError',
        'BadRequestError',
        'ConnectionError',
        'InsufficientCreditError',
        'MissingCredentialsError',
        'MAX_BATCH_SIZE',
        'MAX_CONTENT_LENGTH',
        'MAX_TAG_LENGTH',
        'MsgkitError',
        'NotFoundError',
        'PermissionDeniedError',
        'RateLimitError',
        'RedirectError',
        'SMSWORKS_REPORT_STATUSES',
        'ServerError',
        'SmsWorksClient',
        'TimeoutError',
        'VALIDITY_MINUTES',
        'ValidationError',
        'billing',
        'parseSmsWorksError',
        'smsworksReports',
        'smsWorksVendor',
        'smsworksSender',
        'smsworksSenderFactory',
        'smsworksSenderFacts',
        'smsworksStatusLookup',
      ].sort(),
    );
  });
});
