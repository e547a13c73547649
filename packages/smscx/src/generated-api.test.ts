import { describe, expect, it } from 'vitest';
import { Configuration, RequiredError, SmsApi } from './generated';

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
