import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OctopushClient, type OctopushClientOptions } from './client';
import { ValidationError, type ValidationIssue } from './errors';
import type { MultichannelSendRequest, SmsSendRequest } from './types';
import type { Note } from '@msgkit/core';

let server: Recorder;
let client: OctopushClient;
const make = (options: Partial<OctopushClientOptions> = {}) => new OctopushClient({ apiLogin: 'owner@example.com', apiKey: 'key-123', baseUrl: server.url, maxRetries: 0, ...options });
beforeAll(async () => {
  server = await startRecorder();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.replyAlways({ json: { sms_ticket: 'sms_5f3fbce61266e', number_of_contacts: 1, total_cost: 0.05 } });
  client = make();
});

/** Runs the call, expects a ValidationError, and checks that nothing reached the server. */
async function issuesOf(call: Promise<unknown>): Promise<Array<Pick<ValidationIssue, 'path' | 'code' | 'vendorCode'>>> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect(server.requests).toHaveLength(0);
  return (error as ValidationError).issues.map(({ path, code, vendorCode }) => (vendorCode === undefined ? { path, code } : { path, code, vendorCode }));
}

const phones = (n: number) => Array.from({ length: n }, (_, i) => ({ phoneNumber: `+3361${String(i).padStart(7, '0')}` }));
const sms = (extra: Partial<MultichannelSendRequest> = {}): MultichannelSendRequest => ({ channel: 'sms', text: 'Hello', recipients: [{ phoneNumber: '+33611223344' }], metadata: { type: 'sms_premium' }, ...extra });
const campaign = (extra: Partial<SmsSendRequest> = {}): SmsSendRequest => ({ text: 'Hello', recipients: [{ phoneNumber: '+33611223344' }], type: 'sms_premium', purpose: 'alert', ...extra });

