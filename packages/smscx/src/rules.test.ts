// Invalid input is refused before the wire: one ValidationError listing every issue with the
// vendor's documented code, and the recording server sees no request at all.
import { startRecorder, type Recorder } from '@msgkit/test-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SmscxClient } from './client';
import { ValidationError, type ValidationIssue } from './errors';

let server: Recorder;
let client: SmscxClient;
beforeAll(async () => {
  server = await startRecorder();
  client = new SmscxClient({ apiKey: 'k-123456', baseUrl: server.url });
});
afterAll(() => server.close());
afterEach(() => {
  expect(server.requests).toHaveLength(0);
  server.reset();
});

async function issuesOf(call: () => Promise<unknown>): Promise<Array<Pick<ValidationIssue, 'path' | 'code' | 'vendorCode'>>> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map(({ path, code, vendorCode }) => ({ path, code, vendorCode }));
}

const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
const past = '2020-01-01 10:00:00';
const strategy = [{ channel: 'viber' as const, templateId: 15 }, { channel: 'sms' as const, text: 'Hello' }];

describe('sms.send', () => {
  it('lists every issue at once with the SMS.CX codes', async () => {
    const issues = await issuesOf(() =>
      client.sms.send({
        to: ['+31612345678', 'not a number', '+1 202'],
        from: 'ThisSenderIsTooLong',
        text: 'Code {{numbers:25}} and {{letters:x}}',
        dlrCallbackUrl: 'ftp://example.com/dlr',
        idempotencyId: '46EDDF49-4541-4AD6-8A8A-E151FC9A0C9E',
        trackData: 'abc',
        scheduledDate: 'tomorrow at noon',
        countryIso: 'NLD',
        transliteration: { alphabet: 'KLINGON' as never, removeEmojis: 'yes' as never },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['to', 1], code: expect.stringMatching(/^phone_/), vendorCode: 1210 },
        { path: ['to', 2], code: expect.stringMatching(/^phone_/), vendorCode: 1210 },
        { path: ['from'], code: 'sender_alpha_length', vendorCode: 1106 },
        { path: ['text'], code: 'placeholder_length', vendorCode: 1137 },
        { path: ['text'], code: 'placeholder_invalid', vendorCode: 1136 },
        { path: ['dlrCallbackUrl'], code: 'url_invalid', vendorCode: 1109 },
        { path: ['idempotencyId'], code: 'uuid_invalid', vendorCode: 1111 },
        { path: ['trackData'], code: 'uuid_invalid', vendorCode: undefined },
        { path: ['scheduledDate'], code: 'date_invalid', vendorCode: 1108 },
        { path: ['countryIso'], code: 'invalid', vendorCode: undefined },
        { path: ['transliteration', 'alphabet'], code: 'invalid', vendorCode: 1110 },
        { path: ['transliteration', 'removeEmojis'], code: 'invalid_type', vendorCode: 1503 },
      ]),
    );
    expect(issues).toHaveLength(12);
  });

  it('names one invalid number with 1207 and says why in the message', async () => {
    const error = await client.sms.send({ to: ['+31612345678', '12'], from: 'InfoText', text: 'Hi' }).then(
      () => undefined as never,
      (e: unknown) => e as ValidationError,
    );
    expect(error.issues).toEqual([expect.objectContaining({ path: ['to', 1], vendorCode: 1207 })]);
    expect(error.message).toContain('to.1');
  });

  it('refuses a missing or empty to (1104), a missing sender (1105) and an empty text (1107)', async () => {
    expect(await issuesOf(() => client.sms.send({ to: [], from: '', text: '' }))).toEqual([
      { path: ['to'], code: 'recipients_empty', vendorCode: 1104 },
      { path: ['from'], code: 'sender_empty', vendorCode: 1105 },
      { path: ['text'], code: 'text_empty', vendorCode: 1107 },
    ]);
    expect(await issuesOf(() => client.sms.send({} as never))).toEqual([
      { path: ['to'], code: 'required', vendorCode: 1104 },
      { path: ['from'], code: 'required', vendorCode: 1105 },
      { path: ['text'], code: 'required', vendorCode: 1107 },
    ]);
  });

  it('does not add "to is empty" when every number was invalid', async () => {
    expect(await issuesOf(() => client.sms.send({ to: ['12'], from: 'InfoText', text: 'Hi' }))).toEqual([{ path: ['to', 0], code: expect.stringMatching(/^phone_/), vendorCode: 1207 }]);
  });

  it('refuses more than 25 000 numbers (1103) and points to sendInBatches', async () => {
    const to = Array.from({ length: 25_001 }, (_, i) => `+4474${String(i).padStart(8, '0')}`);
    const error = await client.sms.send({ to, from: 'InfoText', text: 'Hi' }).then(
      () => undefined as never,
      (e: unknown) => e as ValidationError,
    );
    expect(error.issues).toEqual([expect.objectContaining({ path: ['to'], code: 'recipients_too_many', vendorCode: 1103 })]);
    expect(error.message).toContain('sendInBatches');
  });

  it('refuses a text over 10 parts (1 530 GSM-7 characters) and accepts exactly 10', async () => {
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'a'.repeat(1531) }))).toEqual([{ path: ['text'], code: 'text_too_many_parts', vendorCode: undefined }]);
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'ж'.repeat(671) }))).toEqual([{ path: ['text'], code: 'text_too_many_parts', vendorCode: undefined }]);
    server.reply({ status: 200, json: { info: {}, data: [] } });
    await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'a'.repeat(1530) });
    expect(server.requests).toHaveLength(1);
    server.reset();
  });

  it('refuses a past Date with 1116 (it is a date, only a past one), and a Date with isUtc false with 1108', async () => {
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', scheduledDate: new Date('2020-01-01T10:00:00Z') }))).toEqual([
      { path: ['scheduledDate'], code: 'date_in_past', vendorCode: 1116 },
    ]);
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', scheduledDate: new Date(Date.now() + 86_400_000), isUtc: false }))).toEqual([
      { path: ['scheduledDate'], code: 'date_invalid', vendorCode: 1108 },
    ]);
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', scheduledDate: new Date('not a date') }))).toEqual([
      { path: ['scheduledDate'], code: 'date_invalid', vendorCode: 1108 },
    ]);
  });

  it('refuses an idempotencyId that is not a lowercase UUID shape (1111), whatever its version digit', async () => {
    for (const idempotencyId of ['46EDDF49-4541-4AD6-8A8A-E151FC9A0C9E', 'bf325375e030fccba00917317c574773', 'not-a-uuid']) {
      expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', idempotencyId }))).toEqual([{ path: ['idempotencyId'], code: 'uuid_invalid', vendorCode: 1111 }]);
    }
  });

  it('refuses a schedule in the past (1116), leniently when the date is the destination local time', async () => {
    expect(await issuesOf(() => client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', scheduledDate: past }))).toEqual([{ path: ['scheduledDate'], code: 'date_in_past', vendorCode: 1116 }]);
    const inSixHoursLocal = new Date(Date.now() - 6 * 3_600_000).toISOString().slice(0, 19);
    server.reply({ status: 200, json: { info: {}, data: [] } });
    await client.sms.send({ to: ['+31612345678'], from: 'InfoText', text: 'Hi', scheduledDate: inSixHoursLocal, isUtc: false });
    expect(server.requests).toHaveLength(1);
    server.reset();
  });
});

