// Every public entry point of core, called from plain JavaScript with values no TypeScript caller
// would pass: null-prototype objects, proxies and getters that throw, frozen values, huge and sparse
// arrays, symbols, BigInts. Each call must answer correctly or throw a ValidationError: never a
// TypeError from `String(x)`, never the getter's own exception escaping from deep inside.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as root from './index';
import * as internal from './internal';
import type { RequestCheck } from './internal';
import { ValidationError } from './errors';

// What the provider packages reach too: the root's names and internal's.
const core = { ...root, ...internal };

const nullProto = (fields: object = {}) => Object.assign(Object.create(null) as object, fields);
const boom = () => {
  throw new Error('read failed');
};
const throwingProxy = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
const throwingArrayProxy = new Proxy(['+4915128403420'], { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
const throwingGetter = Object.defineProperty({}, 'text', { get: boom, enumerable: true });
const throwingIndex = Object.defineProperty(['a', 'b'], 1, { get: boom, enumerable: true });
const sparse = [, 'a', , 'b']; // eslint-disable-line no-sparse-arrays
const hugeSparse = new Array(2 ** 32 - 1);
hugeSparse[5] = 'x';

/** Hand-picked odd values: the ones fast-check does not generate. */
const ODD: Array<[string, unknown]> = [
  ['a null-prototype object', nullProto()],
  ['a null-prototype object with fields', nullProto({ channel: nullProto(), min: nullProto(), alpha: [nullProto(), 3] })],
  ['a proxy that throws', throwingProxy],
  ['an array proxy that throws', throwingArrayProxy],
  ['an object whose getter throws', throwingGetter],
  ['an array whose element getter throws', throwingIndex],
  ['a frozen object', Object.freeze({ text: 'hi', channel: 'sms' })],
  ['a frozen array', Object.freeze(['+4915128403420', 'b'])],
  ['a sparse array', sparse],
  ['an array of length 2^32-1', hugeSparse],
  ['a symbol', Symbol('odd')],
  ['a BigInt', 10n],
  ['a function', () => 1],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['an invalid Date', new Date(Number.NaN)],
  ['a boxed string', new String('hi')],
  ['null', null],
  ['a list of null-prototype objects', [nullProto(), nullProto({ channel: 'sms' })]],
];

/**
 * The odd values fast-check can carry: it reads a value's properties itself (and prints a failing
 * one), so not the throwing ones nor the 2^32-1 array; those are tried one by one.
 */
const THROWING = new Set<unknown>([throwingProxy, throwingArrayProxy, throwingGetter, throwingIndex, hugeSparse]);

/** Arbitrary values of every kind, null-prototype objects, sparse arrays and boxed values included. */
const anything = fc.oneof(
  fc.constantFrom(...ODD.map(([, value]) => value).filter((value) => !THROWING.has(value))),
  fc.anything({ withNullPrototype: true, withBigInt: true, withBoxedValues: true, withDate: true, withSparseArray: true, withMap: true, withSet: true, withTypedArray: true }),
);

/** Runs `call`; a thrown error must be a ValidationError (a rejected promise too). */
async function answersOrValidationError(call: () => unknown): Promise<void> {
  let result: unknown;
  try {
    result = call();
    if (result instanceof Promise) result = await result;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw new Error(`threw ${Object.prototype.toString.call(error)}: ${(error as Error)?.message}`, { cause: error });
    // The error itself must be printable: its message and issues are what the caller reads.
    expect(typeof String(error)).toBe('string');
    expect(JSON.stringify(error.issues)).toBeTypeOf('string');
  }
}

const RUNS = { numRuns: 60 };

const factories: Array<[string, (options: never) => unknown, object]> = [
  ['senderId', core.senderId, { alpha: [3, 11], numeric: [3, 15] }],
  ['validity', core.validity, { unit: 'seconds', min: 300, max: 1_209_600 }],
  ['validityWithUnit', core.validityWithUnit, { valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', minSeconds: 30, maxSeconds: 172_800 }],
  ['channelStrategy', core.channelStrategy, { channels: ['viber', 'sms'], minChannels: 2, lastChannel: 'sms', requiredFields: { sms: ['text'] } }],
  ['scheduleDate', core.scheduleDate, { maxAheadDays: 180 }],
  ['callbackUrl', core.callbackUrl, {}],
  ['uuid', core.uuid, { lowercase: true }],
  ['maxRecipients', core.maxRecipients, { max: 500 }],
  ['messageText', core.messageText, { maxLength: 1224, maxParts: 10, placeholders: true }],
  ['placeholders', core.placeholders, {}],
];

describe('the rule factories', () => {
  it.each(factories)('%s takes odd options as a ValidationError at construction, never a TypeError', async (_name, factory) => {
    for (const [, value] of ODD) await answersOrValidationError(() => factory(value as never));
    await fc.assert(fc.asyncProperty(anything, (value) => answersOrValidationError(() => factory(value as never))), RUNS);
  });

  it.each(factories)('%s reports any odd value as issues: collectIssues answers, assertValid throws a ValidationError', async (_name, factory, options) => {
    const schema = factory(options as never) as RequestCheck;
    const check = (value: unknown) => {
      const issues = core.collectIssues(value, schema);
      expect(Array.isArray(issues)).toBe(true);
      for (const issue of issues) expect(typeof issue.message).toBe('string');
      return answersOrValidationError(() => core.assertValid(value, schema));
    };
    for (const [, value] of ODD) await check(value);
    await fc.assert(fc.asyncProperty(anything, check), RUNS);
  });

  it('requestRules and optional read odd request objects as issues', async () => {
    const schema = core.requestRules({ text: core.optional(core.messageText({ maxLength: 10 })), to: core.maxRecipients({ max: 2 }) });
    const check = (value: unknown) => answersOrValidationError(() => core.assertValid(value, schema));
    for (const [, value] of ODD) await check(value);
    await fc.assert(fc.asyncProperty(anything, check), RUNS);
  });

  it('reports a getter or a proxy that throws as an issue naming it, not as its own exception', () => {
    expect(core.collectIssues(throwingGetter, core.requestRules({ text: core.messageText() }))).toEqual([expect.objectContaining({ code: 'unreadable' })]);
    expect(core.collectIssues(throwingProxy, core.requestRules({ text: core.messageText() }))).toEqual([expect.objectContaining({ code: 'unreadable' })]);
  });

  it('renders a null-prototype value inside an issue message instead of throwing', () => {
    const strategy = core.channelStrategy({ channels: ['viber', 'sms'] });
    expect(core.collectIssues([{ channel: nullProto() }], strategy)).toEqual([
      expect.objectContaining({ path: [0, 'channel'], code: 'strategy_unknown_channel', message: expect.stringContaining('is not a channel') }),
    ]);
    const unit = core.validityWithUnit({ valueKey: 'v', unitKey: 'u', defaultUnit: 'minutes', minSeconds: 1, maxSeconds: 10 });
    expect(core.collectIssues({ v: 1, u: nullProto() }, unit)).toEqual([expect.objectContaining({ path: ['u'], code: 'validity_unit' })]);
  });
});

describe('collectIssues, assertValid, recipientIssues, messageFor', () => {
  it('takes an odd check, path, list or parameter as a ValidationError or an answer', async () => {
    const calls: Array<(value: unknown) => unknown> = [
      (value) => core.collectIssues({}, value as RequestCheck),
      (value) => core.assertValid({}, value as RequestCheck),
      (value) => core.recipientIssues(value as never),
      (value) => core.recipientIssues([{ index: 0, code: 'invalid' }], value as never, value as never),
      (value) => core.messageFor('strategy_unknown_channel', { channel: value, allowed: value }),
      (value) => core.messageFor(value as never),
    ];
    for (const call of calls) {
      for (const [, value] of ODD) await answersOrValidationError(() => call(value));
      await fc.assert(fc.asyncProperty(anything, (value) => answersOrValidationError(() => call(value))), RUNS);
    }
  });

  it('renders every issue message with null-prototype, symbol and BigInt parameters', () => {
    const params = { min: nullProto(), max: Symbol('m'), length: 1n, channel: nullProto(), allowed: [nullProto(), Symbol('s')], unit: nullProto(), chars: [Symbol('c')], expected: nullProto(), placeholder: nullProto() };
    for (const code of core.ISSUE_CODES) expect(typeof core.messageFor(code, params)).toBe('string');
  });
});

describe('chunk', () => {
  it('takes odd items or sizes as a ValidationError or the right chunks', async () => {
    for (const [, value] of ODD) {
      await answersOrValidationError(() => core.chunk(value as never, 2));
      await answersOrValidationError(() => core.chunk([1, 2, 3], value as never));
    }
    await fc.assert(fc.asyncProperty(anything, anything, (items, size) => answersOrValidationError(() => core.chunk(items as never, size as never))), RUNS);
  });

  it('names the argument it refuses', () => {
    expect(() => core.chunk([1], Object.create(null))).toThrow(ValidationError);
    expect(() => core.chunk(nullProto() as never, 2)).toThrow(ValidationError);
    try {
      core.chunk([1], 0);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: ['size'] })]);
    }
  });

  it('keeps the holes of a sparse array as undefined items, in order', () => {
    expect(core.chunk(sparse, 3)).toEqual([[undefined, 'a', undefined], ['b']]);
  });

  it('chunks a frozen array without touching it', () => {
    expect(core.chunk(Object.freeze([1, 2, 3]), 2)).toEqual([[1, 2], [3]]);
  });

  it('refuses an array too long to copy instead of running out of memory', () => {
    expect(() => core.chunk(hugeSparse, 1000)).toThrow(ValidationError);
  });
});