describe('multi-channel send rules', () => {
  it('lists every issue of an sms request at once, with Octopush codes, and sends nothing', async () => {
    const issues = await issuesOf(
      client.multichannel.send({
        channel: 'sms',
        text: '',
        recipients: [{ phoneNumber: '12' }, { phoneNumber: '+33611223344', email: 'a@b.co' }, {}],
        sender: 'My Shop Online',
        purpose: 'promo' as never,
        sendAt: '2031-03-04T10:00',
        metadata: { voiceLanguage: 'fr-FR', requestId: 42 as never },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['recipients', 0, 'phoneNumber'], code: 'phone_too_short' },
        { path: ['text'], code: 'text_empty', vendorCode: 107 },
        { path: ['sender'], code: 'sender_alpha_length', vendorCode: 106 },
        { path: ['sender'], code: 'sender_chars', vendorCode: 106 },
        { path: ['purpose'], code: 'invalid' },
        { path: ['sendAt'], code: 'date_invalid' },
        { path: ['recipients', 1, 'email'], code: 'not_for_channel' },
        { path: ['recipients', 2, 'phoneNumber'], code: 'required' },
        { path: ['metadata', 'voiceLanguage'], code: 'not_for_channel' },
        { path: ['metadata', 'requestId'], code: 'invalid_type' },
      ]),
    );
    expect(issues).toHaveLength(10);
  });

  it('refuses more than 500 recipients and an empty list with code 103', async () => {
    expect(await issuesOf(client.multichannel.send(sms({ recipients: phones(501) })))).toEqual([{ path: ['recipients'], code: 'recipients_too_many' }]);
    expect(await issuesOf(client.multichannel.send(sms({ recipients: [] })))).toEqual([{ path: ['recipients'], code: 'recipients_empty', vendorCode: 103 }]);
  });

  it('accepts exactly 500 recipients and 1224 characters', async () => {
    await client.multichannel.send(sms({ recipients: phones(500), text: 'a'.repeat(1224) }));
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a text of 1225 characters', async () => {
    expect(await issuesOf(client.multichannel.send(sms({ text: 'a'.repeat(1225) })))).toEqual([{ path: ['text'], code: 'text_too_long' }]);
  });

  it('requires a voice gender and a supported voice language (code 442)', async () => {
    const issues = await issuesOf(client.multichannel.send({ channel: 'voice_sms', text: 'Hi', recipients: [{ phoneNumber: '+33611223344' }], metadata: { voiceLanguage: 'xx-XX' as never, type: 'sms_premium' } }));
    expect(issues).toEqual([
      { path: ['metadata', 'type'], code: 'invalid' },
      { path: ['metadata', 'voiceGender'], code: 'required' },
      { path: ['metadata', 'voiceLanguage'], code: 'invalid', vendorCode: 442 },
    ]);
  });

  it('requires the e-mail fields and valid addresses (code 2005), and a text unless a template is named', async () => {
    const issues = await issuesOf(
      client.multichannel.send({ channel: 'email', recipients: [{ email: 'not-an-address' }, { phoneNumber: '+33611223344' }], metadata: { emailFrom: 'news', subject: 's'.repeat(1001) } }),
    );
    expect(issues).toEqual([
      { path: ['text'], code: 'required', vendorCode: 107 },
      { path: ['recipients', 0, 'email'], code: 'invalid', vendorCode: 2005 },
      { path: ['recipients', 1, 'phoneNumber'], code: 'not_for_channel' },
      { path: ['recipients', 1, 'email'], code: 'required', vendorCode: 2005 },
      { path: ['metadata', 'emailFrom'], code: 'invalid', vendorCode: 2005 },
      { path: ['metadata', 'subject'], code: 'text_too_long' },
    ]);
  });

  it('needs a phone, an e-mail or a UUID-shaped conversation for every live_chat recipient', async () => {
    const issues = await issuesOf(
      client.multichannel.send({ channel: 'live_chat', text: 'Hi', recipients: [{}, { conversationId: 'conversation-1' }, { conversationId: '6f1c2a7e3b4d4c5e8f901a2b3c4d5e6f' }, { conversationId: '6f1c2a7e-3b4d-4c5e-8f90-1a2b3c4d5e6f' }] }),
    );
    expect(issues).toEqual([
      { path: ['recipients', 0], code: 'required' },
      { path: ['recipients', 1, 'conversationId'], code: 'uuid_invalid' },
      { path: ['recipients', 2, 'conversationId'], code: 'uuid_invalid' },
    ]);
  });

  it("accepts the SEED's live_chat example, whose conversation_id 00000000-0000-0000-0000-000000000001 is no UUID v4", async () => {
    await client.multichannel.send({ channel: 'live_chat', text: 'Hello, this is a live chat message.', sender: 'AgentName', recipients: [{ phoneNumber: '+33111222333' }, { email: 'jane@example.com' }, { conversationId: '00000000-0000-0000-0000-000000000001' }] });
    await client.multichannel.send({ channel: 'live_chat', text: 'Hi', recipients: [{ conversationId: '6F1C2A7E-3B4D-1C5E-8F90-1A2B3C4D5E6F' }] });
    expect(server.requests.map((r) => (r.body as { recipients: unknown[] }).recipients.at(-1))).toEqual([
      { conversation_id: '00000000-0000-0000-0000-000000000001' },
      { conversation_id: '6F1C2A7E-3B4D-1C5E-8F90-1A2B3C4D5E6F' },
    ]);
  });

  it('requires cards for an RCS rich card, which needs no text', async () => {
    expect(await issuesOf(client.multichannel.send({ channel: 'rcs', recipients: [{ phoneNumber: '+33611223344' }], metadata: { messageType: 'rich_card' } }))).toEqual([
      { path: ['metadata', 'cards'], code: 'required' },
    ]);
  });

  it('refuses marketing SMS to France without the STOP mention (code 121)', async () => {
    expect(await issuesOf(client.multichannel.send(sms({ purpose: 'wholesale', text: 'Sale -50%' })))).toEqual([{ path: ['text'], code: 'stop_mention_missing', vendorCode: 121 }]);
  });

  it('sends a send date in the past as given, in each form, since no Octopush source refuses one, and says so', async () => {
    const notes: Note[] = [];
    const noting = make({ onNote: (note) => notes.push(note) });
    for (const sendAt of ['2021-01-01T00:01:00+0100', '2021-01-01 00:01:00', '2024-12-19T10:00:00-07:00']) {
      await noting.multichannel.send(sms({ sendAt }));
    }
    await noting.sms.send(campaign({ sendAt: new Date(Date.now() - 60_000) }));
    await noting.sms.send(campaign({ sendAt: new Date(Date.now() + 3_600_000) }));
    expect(server.requests.map((request) => (request.body as { send_at: string }).send_at).slice(0, 3)).toEqual(['2021-01-01T00:01:00+0100', '2021-01-01 00:01:00', '2024-12-19T10:00:00-07:00']);
    expect(notes.map((note) => [note.path, note.code])).toEqual(Array.from({ length: 4 }, () => [['sendAt'], 'date_in_past']));
  });

  it.each(['2030-02-30T10:00:00+01:00', '2030-02-31 10:00:00', '2030-04-31T09:00:00Z', '2030-13-01 10:00:00', '2030-06-01T24:00:00+02:00'])(
    'refuses send_at %s, a day or an hour that does not exist, before the wire (Octopush would send at once what it cannot read)',
    async (sendAt) => {
      expect(await issuesOf(client.multichannel.send(sms({ sendAt })))).toEqual([{ path: ['sendAt'], code: 'date_invalid' }]);
      expect(await issuesOf(client.sms.send(campaign({ sendAt })))).toEqual([{ path: ['sendAt'], code: 'date_invalid' }]);
    },
  );

  it.each(['2031-03-04T10:00', '2031-03-04T10:00:00', '2031-03-04 10:00', '04/03/2031 10:00', 'tomorrow'])(
    'refuses send_at %s, a form no Octopush source shows (the server would ignore it and send at once)',
    async (sendAt) => {
      expect(await issuesOf(client.multichannel.send(sms({ sendAt })))).toEqual([{ path: ['sendAt'], code: 'date_invalid' }]);
    },
  );

  it('accepts an email without metadata.name_from, which the SEED does not mark required', async () => {
    await client.multichannel.send({ channel: 'email', text: 'Hi', recipients: [{ email: 'ana@example.com' }], metadata: { emailFrom: 'news@example.com', subject: 'News' } });
    expect(server.requests).toHaveLength(1);
  });
});