describe('sms campaigns and deletes', () => {
  it('refuses empty groups (1101), bad group ids (1140) and a 16-character sender (1106)', async () => {
    expect(await issuesOf(() => client.sms.sendCampaign({ groups: [], from: 'SixteenCharsLong', text: 'Hi', scheduledDate: future }))).toEqual([
      { path: ['groups'], code: 'recipients_empty', vendorCode: 1101 },
      { path: ['from'], code: 'sender_alpha_length', vendorCode: 1106 },
    ]);
    expect(await issuesOf(() => client.sms.estimateCampaign({ groups: [0, 1.5], from: 'InfoText', text: 'Hi' }))).toEqual([
      { path: ['groups', 0], code: 'invalid_type', vendorCode: 1140 },
      { path: ['groups', 1], code: 'invalid_type', vendorCode: 1140 },
    ]);
  });

  it('refuses a msgId (1115) or campaignId (1155) that is not a UUID', async () => {
    expect(await issuesOf(() => client.sms.deleteScheduled('123'))).toEqual([{ path: ['msgId'], code: 'uuid_invalid', vendorCode: 1115 }]);
    expect(await issuesOf(() => client.sms.deleteScheduledCampaign('../../account'))).toEqual([{ path: ['campaignId'], code: 'uuid_invalid', vendorCode: 1155 }]);
    expect(await issuesOf(() => client.multichannel.deleteScheduled(''))).toEqual([{ path: ['msgId'], code: 'uuid_invalid', vendorCode: 1115 }]);
    expect(await issuesOf(() => client.multichannel.deleteScheduledCampaign('x'))).toEqual([{ path: ['campaignId'], code: 'uuid_invalid', vendorCode: 1155 }]);
  });
});

