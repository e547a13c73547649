// The four vendors' limits (../shared/vendors/*.md) expressed with the factories, the way each
// provider's src/rules.ts will: proof that the factories cover them and stay declarative.
import { describe, expect, it } from 'vitest';
import { callbackUrl, uuid } from './identifiers';
import { maxRecipients } from './recipients';
import { scheduleDate } from './schedule';
import { senderId } from './sender';
import { channelStrategy } from './strategy';
import { messageText } from './text';
import { collectIssues, requestRules } from './validate';
import { validity, validityWithUnit } from './validity';
import { optional } from './rule';

const smscxSms = requestRules({
  to: maxRecipients({ max: 25_000, vendorCode: { recipients_too_many: 1103, recipients_empty: 1104 } }),
  from: senderId({ alpha: [3, 15], numeric: [3, 15], vendorCode: { required: 1105, sender_empty: 1105, sender_alpha_length: 1106, sender_numeric_length: 1106, sender_chars: 1106 } }),
  text: messageText({ maxParts: 10, vendorCode: { required: 1107, text_empty: 1107 }, placeholders: { vendorCode: { placeholder_invalid: 1136, placeholder_length: 1137 } } }),
  scheduledDate: optional(scheduleDate({ vendorCode: { date_invalid: 1108, date_in_past: 1116 } })),
  dlrCallbackUrl: optional(callbackUrl({ vendorCode: 1109 })),
  idempotencyId: optional(uuid({ lowercase: true, vendorCode: 1111 })),
});

const smscxMultichannel = requestRules({
  to: maxRecipients({ max: 25_000, vendorCode: { recipients_too_many: 1103 } }),
  from: senderId({ alpha: [3, 11], numeric: [3, 11], vendorCode: 1106 }),
  strategy: channelStrategy({
    channels: ['viber', 'whatsapp', 'sms'],
    minChannels: 2,
    lastChannel: 'sms',
    requiredFields: { viber: [{ field: 'templateId', vendorCode: 1126 }], whatsapp: [{ field: 'templateId', vendorCode: 1126 }], sms: [{ field: 'text', vendorCode: 1107 }] },
    vendorCode: { required: 1120, strategy_too_few_channels: 1121, strategy_last_channel: 1122, strategy_unknown_channel: 1123, strategy_duplicate_channel: 1129 },
  }),
  ttl: optional(validity({ unit: 'seconds', min: 300, max: 1_209_600, vendorCode: { validity_not_integer: 1124, validity_too_short: 1125, validity_too_long: 1134 } })),
});

const smsworksBatch = requestRules({
  sender: senderId({ alpha: [1, 11], numeric: [1, 15] }),
  destinations: maxRecipients({ max: 5_000 }),
  content: messageText({ maxLength: 1_280 }),
  validity: optional(validity({ unit: 'minutes', min: 1, max: 2_880 })),
});

const octopushSms = requestRules({
  recipients: maxRecipients({ max: 500 }),
  text: messageText({ minLength: 1, maxLength: 1_224 }),
  sender: optional(senderId({ alpha: [3, 11], numeric: [3, 11] })),
});

// Infobip silently shortens a validity over 48 h; we refuse it instead (see validity.ts).
const infobipSms = validityWithUnit({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', units: ['seconds', 'minutes', 'hours'], minSeconds: 30, exclusiveMin: true, maxSeconds: 48 * 3600 });
const infobipSend = requestRules({ sms: optional(infobipSms), sendAt: optional(scheduleDate({ maxAheadDays: 180 })) });

const codes = (rules: Parameters<typeof collectIssues>[1], request: unknown) => collectIssues(request, rules).map(({ path, code, vendorCode }) => [path.join('.'), code, vendorCode]);

describe('vendor rule sets built from the factories', () => {
  it('SMS.CX SMS: sender 3-15, 25 000 recipients, placeholders, UUID idempotency id', () => {
    expect(codes(smscxSms, { to: ['+4915128403420'], from: 'AlphaSender1234', text: 'Code {{numbers:6}}' })).toEqual([]);
    expect(codes(smscxSms, { to: [], from: 'AlphaSender12345', text: '{{letters:21}}', idempotencyId: 'bf325375-e030-fccb-a009-17317c574773' })).toEqual([
      ['to', 'recipients_empty', 1104],
      ['from', 'sender_alpha_length', 1106],
      ['text', 'placeholder_length', 1137],
      ['idempotencyId', 'uuid_invalid', 1111],
    ]);
  });

  it('SMS.CX multichannel: sender 3-11, strategy of two or more ending with sms, TTL 300 s to 14 days', () => {
    const strategy = [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'fallback' }];
    expect(codes(smscxMultichannel, { to: ['+4915128403420'], from: 'Sender11chr', strategy, ttl: 300 })).toEqual([]);
    expect(codes(smscxMultichannel, { to: ['+4915128403420'], from: 'Sender12char', strategy: [{ channel: 'sms', text: 'x' }], ttl: 299 })).toEqual([
      ['from', 'sender_alpha_length', 1106],
      ['strategy', 'strategy_too_few_channels', 1121],
      ['ttl', 'validity_too_short', 1125],
    ]);
    expect(codes(smscxMultichannel, { to: ['x'], from: 'abc', strategy, ttl: 1_209_601 })).toEqual([['ttl', 'validity_too_long', 1134]]);
  });

  it('The SMS Works: batches of at most 5 000 and validity of 1 to 2 880 minutes', () => {
    const destinations = Array.from({ length: 5_000 }, (_, i) => `4477009${String(i).padStart(5, '0')}`);
    expect(codes(smsworksBatch, { sender: 'MsgKit', destinations, content: 'hi', validity: 2_880 })).toEqual([]);
    expect(codes(smsworksBatch, { sender: 'MsgKit', destinations: [...destinations, '447700900000'], content: 'hi', validity: 0 })).toEqual([
      ['destinations', 'recipients_too_many', undefined],
      ['validity', 'validity_too_short', undefined],
    ]);
  });

  it('Octopush: at most 500 recipients and a text of 1 to 1 224 characters', () => {
    const recipients = Array.from({ length: 501 }, () => ({ phone_number: '+33612345678' }));
    expect(codes(octopushSms, { recipients: recipients.slice(0, 500), text: 'x'.repeat(1_224) })).toEqual([]);
    expect(codes(octopushSms, { recipients, text: 'x'.repeat(1_225) })).toEqual([
      ['recipients', 'recipients_too_many', undefined],
      ['text', 'text_too_long', undefined],
    ]);
  });

  it('Infobip: validity over 48 h is refused, not clamped, in whatever unit it is given', () => {
    expect(codes(infobipSend, { sms: { text: 'x', validityPeriod: 48, validityPeriodTimeUnit: 'HOURS' } })).toEqual([]);
    expect(codes(infobipSend, { sms: { text: 'x', validityPeriod: 2_881 } })).toEqual([['sms.validityPeriod', 'validity_too_long', undefined]]);
    expect(codes(infobipSend, { sms: { text: 'x', validityPeriod: 3, validityPeriodTimeUnit: 'DAYS' } })).toEqual([['sms.validityPeriodTimeUnit', 'validity_unit', undefined]]);
  });
});
