import { createRequire } from 'node:module';
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built package, imported by its published name (turbo builds before testing).
import * as esm from '@msgkit/octopush';

const cjs = createRequire(import.meta.url)('@msgkit/octopush') as typeof esm;

let server: Recorder;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());

describe('@msgkit/octopush as published', () => {
  it('exports the client, the error classes and the model enums from both the ESM and the CJS build', () => {
    for (const entry of [esm, cjs]) {
      expect(Object.keys(entry).sort()).toEqual(
        [
          'AbortError',
          'ApiError',
          'AuthenticationError',
          'BadRequestError',
          'CancelMultichannelRequestChannelEnum',
          'ConnectionError',
          'DUPLICATE_REQUEST_ID',
          'GetBalanceProductNameEnum',
          'InsufficientCreditError',
          'MissingCredentialsError',
          'MsgkitError',
          'MultichannelMetadataBodyFormatEnum',
          'MultichannelMetadataEmailingServiceEnum',
          'MultichannelMetadataMessageTypeEnum',
          'MultichannelMetadataTypeEnum',
          'MultichannelMetadataVoiceGenderEnum',
          'MultichannelMetadataVoiceLanguageEnum',
          'NotFoundError',
          'OCTOPUSH_REPORT_STATUSES',
          'OctopushClient',
          'PermissionDeniedError',
          'RateLimitError',
          'RedirectError',
          'SendMultichannelRequestChannelEnum',
          'SendMultichannelRequestPurposeEnum',
          'SendSmsCampaignRequestPurposeEnum',
          'SendSmsCampaignRequestTypeEnum',
          'ServerError',
          'TimeoutError',
          'ValidationError',
          'billing',
          'octopushReports',
          'octopushSender',
          'octopushSenderFactory',
          'octopushSenderFacts',
          'octopushVendor',
          'parseOctopushError',
        ].sort(),
      );
    }
  });

  it('sends an SMS through the built ESM entry and throws its typed errors', async () => {
    server.reply({ json: { sms_ticket: 'sms_5fec89fe97109', number_of_contacts: 1, total_cost: 0.062 } }, { status: 401, json: { code: 401, message: 'Unauthorized.' } });
    const client = new esm.OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: server.url });
    const result = await client.sms.send({ text: 'Code 1234', recipients: [{ phoneNumber: '06 11 22 33 44' }], type: esm.SendSmsCampaignRequestTypeEnum.Premium, purpose: 'alert' });
    expect(result).toEqual({ smsTicket: 'sms_5fec89fe97109', numberOfContacts: 1, totalCost: 0.062 });
    expect(server.requests[0]!.body).toMatchObject({ recipients: [{ phone_number: '+33611223344' }] });
    await expect(client.wallet.balance()).rejects.toBeInstanceOf(esm.AuthenticationError);
  });
});
