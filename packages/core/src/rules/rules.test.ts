import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { callbackUrl, uuid } from './identifiers';
import { maxRecipients } from './recipients';
import { unknownFieldIssues } from './fields';
import { isCalendarDateTime, scheduleDate } from './schedule';
import { senderId } from './sender';
import { channelStrategy } from './strategy';
import { messageText, placeholders } from './text';
import { assertValid, collectIssues, recipientIssues, recipientIssuesUnchecked, requestRules } from './validate';
import { validity, validityWithUnit } from './validity';
import { optional } from './rule';

const codesOf = (schema: Parameters<typeof collectIssues>[1], value: unknown) => collectIssues(value, schema).map((i) => i.code);

describe('senderId', () => {
  const sender = senderId({ alpha: [3, 11], numeric: [3, 15], vendorCode: 1106 });

  it('accepts alphanumeric and numeric senders within their own ranges', () => {
    expect(codesOf(sender, 'MsgKit')).toEqual([]);
    expect(codesOf(sender, '447700900123')).toEqual([]);
    expect(codesOf(sender, '+447700900123')).toEqual([]);
  });

  it('applies the alphanumeric range to any sender with a letter and the numeric range to digits', () => {
    expect(codesOf(sender, 'MsgKitSender')).toEqual(['sender_alpha_length']);
    expect(codesOf(sender, '1234567890123456')).toEqual(['sender_numeric_length']);
    expect(codesOf(sender, '12')).toEqual(['sender_numeric_length']);
  });

  it('reports disallowed characters and the vendor code', () => {
    expect(collectIssues('Msg Kit!', sender)).toEqual([
      { path: [], code: 'sender_chars', message: "contains characters a sender ID cannot have: ' ', '!'", vendorCode: 1106 },
    ]);
  });

  it('reports a missing or empty sender', () => {
    expect(codesOf(sender, undefined)).toEqual(['required']);
    expect(codesOf(sender, '')).toEqual(['sender_empty']);
    expect(codesOf(sender, 42)).toEqual(['invalid_type']);
  });
});

