// The rules run without zod's parse where zod would only have called them (a rule on a value, a
// requestRules check of a plain request): these tests hold that path to what zod itself reports.
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { ValidationIssue } from '../errors';
import { callbackUrl, callbackUrlParts, callbackUrlPartsUnchecked, uuid } from './identifiers';
import { maxRecipients } from './recipients';
import { optional, plainOptional, plainRule, rule, type PlainRule, type RuleParts } from './rule';
import { scheduleDate, scheduleDateParts, scheduleDatePartsUnchecked } from './schedule';
import { senderId, senderIdParts, senderIdPartsUnchecked } from './sender';
import { channelStrategy, channelStrategyParts, channelStrategyPartsUnchecked } from './strategy';
import { messageText, messageTextParts, messageTextPartsUnchecked } from './text';
import { collectIssues, collectPlainIssues, collectPlainRequestIssues, collectRequestIssues, plainRequestRules, requestRules } from './validate';
import { validity, validityWithUnit, validityWithUnitParts, validityWithUnitPartsUnchecked } from './validity';
// The tests' one seeded PRNG (mulberry32), by path: core's tests depend on no private package.
import { seeded } from '../../../../tools/test-server/seeded.mjs';

/** The same checks through zod: a clone (`.check()` with nothing added) is not a schema rule() built. */
const throughZod = (schema: z.ZodMiniType): z.ZodMiniType => schema.check();

const now = () => Date.UTC(2030, 0, 1);
const fields = {
  from: senderId({ alpha: [3, 11], numeric: [3, 15], vendorCode: { required: 1105, sender_empty: 1105, sender_alpha_length: 1106 } }),
  to: maxRecipients({ max: 3, vendorCode: { recipients_too_many: 1103, recipients_empty: 1104 } }),
  text: optional(messageText({ maxParts: 2, placeholders: { vendorCode: { placeholder_invalid: 1136, placeholder_length: 1137 } }, vendorCode: 1107 })),
  scheduledDate: optional(scheduleDate({ now, vendorCode: { date_invalid: 1108, date_in_past: 1116 } })),
  dlrCallbackUrl: optional(callbackUrl({ vendorCode: 1109 })),
  idempotencyId: optional(uuid({ lowercase: true, vendorCode: 1111 })),
  ttl: optional(validity({ unit: 'seconds', min: 300, max: 1_209_600, vendorCode: { validity_too_short: 1125 } })),
  sms: optional(validityWithUnit({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', units: ['minutes', 'hours'], minSeconds: 30, maxSeconds: 48 * 3600 })),
  strategy: optional(channelStrategy({ channels: ['viber', 'sms'], lastChannel: 'sms', requiredFields: { viber: [{ field: 'templateId', vendorCode: 1126 }] }, vendorCode: 1120 })),
};
const rules = requestRules(fields);
const zodRules = z.looseObject(Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, throughZod(schema)])));

// Right, wrong and odd values for every field, taken in turn by a seeded generator.
const throwing = Object.defineProperty({}, 'channel', { enumerable: true, get: () => { throw new Error('no channel today'); } });
const VALUES: unknown[] = [
  undefined, null, '', ' ', 'MsgKit', 'MsgKitSenderName', '12', '447700900123', 'Msg Kit!', 42, 0, -1, 1.5, Number.NaN, true, [], {},
  ['+447700900123'], ['a', 'b', 'c', 'd'], 'x'.repeat(400), 'Code {{numbers:6}}', '{{letters:21}} {{numbers:x}}', '2030-02-30 10:00:00',
  '2031-05-01 10:00:00', '2029-05-01T10:00:00Z', new Date(Date.UTC(2031, 0, 1)), 'http://example.com/dlr', 'ftp://example.com', 'nope',
  'bf325375-e030-4ccb-a009-17317c574773', 'BF325375-E030-4CCB-A009-17317C574773', 299, 300, 1_209_601, { validityPeriod: 2_881 },
  { validityPeriod: 3, validityPeriodTimeUnit: 'DAYS' }, [{ channel: 'viber' }, { channel: 'sms', text: 'x' }], [{ channel: 'fax' }],
  [throwing], 'sms', Symbol('odd'), 10n,
];