describe('the other public entry points', () => {
  it('countSegments, splitSegments, normalizePhone, normalizeRecipients, batchDedupeKey take odd values as a ValidationError or an answer', async () => {
    const calls: Array<(value: unknown) => unknown> = [
      (value) => core.countSegments(value as never),
      (value) => core.splitSegments(value as never),
      (value) => core.normalizePhone(value as never),
      (value) => core.normalizePhone('015128403420', value as never),
      (value) => core.normalizeRecipients(value as never),
      (value) => core.normalizeRecipients(['015128403420'], value as never),
      (value) => core.batchDedupeKey(value as never, 0),
      (value) => core.batchDedupeKey('campaign', value as never),
    ];
    for (const call of calls) {
      for (const [, value] of ODD) await answersOrValidationError(() => call(value));
      await fc.assert(fc.asyncProperty(anything, (value) => answersOrValidationError(() => call(value))), RUNS);
    }
  });

  it('sendInBatches refuses odd options with a ValidationError before sending anything', async () => {
    for (const [, value] of ODD) {
      for (const options of [{ size: value }, { size: 1, concurrency: value }]) {
        let sent = 0;
        const run = core.sendInBatches([1, 2], { ...options, send: async () => ++sent } as never);
        const refused = await run.then(() => false, (error: unknown) => {
          expect(error).toBeInstanceOf(ValidationError);
          return true;
        });
        if (refused) expect(sent).toBe(0);
      }
    }
    await expect(core.sendInBatches([1], { size: Object.create(null), send: async () => 1 })).rejects.toThrow(ValidationError);
  });

  it('requestObject and wireValue report what cannot be read instead of throwing it', async () => {
    for (const [, value] of ODD) {
      await answersOrValidationError(() => core.requestObject(value));
      await answersOrValidationError(() => core.requestObject({ nested: value }));
    }
    expect(core.wireValue({ a: throwingGetter }).issues).toEqual([expect.objectContaining({ path: ['a'], code: 'unreadable' })]);
  });
});
