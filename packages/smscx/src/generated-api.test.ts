import { describe, expect, it } from 'vitest';
import { Configuration, DlrUpdateFromJSON, DlrUpdateFromJSONTyped, DlrUpdateToJSON, RequiredError, SmsApi } from './generated';

// The generated API classes check their required parameters themselves (runtime.required since the
// template stopped writing the check inline): the same error and message as the stock template's.
describe('generated SmsApi', () => {
  const unreachable = async (): Promise<Response> => {
    throw new Error('fetch must not be called');
  };
  const api = new SmsApi(new Configuration({ basePath: 'http://127.0.0.1:9', apiKey: () => 'k', fetchApi: unreachable }));

  it.each([undefined, null])('refuses a %s required parameter with RequiredError naming the parameter and the operation, before any fetch', async (msgId) => {
    const error = await api.deleteScheduledSmsRaw({ msgId } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequiredError);
    expect(error).toMatchObject({
      name: 'RequiredError',
      field: 'msgId',
      message: 'Required parameter requestParameters.msgId was null or undefined when calling deleteScheduledSms.',
    });
  });
});

// The models' readers and writers (modelGeneric.mustache): what the stock template's functions returned.
describe('generated models', () => {
  const wire = { campaignId: null, msgId: 'a1', statusCode: 3, status: 'DELIVERED', errorCode: null, datetime: '2026-01-02 03:04:05', extra: 1 };

  it('reads an optional field given as null or left out as undefined, keeps a required null, and drops a field the model does not know', () => {
    for (const trackData of [null, undefined]) {
      const read = DlrUpdateFromJSON({ ...wire, trackData });
      expect(Object.keys(read)).toEqual(['campaignId', 'msgId', 'trackData', 'statusCode', 'status', 'errorCode', 'datetime']);
      expect(read.trackData).toBeUndefined();
      expect(read.campaignId).toBeNull();
      expect(DlrUpdateFromJSONTyped({ ...wire, trackData }, false)).toEqual(read);
    }
    expect(DlrUpdateFromJSON({ ...wire, trackData: '' }).trackData).toBe('');
    expect(DlrUpdateFromJSON(null as never)).toBeNull();
    expect(DlrUpdateFromJSON(undefined)).toBeUndefined();
  });

  it('writes null as null and undefined as undefined', () => {
    expect(DlrUpdateToJSON(null)).toBeNull();
    expect(DlrUpdateToJSON(undefined)).toBeUndefined();
  });
});
