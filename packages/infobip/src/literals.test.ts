// The request types take plain string literals, as every other msgkit client does: no generated
// enum needed. `expectTypeOf` and the @ts-expect-error lines are checked by `tsc` (the package's
// typecheck); the calls below then go over loopback to show the literals are the wire values.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  InfobipClient,
  OmniChannel,
  SmsDataTransliterationEnum,
  ValidityPeriodTimeUnit,
  type KakaoAlimButtonType,
  type OmniChannelName,
  type OmniLogsQuery,
  type OmniReportsQuery,
  type OmniSendRequest,
  type ScenarioInput,
  type SmsTransliterationName,
  type TimeUnitName,
} from './index';

let server: Recorder;
let client: InfobipClient;
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  client = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
});

describe('plain string literals in Infobip requests', () => {
  it('are what the exported literal types and the request fields accept (checked by tsc)', () => {
    expectTypeOf<'TURKISH'>().toExtend<SmsTransliterationName>();
    expectTypeOf<'SMS'>().toExtend<OmniChannelName>();
    expectTypeOf<'HOURS'>().toExtend<TimeUnitName>();
    expectTypeOf<'CHATBOT_SWITCH'>().toExtend<KakaoAlimButtonType>();
    expectTypeOf<{ sms: { text: string; transliteration: 'TURKISH'; validityPeriodTimeUnit: 'HOURS' } }>().toExtend<Partial<OmniSendRequest>>();
    expectTypeOf<{ flow: { channel: 'SMS' }[] }>().toExtend<ScenarioInput>();
    expectTypeOf<{ channel: 'VIBER'; generalStatus: 'DELIVERED' }>().toExtend<OmniLogsQuery>();
    expectTypeOf<{ channel: 'PUSH' }>().toExtend<OmniReportsQuery>();
    // The generated enums still fit, for callers who use them.
    expectTypeOf<{ flow: { channel: OmniChannel }[] }>().toExtend<ScenarioInput>();
    expectTypeOf<SmsDataTransliterationEnum>().toExtend<SmsTransliterationName>();
    // A value outside the vendor's enum is still a type error.
    // @ts-expect-error 'KLINGON' is not one of Infobip's transliterations
    const wrong: SmsTransliterationName = 'KLINGON';
    expect(wrong).toBe('KLINGON');
  });

  it('go on the wire unchanged in a send, a scenario, reports and logs', async () => {
    server.replyAlways({ json: { messages: [], results: [], flow: [], key: 'K' } });
    await client.omni.send({
      destinations: [{ to: { phoneNumber: '+41793026727' } }],
      sms: { text: 'Merhaba', transliteration: 'TURKISH', language: { languageCode: 'TR' }, validityPeriod: 2, validityPeriodTimeUnit: 'HOURS' },
      kakaoAlim: { text: 'k', templateCode: 't', buttons: [{ type: 'MESSAGE_DELIVERY', buttonText: 'Go' }] },
      notifyContentType: 'application/json',
    });
    await client.omni.scenarios.create({ name: 'SMS only', flow: [{ channel: 'SMS', from: 'InfoSMS' }] });
    await client.omni.reports({ channel: 'SMS' });
    await client.omni.logs({ channel: 'VIBER', generalStatus: 'DELIVERED' });

    const [send, scenario, reports, logs] = server.requests;
    expect(send!.body).toMatchObject({
      sms: { transliteration: 'TURKISH', language: { languageCode: 'TR' }, validityPeriodTimeUnit: 'HOURS' },
      kakaoAlim: { buttons: [{ type: 'MESSAGE_DELIVERY', buttonText: 'Go' }] },
      notifyContentType: 'application/json',
    });
    expect(scenario!.body).toEqual({ name: 'SMS only', flow: [{ channel: 'SMS', from: 'InfoSMS' }] });
    expect(reports!.query).toEqual({ channel: 'SMS' });
    expect(logs!.query).toEqual({ channel: 'VIBER', generalStatus: 'DELIVERED' });
    expect(ValidityPeriodTimeUnit.HOURS).toBe('HOURS');
  });
});
