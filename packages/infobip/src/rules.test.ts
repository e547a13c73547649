import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Note } from '@msgkit/core';
import { InfobipClient, OmniChannel, ValidationError, ValidityPeriodTimeUnit, type OmniSendRequest, type ValidationIssue } from './index';

let server: Recorder;
let client: InfobipClient;

beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.replyAlways({ json: { messages: [] } });
  client = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0 });
});

async function refusal(promise: Promise<unknown>): Promise<ValidationIssue[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect(server.requests).toHaveLength(0);
  return (error as ValidationError).issues;
}

const byPath = (issues: ValidationIssue[]) => Object.fromEntries(issues.map((i) => [i.path.join('.'), { code: i.code, vendorCode: i.vendorCode }]));
const to = (phoneNumber: string) => ({ to: { phoneNumber } });

describe('phone numbers', () => {
  it.each([
    ['+41 79 302 67 27', undefined],
    ['0041793026727', undefined],
    ['41793026727', undefined],
    ['+41 (0)79-302.67.27'.replace('(0)', ''), undefined],
    ['079 302 67 27', 'CH'],
    ['tel:+41-79-302-67-27', undefined],
  ])('sends %s (default country %s) as international digits without +', async (input, defaultCountry) => {
    const local = new InfobipClient({ apiKey: 'k', baseUrl: server.url, ...(defaultCountry && { defaultCountry }) });
    await local.omni.send({ destinations: [to(input)], sms: { text: 'Hi' } });
    expect((server.requests[0]!.body as OmniSendRequest).destinations[0]!.to.phoneNumber).toBe('41793026727');
  });

  it('does not change the request object the caller passed', async () => {
    const request = { destinations: [to('+41 79 302 67 27')], sms: { text: 'Hi' } };
    await client.omni.send(request);
    expect(request.destinations[0]!.to.phoneNumber).toBe('+41 79 302 67 27');
  });

  it('refuses every bad number at once, with its position and the status Infobip would answer', async () => {
    const issues = await refusal(client.omni.send({ destinations: [to('hello'), to('+41 79'), to('41793026727'), to('0793026727')], sms: { text: 'Hi' } }));
    expect(byPath(issues)).toEqual({
      'destinations.0.to.phoneNumber': { code: 'phone_not_a_number', vendorCode: 'REJECTED_DESTINATION' },
      'destinations.1.to.phoneNumber': { code: 'phone_too_short', vendorCode: 'REJECTED_DESTINATION' },
      'destinations.3.to.phoneNumber': { code: 'phone_invalid_country', vendorCode: 'REJECTED_DESTINATION' },
    });
  });
});

describe('validity period', () => {
  it('sends 72 hours of SMS validity as given, which the seed says Infobip cuts to 48 hours, and says so', async () => {
    const notes: Note[] = [];
    const noting = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
    await noting.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi', validityPeriod: 72, validityPeriodTimeUnit: ValidityPeriodTimeUnit.HOURS }, email: { text: 'Hi', validityPeriod: 3000 } });
    expect(server.requests[0]!.body).toMatchObject({ sms: { validityPeriod: 72, validityPeriodTimeUnit: 'HOURS' }, email: { validityPeriod: 3000 } });
    expect(notes).toEqual([
      expect.objectContaining({ path: ['sms', 'validityPeriod'], code: 'validity_capped', message: expect.stringContaining('48 hours') }),
      expect.objectContaining({ path: ['email', 'validityPeriod'], code: 'validity_capped' }),
    ]);
  });

  it('accepts exactly 48 hours, and 14 days for Viber', async () => {
    await client.omni.send({
      destinations: [to('41793026727')],
      sms: { text: 'Hi', validityPeriod: 2880 },
      viber: { text: 'Hi', validityPeriod: 14, validityPeriodTimeUnit: ValidityPeriodTimeUnit.DAYS },
    });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses 30 seconds (must be over 30) and 35 seconds for Viber (must be over 35), and NANOSECONDS', async () => {
    const issues = await refusal(
      client.omni.send({
        destinations: [to('41793026727')],
        sms: { text: 'Hi', validityPeriod: 30, validityPeriodTimeUnit: ValidityPeriodTimeUnit.SECONDS },
        viber: { text: 'Hi', validityPeriod: 35, validityPeriodTimeUnit: ValidityPeriodTimeUnit.SECONDS },
        email: { text: 'Hi', validityPeriod: 5, validityPeriodTimeUnit: ValidityPeriodTimeUnit.NANOSECONDS },
        voice: { text: 'Hi', validityPeriod: 1.5 },
      }),
    );
    expect(byPath(issues)).toEqual({
      'sms.validityPeriod': { code: 'validity_too_short', vendorCode: undefined },
      'viber.validityPeriod': { code: 'validity_too_short', vendorCode: undefined },
      'email.validityPeriodTimeUnit': { code: 'validity_unit', vendorCode: undefined },
      'voice.validityPeriod': { code: 'validity_not_integer', vendorCode: undefined },
    });
  });
});