function requests(count: number): Record<string, unknown>[] {
  const random = seeded(18);
  const names = [...Object.keys(fields), 'extra'];
  return Array.from({ length: count }, () => {
    const request: Record<string, unknown> = {};
    for (const name of names) {
      const roll = random();
      // A field is absent a third of the time, so that absence and `undefined` both come up.
      if (roll < 1 / 3) continue;
      request[name] = VALUES[Math.floor(random() * VALUES.length)];
    }
    return request;
  });
}

describe('collectRequestIssues', () => {
  it('reports what zod reports for a requestRules check, issue for issue and in the same order, on 3 000 plain requests', () => {
    let withIssues = 0;
    for (const [index, request] of requests(3_000).entries()) {
      const expected = collectIssues(request, zodRules);
      expect(collectRequestIssues(request, rules), `request ${index}`).toEqual(expected);
      if (expected.length > 0) withIssues++;
    }
    // The requests must exercise the rules, not pass them all.
    expect(withIssues).toBeGreaterThan(2_500);
  });

  it('keeps the function checks and their order around a requestRules check', () => {
    const before = (): ValidationIssue[] => [{ path: ['first'], code: 'invalid', message: 'first' }];
    const after = (): ValidationIssue[] => [{ path: ['last'], code: 'invalid', message: 'last' }];
    const request = { from: 'x', to: [] };
    expect(collectRequestIssues(request, before, rules, after)).toEqual(collectIssues(request, before, zodRules, after));
    expect(collectRequestIssues(request, before, rules, after).map((issue) => issue.path.join('.'))).toEqual(['first', 'from', 'to', 'last']);
  });

  it('leaves a requestRules check with a field that is not a rule to zod, whose issues it then reports', () => {
    const mixed = requestRules({ from: fields.from, count: z.number() });
    expect(collectRequestIssues({ from: 'x', count: 'three' }, mixed)).toEqual([
      { path: ['from'], code: 'sender_alpha_length', message: expect.any(String) as string, vendorCode: 1106 },
      { path: ['count'], code: 'invalid_type', message: expect.any(String) as string },
    ]);
  });

  it('reports a request that is not an object as zod does', () => {
    for (const value of [undefined, null, 5, 'text', ['from']]) {
      expect(collectRequestIssues(value as never, rules)).toEqual(collectIssues(value, zodRules));
    }
  });
});

describe('collectIssues on a rule', () => {
  it('reports what zod reports for every rule factory on every value', () => {
    const each = Object.values(fields);
    for (const schema of [...each, optional(fields.from), optional(fields.to)]) {
      for (const value of VALUES) expect(collectIssues(value, schema)).toEqual(collectIssues(value, throughZod(schema)));
    }
  });

  it('reports what a hand-made rule reports, paths and vendor codes included', () => {
    const odd = rule({ vendorCode: { invalid: 7 } }, (value, report) => {
      report('invalid', {}, ['deep', 0]);
      report('invalid_type', { expected: 'a thing' }, [], 9);
      if (value === 'throw') throw new Error('broken rule');
    });
    for (const value of ['x', 'throw', null]) expect(collectIssues(value, odd)).toEqual(collectIssues(value, throughZod(odd)));
    expect(collectIssues('x', odd)).toEqual([
      { path: ['deep', 0], code: 'invalid', message: expect.any(String) as string, vendorCode: 7 },
      { path: [], code: 'invalid_type', message: 'must be a thing', vendorCode: 9 },
    ]);
  });
});