describe('multichannel', () => {
  const base = { to: ['+31612345678'], from: 'InfoText' };

  it('refuses a 16-character sender (3-15, spec DECISION; 1106) and ttl out of range (1125 / 1134 / 1124)', async () => {
    expect(await issuesOf(() => client.multichannel.send({ ...base, from: 'SixteenCharsLong', strategy, ttl: 299 }))).toEqual([
      { path: ['from'], code: 'sender_alpha_length', vendorCode: 1106 },
      { path: ['ttl'], code: 'validity_too_short', vendorCode: 1125 },
    ]);
    expect(await issuesOf(() => client.multichannel.estimate({ ...base, strategy, ttl: 1_209_601 }))).toEqual([{ path: ['ttl'], code: 'validity_too_long', vendorCode: 1134 }]);
    expect(await issuesOf(() => client.multichannel.estimate({ ...base, strategy, ttl: 300.5 }))).toEqual([{ path: ['ttl'], code: 'validity_not_integer', vendorCode: 1124 }]);
  });

  it('accepts the ttl bounds 300 and 1 209 600', async () => {
    server.replyAlways({ status: 200, json: { info: {}, data: [] } });
    await client.multichannel.estimate({ ...base, strategy, ttl: 300 });
    await client.multichannel.estimate({ ...base, strategy, ttl: 1_209_600 });
    expect(server.requests).toHaveLength(2);
    server.reset();
  });

  it('checks the strategy: at least two channels (1121), sms last (1122)', async () => {
    expect(await issuesOf(() => client.multichannel.send({ ...base, strategy: [{ channel: 'sms', text: 'Hi' }] }))).toEqual([{ path: ['strategy'], code: 'strategy_too_few_channels', vendorCode: 1121 }]);
    expect(await issuesOf(() => client.multichannel.send({ ...base, strategy: [{ channel: 'sms', text: 'Hi' }, { channel: 'viber', templateId: 1 }] }))).toEqual([
      { path: ['strategy', 1, 'channel'], code: 'strategy_last_channel', vendorCode: 1122 },
    ]);
  });

  it('checks the strategy: no duplicates (1129), known channels (1123), templateId (1126 / 1127) and sms text (1107)', async () => {
    const issues = await issuesOf(() =>
      client.multichannel.sendCampaign({
        groups: [1],
        from: 'InfoText',
        strategy: [{ channel: 'viber' }, { channel: 'telegram' as never, templateId: 3 }, { channel: 'viber', templateId: -4 }, { channel: 'sms' }],
      }),
    );
    expect(issues).toEqual([
      // Three channels exist, so the spec's maxItems 3 is broken too.
      { path: ['strategy'], code: 'too_many_items', vendorCode: undefined },
      { path: ['strategy', 0, 'templateId'], code: 'strategy_missing_field', vendorCode: 1126 },
      { path: ['strategy', 1, 'channel'], code: 'strategy_unknown_channel', vendorCode: 1123 },
      { path: ['strategy', 2, 'channel'], code: 'strategy_duplicate_channel', vendorCode: 1129 },
      { path: ['strategy', 3, 'text'], code: 'strategy_missing_field', vendorCode: 1107 },
      { path: ['strategy', 2, 'templateId'], code: 'invalid', vendorCode: 1127 },
    ]);
  });

  it('checks the failover SMS text like an SMS text (parts and placeholders)', async () => {
    const issues = await issuesOf(() =>
      client.multichannel.estimateCampaign({ groups: [1], from: 'InfoText', strategy: [{ channel: 'whatsapp', templateId: 2 }, { channel: 'sms', text: `{{alphanumeric:0}} ${'x'.repeat(1530)}` }] }),
    );
    expect(issues).toEqual([
      { path: ['strategy', 1, 'text'], code: 'text_too_many_parts', vendorCode: undefined },
      { path: ['strategy', 1, 'text'], code: 'placeholder_length', vendorCode: 1137 },
    ]);
  });

  it('refuses a non-object request', async () => {
    expect(await issuesOf(() => client.multichannel.send(null as never))).toEqual([{ path: [], code: 'invalid_type', vendorCode: undefined }]);
  });
});