describe('validity', () => {
  it('refuses values outside the range with per-issue vendor codes', () => {
    const ttl = validity({ unit: 'seconds', min: 300, max: 1_209_600, vendorCode: { validity_too_short: 1125, validity_too_long: 1134, validity_not_integer: 1124 } });
    expect(collectIssues(299, ttl)).toMatchObject([{ code: 'validity_too_short', vendorCode: 1125, message: 'must be at least 300 seconds' }]);
    expect(collectIssues(1_209_601, ttl)).toMatchObject([{ code: 'validity_too_long', vendorCode: 1134 }]);
    expect(collectIssues('300', ttl)).toMatchObject([{ code: 'validity_not_integer', vendorCode: 1124 }]);
    expect(codesOf(ttl, 300)).toEqual([]);
  });

  it('converts a sibling unit field before comparing with limits in seconds', () => {
    const rule = validityWithUnit({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', minSeconds: 30, exclusiveMin: true, maxSeconds: 48 * 3600 });
    expect(codesOf(rule, { validityPeriod: 2880 })).toEqual([]);
    expect(codesOf(rule, { validityPeriod: 2881 })).toEqual(['validity_too_long']);
    expect(codesOf(rule, { validityPeriod: 48, validityPeriodTimeUnit: 'HOURS' })).toEqual([]);
    expect(codesOf(rule, { validityPeriod: 30, validityPeriodTimeUnit: 'SECONDS' })).toEqual(['validity_too_short']);
    expect(collectIssues({ validityPeriod: 1, validityPeriodTimeUnit: 'WEEKS' }, rule)).toMatchObject([{ path: ['validityPeriodTimeUnit'], code: 'validity_unit' }]);
    expect(collectIssues({ validityPeriod: 49, validityPeriodTimeUnit: 'HOURS' }, rule)).toMatchObject([{ path: ['validityPeriod'], message: 'must be at most 48 hours' }]);
  });
});

describe('channelStrategy', () => {
  const strategy = channelStrategy({
    channels: ['viber', 'whatsapp', 'sms'],
    minChannels: 2,
    lastChannel: 'sms',
    requiredFields: { viber: [{ field: 'templateId', vendorCode: 1126 }], whatsapp: [{ field: 'templateId', vendorCode: 1126 }], sms: [{ field: 'text', vendorCode: 1107 }] },
    vendorCode: { strategy_too_few_channels: 1121, strategy_last_channel: 1122, strategy_duplicate_channel: 1129, strategy_unknown_channel: 1123 },
  });

  it('accepts an ordered failover ending with sms', () => {
    expect(codesOf(strategy, [{ channel: 'viber', templateId: 15 }, { channel: 'sms', text: 'hi' }])).toEqual([]);
  });

  it('reports every problem of a strategy at once, each at its own path', () => {
    const issues = collectIssues([{ channel: 'viber' }, { channel: 'viber', templateId: 1 }, { channel: 'fax' }, { channel: 'whatsapp', templateId: 2 }], strategy);
    expect(issues.map(({ path, code, vendorCode }) => ({ path, code, vendorCode }))).toEqual([
      { path: [0, 'templateId'], code: 'strategy_missing_field', vendorCode: 1126 },
      { path: [1, 'channel'], code: 'strategy_duplicate_channel', vendorCode: 1129 },
      { path: [2, 'channel'], code: 'strategy_unknown_channel', vendorCode: 1123 },
      { path: [3, 'channel'], code: 'strategy_last_channel', vendorCode: 1122 },
    ]);
  });

  it('requires the minimum number of channels', () => {
    expect(collectIssues([{ channel: 'sms', text: 'x' }], strategy)).toMatchObject([{ code: 'strategy_too_few_channels', vendorCode: 1121 }]);
  });
});

describe('scheduleDate', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const date = scheduleDate({ maxAheadDays: 180, now: () => now, vendorCode: { date_in_past: 1116, date_invalid: 1108 } });

  it('accepts ISO strings, zone-less vendor strings read as UTC, and Dates within the horizon', () => {
    expect(codesOf(date, '2025-01-02T10:00:00+01:00')).toEqual([]);
    expect(codesOf(date, '2025-01-01 00:00:01')).toEqual([]);
    expect(codesOf(date, new Date(now + 1000))).toEqual([]);
  });

  it('refuses invalid, past and too distant dates', () => {
    expect(collectIssues('tomorrow', date)).toMatchObject([{ code: 'date_invalid', vendorCode: 1108 }]);
    expect(collectIssues('2024-12-31 23:59:59', date)).toMatchObject([{ code: 'date_in_past', vendorCode: 1116 }]);
    expect(codesOf(date, new Date(now + 180 * 86_400_000))).toEqual(['date_too_far']);
  });
});

describe('callbackUrl and uuid', () => {
  it('accepts absolute http(s) URLs only', () => {
    const url = callbackUrl({ vendorCode: 1109 });
    expect(codesOf(url, 'https://example.com/dlr?x=1')).toEqual([]);
    expect(codesOf(url, 'http://127.0.0.1:8080/hook')).toEqual([]);
    expect(codesOf(url, '/relative')).toEqual(['url_invalid']);
    expect(codesOf(url, 'ftp://example.com')).toEqual(['url_invalid']);
  });

  it('accepts UUID versions 1 to 5 and refuses others, upper case when asked', () => {
    const id = uuid({ lowercase: true, vendorCode: 1111 });
    expect(codesOf(id, '1b4e28ba-2fa1-41d2-883f-0016d3cca427')).toEqual([]);
    expect(codesOf(id, 'bf325375-e030-fccb-a009-17317c574773')).toEqual(['uuid_invalid']);
    expect(codesOf(id, '1B4E28BA-2FA1-41D2-883F-0016D3CCA427')).toEqual(['uuid_invalid']);
    expect(codesOf(uuid(), '1B4E28BA-2FA1-41D2-883F-0016D3CCA427')).toEqual([]);
  });
});

describe('maxRecipients, messageText and placeholders', () => {
  it('refuses empty and oversized recipient lists', () => {
    const to = maxRecipients({ max: 3, vendorCode: { recipients_too_many: 1103, recipients_empty: 1104 } });
    expect(codesOf(to, ['a', 'b', 'c'])).toEqual([]);
    expect(collectIssues(['a', 'b', 'c', 'd'], to)).toMatchObject([{ code: 'recipients_too_many', vendorCode: 1103 }]);
    expect(codesOf(to, [])).toEqual(['recipients_empty']);
  });

  it('counts characters as code points and parts as countSegments does', () => {
    expect(codesOf(messageText({ maxLength: 2 }), '😀😀')).toEqual([]);
    expect(codesOf(messageText({ maxLength: 2 }), '😀😀😀')).toEqual(['text_too_long']);
    expect(codesOf(messageText({ maxParts: 1 }), 'a'.repeat(161))).toEqual(['text_too_many_parts']);
    expect(codesOf(messageText(), '')).toEqual(['text_empty']);
  });

  it('checks SMS.CX random placeholders for a length from 1 to 20', () => {
    const text = messageText({ placeholders: { vendorCode: { placeholder_invalid: 1136, placeholder_length: 1137 } } });
    expect(codesOf(text, 'Code {{numbers}} {{letters:20}} {{alphanumeric:1}}')).toEqual([]);
    expect(collectIssues('{{numbers:0}} {{letters:21}} {{alphanumeric:x}}', text)).toMatchObject([
      { code: 'placeholder_length', vendorCode: 1137 },
      { code: 'placeholder_length', vendorCode: 1137 },
      { code: 'placeholder_invalid', vendorCode: 1136 },
    ]);
    expect(codesOf(placeholders(), '{{numbers:99}}')).toEqual(['placeholder_length']);
  });
});

describe('assertValid', () => {
  const rules = requestRules({ from: senderId({ alpha: [3, 11], numeric: [3, 15] }), to: maxRecipients({ max: 2 }), dlrCallbackUrl: optional(callbackUrl()) });

  it('returns a valid request unchanged, unknown fields included', () => {
    const request = { from: 'MsgKit', to: ['+4915128403420'], extra: true };
    expect(assertValid(request, rules)).toBe(request);
  });

  it('throws one ValidationError with the issues of every check', () => {
    const request = { from: 'x', to: ['a', 'b', 'c'], dlrCallbackUrl: 'nope' };
    const phoneCheck = () => recipientIssues([{ index: 1, code: 'too_short' }], ['to'], 1104);
    let error: unknown;
    try {
      assertValid(request, rules, phoneCheck);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map(({ path, code }) => [path.join('.'), code])).toEqual([
      ['from', 'sender_alpha_length'],
      ['to', 'recipients_too_many'],
      ['dlrCallbackUrl', 'url_invalid'],
      ['to.1', 'phone_too_short'],
    ]);
    expect((error as ValidationError).issues[3]).toMatchObject({ vendorCode: 1104, message: 'is too short to be a phone number' });
  });

  it('names a recipient issue by its phone code, and a code that names no issue as phone_invalid', () => {
    const issues = recipientIssues([{ index: 0, code: 'too_long' }, { index: 1, code: 'bogus' }, { index: 2, code: 'ambiguous' }], ['to']);
    expect(issues.map((i) => i.code)).toEqual(['phone_too_long', 'phone_invalid', 'phone_ambiguous']);
  });

  it('names recipient issues without checking its arguments (recipientIssuesUnchecked) as recipientIssues does', () => {
    const lists = [[], [{ index: 0, code: 'too_long' }, { index: 4, code: 'bogus' }, { index: 2, code: 'ambiguous' }], [{ index: 7, code: 'invalid_country' }]];
    for (const invalid of lists) {
      for (const [path, vendorCode] of [[['to'], undefined], [['destinations'], 1104], [['a', 0, 'b'], 'REJECTED']] as const) {
        expect(recipientIssuesUnchecked(invalid, path, vendorCode)).toEqual(recipientIssues(invalid, path, vendorCode));
      }
      expect(recipientIssuesUnchecked(invalid)).toEqual(recipientIssues(invalid));
    }
  });

  it('reports a missing required field and a non-object request with codes from the map', () => {
    expect(collectIssues({ to: ['a'] }, rules)).toMatchObject([{ path: ['from'], code: 'required', message: 'is required' }]);
    expect(collectIssues(5, rules)).toMatchObject([{ path: [], code: 'invalid_type' }]);
  });
});

describe('scheduleDate and isCalendarDateTime', () => {
  const future = scheduleDate({ now: () => Date.UTC(2025, 0, 1) });

  it('refuses a day the month does not have, which Date.parse would roll over to March', () => {
    for (const text of ['2030-02-30T10:00:00+01:00', '2030-02-31 10:00:00', '2030-04-31T10:00:00Z', '2030-13-01 10:00:00', '2030-01-01T24:00:00Z', '2030-01-01 10:60:00']) {
      expect(codesOf(future, text), text).toEqual(['date_invalid']);
      expect(isCalendarDateTime(text), text).toBe(false);
    }
  });

  it('lets a past date through only with allowPast, still refusing one that is not a date', () => {
    const lenient = scheduleDate({ allowPast: true, now: () => Date.UTC(2025, 0, 1) });
    expect(codesOf(future, '2021-10-28T13:10:00.000Z')).toEqual(['date_in_past']);
    expect(codesOf(lenient, '2021-10-28T13:10:00.000Z')).toEqual([]);
    expect(codesOf(lenient, '2021-02-30T13:10:00.000Z')).toEqual(['date_invalid']);
  });

  it('accepts real dates, 29 February of a leap year included', () => {
    for (const text of ['2028-02-29T10:00:00+01:00', '2030-02-28 23:59:59', '2030-12-31T00:00:00.000Z']) {
      expect(codesOf(future, text), text).toEqual([]);
      expect(isCalendarDateTime(text), text).toBe(true);
    }
    expect(isCalendarDateTime('2029-02-29')).toBe(false);
    expect(isCalendarDateTime('Sun Sep 03 2030 15:34:23 GMT+0100 (BST)')).toBe(true);
  });
});

describe('unknownFieldIssues', () => {
  it('names every field the model dropped, deeply, with the known spelling when only the case differs', () => {
    const given = { sms: { text: 'Hi', txet: 'x' }, whatsapp: {}, list: [{ a: 1, b: 2 }], free: undefined };
    const kept = { sms: { text: 'Hi' }, whatsApp: undefined, list: [{ a: 1 }] };
    expect(unknownFieldIssues(given, kept)).toEqual([
      { path: ['sms', 'txet'], code: 'unknown_field', message: 'is not a field of this request: it would not be sent' },
      { path: ['whatsapp'], code: 'unknown_field', message: 'is not a field of this request: it would not be sent; the field is `whatsApp`' },
      { path: ['list', 0, 'b'], code: 'unknown_field', message: 'is not a field of this request: it would not be sent' },
    ]);
    expect(unknownFieldIssues({ facebook: {} }, {}, (path) => (path[0] === 'facebook' ? 'a legacy channel' : undefined))[0]!.message).toBe('is not a field of this request: a legacy channel');
  });
});