describe('send limits', () => {
  it('lists every problem of a send in one ValidationError, with Infobip codes, and sends nothing', async () => {
    const issues = await refusal(
      client.omni.send({
        destinations: [{ to: {} }, { to: { phoneNumber: '41793026727', whatsAppUserId: 'x'.repeat(151) } }],
        callbackData: 'x'.repeat(4001),
        notifyUrl: 'not a url',
        sms: { text: '' },
        push: { text: 'p'.repeat(2001), personSubscriptions: ['a', 'a'] },
        viber: { text: 'Hi', buttonText: 'b'.repeat(31), fileName: 'f'.repeat(26) },
        whatsApp: { latitude: 91, imageUrl: 'u'.repeat(2049) },
        kakaoAlim: { text: 'k', templateCode: 't'.repeat(31), buttons: [] },
        kakaoChingu: { text: 'k', buttons: [{ type: 'WL' as never, buttonText: 'b'.repeat(29) }] },
        sendAt: 'tomorrow',
      }),
    );
    expect(byPath(issues)).toEqual({
      'destinations.0.to': { code: 'required', vendorCode: 'MISSING_TO' },
      'destinations.1.to.whatsAppUserId': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      callbackData: { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      notifyUrl: { code: 'url_invalid', vendorCode: 'BAD_REQUEST' },
      'sms.text': { code: 'text_empty', vendorCode: 'BAD_REQUEST' },
      'push.text': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      'push.personSubscriptions': { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      'viber.buttonText': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      'viber.fileName': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      viber: { code: 'invalid', vendorCode: undefined },
      'whatsApp.latitude': { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      'whatsApp.imageUrl': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      'kakaoAlim.templateCode': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      'kakaoAlim.buttons': { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      'kakaoChingu.buttons.0.buttonText': { code: 'text_too_long', vendorCode: 'BAD_REQUEST' },
      'kakaoChingu.buttons.0.type': { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      sendAt: { code: 'date_invalid', vendorCode: 'BAD_REQUEST' },
    });
  });

  it('checks the fields each Kakao button type needs (S1), with the path to the button', async () => {
    const issues = await refusal(
      client.omni.send({
        destinations: [to('+41793026727')],
        kakaoChingu: {
          text: 'k',
          buttons: [
            { type: 'URL', buttonText: 'Open' },
            { type: 'APP_LINK', buttonText: 'App', androidScheme: 'app://x' },
            { type: 'BOT_KEYWORD', buttonText: 'Bot' },
          ],
        },
        kakaoAlim: {
          text: 'k',
          templateCode: 't',
          buttons: [
            { type: 'URL', buttonText: 'Open' },
            { type: 'URL', buttonText: 'Both', buttonUrl: 'https://a.example', buttonUrlMobile: 'https://m.example' },
            { type: 'APP_LINK', buttonText: 'App', iosScheme: 'app://x' },
            { type: 'CHATBOT_SWITCH', buttonText: 'Bot', chatEvent: 'e' },
            { type: 'ADD_CHANNEL', buttonText: 'Add' },
          ],
        },
      }),
    );
    expect(issues.map((i) => [i.path.join('.'), i.code, i.vendorCode])).toEqual([
      ['kakaoChingu.buttons.0.buttonUrl', 'required', 'BAD_REQUEST'],
      ['kakaoChingu.buttons.1.iosScheme', 'required', 'BAD_REQUEST'],
      ['kakaoAlim.buttons.0.buttonUrlMobile', 'required', 'BAD_REQUEST'],
      ['kakaoAlim.buttons.1.buttonUrl', 'invalid', 'BAD_REQUEST'],
      ['kakaoAlim.buttons.2', 'required', 'BAD_REQUEST'],
      ['kakaoAlim.buttons.3.chatExtra', 'required', 'BAD_REQUEST'],
    ]);
  });

  it('sends Kakao buttons that have the fields their type needs', async () => {
    await client.omni.send({
      destinations: [to('+41793026727')],
      kakaoChingu: { text: 'k', buttons: [{ type: 'URL', buttonText: 'Open', buttonUrl: 'https://a.example' }, { type: 'APP_LINK', buttonText: 'App', androidScheme: 'a://x', iosScheme: 'i://x' }] },
      kakaoAlim: {
        text: 'k',
        templateCode: 't',
        buttons: [
          { type: 'URL', buttonText: 'Open', buttonUrl: 'https://a.example' },
          { type: 'APP_LINK', buttonText: 'App', iosScheme: 'i://x', buttonUrlMobile: 'https://m.example' },
          { type: 'CHATBOT_SWITCH', buttonText: 'Bot', chatEvent: 'e', chatExtra: 'x' },
          { type: 'DELIVERY_TRACKING', buttonText: 'Track' },
        ],
      },
    });
    expect(server.requests).toHaveLength(1);
    expect((server.requests[0]!.body as { kakaoAlim: { buttons: unknown[] } }).kakaoAlim.buttons[2]).toEqual({ type: 'CHATBOT_SWITCH', buttonText: 'Bot', chatEvent: 'e', chatExtra: 'x' });
  });

  it('refuses a send without destinations (spec DECISION), and for that alone', async () => {
    const issues = await refusal(client.omni.send({ destinations: [] }));
    expect(issues.map((i) => [i.path.join('.'), i.code])).toEqual([['destinations', 'recipients_empty']]);
  });

  it.each([
    [{ text: 'Hi', buttonText: 'Go' }, 'a button needs both buttonText and buttonURL'],
    [{ buttonText: 'Go', buttonURL: 'https://x.test' }, 'a button needs text'],
    [{ text: 'Hi', imageURL: 'https://x.test/i.png' }, 'text with an image also needs a button'],
    [{ text: 'Hi', fileUrl: 'https://x.test/f.pdf', fileName: 'f.pdf', fileType: 'pdf' }, 'a file is sent alone, without text, image or button'],
    [{ validityPeriod: 5 }, 'needs text, imageURL or a file'],
  ])('refuses the Viber combination %j', async (viber, message) => {
    const issues = await refusal(client.omni.send({ destinations: [to('41793026727')], viber }));
    expect(issues.map((i) => i.message)).toContain(message);
  });

  it.each([
    { text: 'Hi' },
    { imageURL: 'https://x.test/i.png' },
    { fileUrl: 'https://x.test/f.pdf', fileName: 'f.pdf', fileType: 'pdf' },
    { text: 'Hi', buttonText: 'Go', buttonURL: 'https://x.test' },
    { text: 'Hi', imageURL: 'https://x.test/i.png', buttonText: 'Go', buttonURL: 'https://x.test' },
  ])('accepts the Viber combination %j', async (viber) => {
    await client.omni.send({ destinations: [to('41793026727')], viber });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a sendAt 180 days ahead (S1), an ISO time without a zone, and a day that does not exist', async () => {
    const day = 86_400_000;
    for (const sendAt of [new Date(Date.now() + 180 * day + 60_000), '2030-01-01T10:00:00', '2030-02-30T10:52:15.000+01:00']) {
      const issues = await refusal(client.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi' }, sendAt }));
      expect(issues[0]!.path).toEqual(['sendAt']);
    }
  });

  it("sends a sendAt in the past as given, the seed's own example (2016) included, since no source refuses one, and says so", async () => {
    const notes: Note[] = [];
    const noting = new InfobipClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0, onNote: (note) => notes.push(note) });
    await noting.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi' }, sendAt: '2016-04-26T10:52:15.000+01:00' });
    await noting.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi' }, sendAt: new Date(Date.now() - 60_000) });
    expect((server.requests[0]!.body as { sendAt: string }).sendAt).toBe('2016-04-26T10:52:15.000+01:00');
    expect(server.requests).toHaveLength(2);
    expect(notes).toEqual([expect.objectContaining({ path: ['sendAt'], code: 'date_in_past' }), expect.objectContaining({ path: ['sendAt'], code: 'date_in_past' })]);
  });

  it('refuses facebook and parseco content by name, which the generated model would drop from the wire, and any other field it does not know', async () => {
    const issues = await refusal(
      client.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi', txet: 'typo' }, facebook: { text: 'Hi' }, parseco: { text: 'Hi' }, whatsapp: { text: 'Hi' } } as never),
    );
    expect(byPath(issues)).toEqual({
      'sms.txet': { code: 'unknown_field', vendorCode: undefined },
      facebook: { code: 'unknown_field', vendorCode: undefined },
      parseco: { code: 'unknown_field', vendorCode: undefined },
      whatsapp: { code: 'unknown_field', vendorCode: undefined },
    });
    expect(issues.find((i) => i.path[0] === 'facebook')!.message).toMatch(/legacy.*S1/);
    expect(issues.find((i) => i.path[0] === 'whatsapp')!.message).toContain('whatsApp');
  });

  it('names a field it does not know however deep it sits: in a destination, in a list of WhatsApp contacts, and in a contact\'s list of addresses', async () => {
    const whatsApp = { text: 'Hi', contacts: [{ name: { firstName: 'Ada', nickname: 'A' }, addresses: [{ city: 'Zagreb', zipcode: '10000' }] }] };
    const issues = await refusal(client.omni.send({ destinations: [{ to: { phoneNumber: '41793026727', fax: '1' } }], whatsApp } as never));
    expect(issues.filter((i) => i.code === 'unknown_field').map((i) => i.path.join('.'))).toEqual([
      'destinations.0.to.fax',
      'whatsApp.contacts.0.name.nickname',
      'whatsApp.contacts.0.addresses.0.zipcode',
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('sends a request with content for no channel, which no Infobip source refuses (the scenario decides what is needed)', async () => {
    await client.omni.send({ destinations: [to('41793026727')], scenarioKey: 'AD9E01A5DC7BEE2C2B828D208182A611' });
    expect(server.requests).toHaveLength(1);
  });

  it('rewrites an ISO sendAt with Z into Infobip\'s +0000 form, and passes Infobip\'s own form as given', async () => {
    const year = new Date().getUTCFullYear() + 1;
    await client.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi' }, sendAt: `${year}-01-02T03:04:05Z` });
    await client.omni.send({ destinations: [to('41793026727')], sms: { text: 'Hi' }, sendAt: `${year}-01-02T03:04:05.000+01:00` });
    expect(server.requests.map((r) => (r.body as { sendAt: string }).sendAt)).toEqual([`${year}-01-02T03:04:05.000+0000`, `${year}-01-02T03:04:05.000+01:00`]);
  });
});

describe('scenarios, reports and logs', () => {
  it('refuses a scenario without steps, with an unknown channel, or with default and _default disagreeing', async () => {
    expect(byPath(await refusal(client.omni.scenarios.create({ flow: [] })))).toEqual({ flow: { code: 'strategy_too_few_channels', vendorCode: 'BAD_REQUEST' } });
    expect(byPath(await refusal(client.omni.scenarios.create({ flow: [{ channel: 'FACEBOOK' as never }], default: true, _default: false })))).toEqual({
      default: { code: 'invalid', vendorCode: undefined },
      'flow.0.channel': { code: 'strategy_unknown_channel', vendorCode: 'BAD_REQUEST' },
    });
  });

  it('takes a scenario step on each channel of the spec\'s OmniChannel, and names exactly those when refusing another', async () => {
    const channels = Object.values(OmniChannel);
    const issues = await refusal(client.omni.scenarios.create({ flow: [...channels.map((channel) => ({ channel })), { channel: 'FAX' as never }] }));
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([[`flow.${channels.length}.channel`, `'FAX' is not a channel; use one of ${channels.map((c) => `'${c}'`).join(', ')}`]]);
  });

  it('reports an empty scenario key and a bad body of an update together', async () => {
    const issues = await refusal(client.omni.scenarios.update('', { flow: [] }));
    expect(issues.map((i) => i.path.join('.'))).toEqual(['scenarioKey', 'flow']);
    await refusal(client.omni.scenarios.get(''));
  });

  it('refuses limits over 1000 for reports and logs, negative pages, and unknown channels', async () => {
    expect(byPath(await refusal(client.omni.reports({ limit: 1001, channel: 'FAX' as never })))).toEqual({
      limit: { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      channel: { code: 'invalid', vendorCode: 'BAD_REQUEST' },
    });
    expect(byPath(await refusal(client.omni.logs({ limit: 5000, sentSince: 'yesterday', generalStatus: 'LOST' as never })))).toEqual({
      limit: { code: 'invalid', vendorCode: 'BAD_REQUEST' },
      sentSince: { code: 'date_invalid', vendorCode: 'BAD_REQUEST' },
      generalStatus: { code: 'invalid', vendorCode: 'BAD_REQUEST' },
    });
    expect(byPath(await refusal(client.omni.scenarios.list({ page: -1 })))).toEqual({ page: { code: 'invalid', vendorCode: 'BAD_REQUEST' } });
  });

  it('accepts a scenario written with OmniChannel values', async () => {
    server.replyAlways({ status: 201, json: { key: 'K', flow: [{ channel: 'SMS' }] } });
    await client.omni.scenarios.create({ name: 'n', flow: [{ channel: OmniChannel.WHATSAPP, from: '447860099299' }, { channel: OmniChannel.SMS }] });
    expect(server.requests).toHaveLength(1);
  });
});