// The provider packages check requests with plain rules (no zod schema built, so an app that
// imports one does not carry zod): they must report what the zod schemas report.
const PARTS: Record<string, { parts: RuleParts; optional: boolean }> = {
  from: { parts: senderIdParts({ alpha: [3, 11], numeric: [3, 15], vendorCode: { required: 1105, sender_empty: 1105, sender_alpha_length: 1106 } }), optional: false },
  text: { parts: messageTextParts({ maxParts: 2, placeholders: { vendorCode: { placeholder_invalid: 1136, placeholder_length: 1137 } }, vendorCode: 1107 }), optional: true },
  scheduledDate: { parts: scheduleDateParts({ now, vendorCode: { date_invalid: 1108, date_in_past: 1116 } }), optional: true },
  dlrCallbackUrl: { parts: callbackUrlParts({ vendorCode: 1109 }), optional: true },
  sms: { parts: validityWithUnitParts({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', units: ['minutes', 'hours'], minSeconds: 30, maxSeconds: 48 * 3600 }), optional: true },
  strategy: { parts: channelStrategyParts({ channels: ['viber', 'sms'], lastChannel: 'sms', requiredFields: { viber: [{ field: 'templateId', vendorCode: 1126 }] }, vendorCode: 1120 }), optional: true },
};
const plainFields: Record<string, PlainRule> = {};
const schemaFields: Record<string, z.ZodMiniType> = {};
for (const [name, { parts, optional: isOptional }] of Object.entries(PARTS)) {
  plainFields[name] = isOptional ? plainOptional(plainRule(...parts)) : plainRule(...parts);
  schemaFields[name] = throughZod(isOptional ? optional(rule(...parts)) : rule(...parts));
}
const plainRules = plainRequestRules(plainFields);
const schemaRules = z.looseObject(schemaFields);

describe('plain rules', () => {
  it('report what the zod schema of the same factory reports on every value, optional or not', () => {
    for (const { parts } of Object.values(PARTS)) {
      for (const value of VALUES) {
        expect(collectIssues(value, plainRule(...parts))).toEqual(collectIssues(value, throughZod(rule(...parts))));
        expect(collectIssues(value, plainOptional(plainRule(...parts)))).toEqual(collectIssues(value, throughZod(optional(rule(...parts)))));
      }
    }
  });

  it('refuse bad factory options as the factories do', () => {
    const thrown = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return error;
      }
      throw new Error('nothing thrown');
    };
    expect(thrown(() => senderIdParts({ alpha: [3, 11] } as never))).toEqual(thrown(() => senderId({ alpha: [3, 11] } as never)));
    expect(thrown(() => messageTextParts({ maxParts: 'two' } as never))).toEqual(thrown(() => messageText({ maxParts: 'two' } as never)));
  });

  it('without the check of their options (the providers\' …PartsUnchecked), report what the checked parts report on every value', () => {
    const strategy = { channels: ['viber', 'sms'], lastChannel: 'sms', requiredFields: { viber: [{ field: 'templateId', vendorCode: 1126 }] }, vendorCode: 1120 };
    const validityOptions = { valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', units: ['minutes', 'hours'], minSeconds: 30, maxSeconds: 48 * 3600, exclusiveMin: true } as const;
    const pairs: Array<[RuleParts, RuleParts]> = [
      [senderIdParts({ alpha: [3, 11], numeric: [3, 15], allowedChar: /[A-Za-z0-9 ]/, vendorCode: { sender_empty: 1105, sender_chars: 1106 } }), senderIdPartsUnchecked({ alpha: [3, 11], numeric: [3, 15], allowedChar: /[A-Za-z0-9 ]/, vendorCode: { sender_empty: 1105, sender_chars: 1106 } })],
      [messageTextParts(), messageTextPartsUnchecked()],
      [messageTextParts({ maxParts: 2, placeholders: { vendorCode: { placeholder_invalid: 1136 } }, vendorCode: 1107 }), messageTextPartsUnchecked({ maxParts: 2, placeholders: { vendorCode: { placeholder_invalid: 1136 } }, vendorCode: 1107 })],
      [scheduleDateParts(), scheduleDatePartsUnchecked()],
      [scheduleDateParts({ now, maxAheadDays: 180, allowPast: true, vendorCode: 'BAD_REQUEST' }), scheduleDatePartsUnchecked({ now, maxAheadDays: 180, allowPast: true, vendorCode: 'BAD_REQUEST' })],
      [callbackUrlParts(), callbackUrlPartsUnchecked()],
      [callbackUrlParts({ protocols: ['https'], vendorCode: 1109 }), callbackUrlPartsUnchecked({ protocols: ['https'], vendorCode: 1109 })],
      [validityWithUnitParts(validityOptions), validityWithUnitPartsUnchecked(validityOptions)],
      [channelStrategyParts(strategy), channelStrategyPartsUnchecked(strategy)],
    ];
    for (const [checked, unchecked] of pairs) {
      for (const value of VALUES) expect(collectIssues(value, plainRule(...unchecked))).toEqual(collectIssues(value, plainRule(...checked)));
    }
  });

  it('as plainRequestRules, report what zod reports for the same requestRules, issue for issue, on 3 000 requests', () => {
    let withIssues = 0;
    for (const [index, request] of requests(3_000).entries()) {
      const expected = collectIssues(request, schemaRules);
      expect(collectRequestIssues(request, plainRules), `request ${index}`).toEqual(expected);
      expect(collectIssues(request, plainRules), `request ${index}`).toEqual(expected);
      if (expected.length > 0) withIssues++;
    }
    expect(withIssues).toBeGreaterThan(2_000);
  });

  it('through collectPlainIssues and collectPlainRequestIssues (no zod), report what collectIssues and collectRequestIssues report, function checks and throwing ones included', () => {
    const longText = (request: { text?: unknown }) => (typeof request?.text === 'string' && request.text.length > 5 ? [{ path: ['text'], code: 'too_long', message: 'long', vendorCode: 7 }] : []);
    const throwing = () => {
      throw new Error('boom');
    };
    for (const request of requests(1_000)) {
      expect(collectPlainIssues(request, plainRules, longText, throwing)).toEqual(collectIssues(request, plainRules, longText, throwing));
      expect(collectPlainRequestIssues(request as object, plainRules, longText)).toEqual(collectRequestIssues(request as object, plainRules, longText));
    }
  });

  it('through collectPlainIssues, refuse a zod schema like any other check that is not plain, naming its place', () => {
    let error: unknown;
    try {
      collectPlainIssues({}, plainRules, schemaRules as never, 5 as never);
    } catch (caught) {
      error = caught;
    }
    expect((error as { issues?: Array<{ path: unknown[] }> }).issues?.map((i) => i.path)).toEqual([['checks', 1], ['checks', 2]]);
  });

  it('as plainRequestRules, report a request that is not an object as zod does', () => {
    for (const value of [undefined, null, 5, 'text', ['from'], true, Symbol('odd')]) {
      expect(collectRequestIssues(value as never, plainRules)).toEqual(collectIssues(value, schemaRules));
      expect(collectIssues(value, plainRules)).toEqual(collectIssues(value, schemaRules));
    }
  });

  it('as plainRequestRules, report a request whose known or unknown field throws when read as zod does', () => {
    const throwsAt = (key: string) => Object.defineProperty({ from: 'MsgKit' }, key, { enumerable: true, get: () => { throw new Error(`no ${key} today`); } });
    const proxy = new Proxy({ from: 'MsgKit', other: 1 }, { get: (target, key) => { if (key === 'other') throw new Error('trap'); return Reflect.get(target, key); } });
    const inherited = Object.create(Object.defineProperty({}, 'parent', { enumerable: true, get: () => { throw new Error('inherited'); } })) as object;
    for (const request of [throwsAt('text'), throwsAt('extra'), proxy, inherited]) {
      const expected = collectIssues(request, schemaRules);
      expect(collectIssues(request, plainRules)).toEqual(expected);
    }
    // The unknown field's getter is read (as zod reads it) and makes the check unreadable.
    expect(collectIssues(throwsAt('extra'), plainRules)).toEqual([{ path: [], code: 'unreadable', message: expect.stringContaining('no extra today') as string }]);
  });

  it('are refused as a requestRules field when not plain, and accepted by collectIssues beside zod schemas and functions', () => {
    expect(() => plainRequestRules({ from: fields.from as never })).toThrow(/not a plain rule/);
    expect(collectIssues({ from: '' }, plainRules, schemaRules)).toEqual([...collectIssues({ from: '' }, schemaRules), ...collectIssues({ from: '' }, schemaRules)]);
    expect(() => collectIssues({}, {} as never)).toThrow();
  });
});