describe('SMS campaign rules', () => {
  it('treats an unset purpose as marketing, which needs STOP au XXXXX for French numbers', async () => {
    expect(await issuesOf(client.sms.send(campaign({ purpose: undefined })))).toEqual([{ path: ['text'], code: 'stop_mention_missing', vendorCode: 121 }]);
    const error = (await client.sms.send(campaign({ purpose: undefined })).catch((e: unknown) => e)) as ValidationError;
    // The refusal names its source: Octopush's own page makes wholesale the default of this endpoint.
    expect(error.issues[0]!.message).toMatch(/purpose is not given.*default.*'wholesale'.*transactional-sms/);
    await client.sms.send(campaign({ purpose: undefined, text: 'Sale -50% STOP au XXXXX' }));
    await client.sms.send(campaign({ purpose: undefined, recipients: [{ phoneNumber: '+32470123456' }] }));
    expect(server.requests).toHaveLength(2);
  });

  it('lists a missing type, long personalisation values and a bad sender together', async () => {
    const issues = await issuesOf(client.sms.send({ text: 'Hi {first_name}', recipients: [{ phoneNumber: '+33611223344', firstName: 'x'.repeat(51) }], sender: 'ab', purpose: 'alert' } as SmsSendRequest));
    // In the order of the spec's fields.
    expect(issues).toEqual([
      { path: ['recipients', 0, 'firstName'], code: 'text_too_long' },
      { path: ['type'], code: 'required' },
      { path: ['sender'], code: 'sender_alpha_length', vendorCode: 106 },
    ]);
  });

  it('requires recipients (code 103) and a text (code 107)', async () => {
    expect(await issuesOf(client.sms.send({ type: 'sms_premium', purpose: 'alert' } as SmsSendRequest))).toEqual([
      { path: ['text'], code: 'required', vendorCode: 107 },
      { path: ['recipients'], code: 'required', vendorCode: 103 },
    ]);
  });
});

describe('cancel and balance rules', () => {
  it('refuses to cancel a live_chat message or a missing ticket', async () => {
    expect(await issuesOf(client.multichannel.cancel({ channel: 'live_chat' as never, ticketNumber: '' }))).toEqual([
      { path: ['channel'], code: 'invalid' },
      { path: ['ticketNumber'], code: 'required' },
    ]);
    expect(await issuesOf(client.sms.cancel({} as never))).toEqual([{ path: ['ticketNumber'], code: 'required' }]);
  });

  it('refuses a with_details that is neither a boolean nor 1/0', async () => {
    expect(await issuesOf(client.wallet.balance({ withDetails: 2 as never }))).toEqual([{ path: ['withDetails'], code: 'invalid' }]);
  });

  it('needs country and product together', async () => {
    expect(await issuesOf(client.wallet.balance({ countryCode: 'FR' }))).toEqual([{ path: ['productName'], code: 'required' }]);
    expect(await issuesOf(client.wallet.balance({ countryCode: 'FRA', productName: 'sms' as never }))).toEqual([
      { path: ['countryCode'], code: 'invalid_country' },
      { path: ['productName'], code: 'invalid' },
    ]);
  });

  it("accepts productName 'euro' and the other products Octopush's PHP client names, which DEV's list of four leaves out", async () => {
    for (const productName of ['euro', 'virtual_number', 'database_renting_b2c', 'database_renting_b2b', 'sms_premium']) {
      await client.wallet.balance({ countryCode: 'FR', productName: productName as never });
    }
    expect(server.requests.map((r) => r.query['product_name'])).toEqual(['euro', 'virtual_number', 'database_renting_b2c', 'database_renting_b2b', 'sms_premium']);
  });
});

describe('phone numbers', () => {
  it.each([
    ['06 11 22 33 44', '+33611223344'],
    ['+33 6 11 22 33 44', '+33611223344'],
    ['0033611223344', '+33611223344'],
    ['(06) 11-22-33-44', '+33611223344'],
    ['+33 (0)6 11 22 33 44', '+33611223344'],
    ['+44 7911 123456', '+447911123456'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('sends %s as %s', async (input, e164) => {
    await client.multichannel.send(sms({ recipients: [{ phoneNumber: input }] }));
    expect((server.requests[0]!.body as { recipients: unknown }).recipients).toEqual([{ phone_number: e164 }]);
  });

  it('reads national numbers in the defaultCountry given to the client', async () => {
    await make({ defaultCountry: 'BE' }).sms.send(campaign({ recipients: [{ phoneNumber: '0470 12 34 56' }] }));
    expect((server.requests[0]!.body as { recipients: unknown }).recipients).toEqual([{ phone_number: '+32470123456' }]);
  });

  it('reports every invalid number by its index', async () => {
    const issues = await issuesOf(client.sms.send(campaign({ recipients: [{ phoneNumber: 'call me' }, { phoneNumber: '+33611223344' }, { phoneNumber: '+999 123' }] })));
    expect(issues.map((i) => i.path)).toEqual([
      ['recipients', 0, 'phoneNumber'],
      ['recipients', 2, 'phoneNumber'],
    ]);
    expect(issues.every((i) => i.code.startsWith('phone_'))).toBe(true);
  });
});
