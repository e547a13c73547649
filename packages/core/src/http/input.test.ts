import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { credentialIssues, pathId, policyOptions, requestObject } from './input';

function validationOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('policyOptions', () => {
  it.each([
    ['maxRetries', Number.NaN],
    ['maxRetries', Number.POSITIVE_INFINITY],
    ['maxRetries', -1],
    ['maxRetries', 1.5],
    ['maxRetries', 11],
    ['maxRetries', '2'],
    ['timeoutMs', 2 ** 31],
    ['timeoutMs', 0],
    ['timeoutMs', -100],
    ['timeoutMs', Number.NaN],
  ])('refuses %s = %s', (name, value) => {
    expect(validationOf(() => policyOptions({ [name]: value })).issues).toEqual([expect.objectContaining({ path: [name] })]);
  });

  it('keeps valid values and leaves absent ones out', () => {
    expect(policyOptions({ maxRetries: 0, timeoutMs: 2 ** 31 - 1 })).toEqual({ maxRetries: 0, timeoutMs: 2 ** 31 - 1 });
    expect(policyOptions({})).toEqual({});
  });
});

describe('requestObject', () => {
  it('refuses null, a string and an array as a request', () => {
    for (const value of [null, 'x', [1]]) expect(validationOf(() => requestObject(value)).issues[0]!.path).toEqual([]);
  });

  it('accepts undefined only when optional', () => {
    expect(requestObject(undefined, { optional: true })).toBeUndefined();
    validationOf(() => requestObject(undefined));
  });

  it('lists every BigInt, non-finite number, function and cycle with its path', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = validationOf(() => requestObject({ ttl: 10n, list: [1, Number.NaN], fn: () => 1, nested: cyclic }));
    expect(error.issues.map((i) => i.path)).toEqual([['ttl'], ['list', 1], ['fn'], ['nested', 'self']]);
  });

  it('reports an item that cannot be read at the item, and the fields after it at their own paths', () => {
    const unreadableItem = new Proxy([1, 2], {
      get: (target, key, receiver) => {
        if (key === '1') throw new Error('no second item');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const error = validationOf(() => requestObject({ a: { deep: [{ x: 1n }] }, list: unreadableItem, inner: { bad: 1n }, last: 2n }, { name: 'body' }));
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([
      [['body', 'a', 'deep', 0, 'x'], 'invalid_type'],
      [['body', 'list'], 'unreadable'],
      [['body', 'inner', 'bad'], 'invalid_type'],
      [['body', 'last'], 'invalid_type'],
    ]);
  });

  it('turns null-prototype objects into ordinary ones, keeping Dates and values', () => {
    const when = new Date(0);
    const input = Object.assign(Object.create(null) as object, { to: [Object.assign(Object.create(null) as object, { n: '1' })], when });
    const out = requestObject(input) as { to: object[]; when: Date };
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.to[0])).toBe(Object.prototype);
    expect(String(out.to[0])).toBe('[object Object]');
    expect(out.when).toBe(when);
  });
});

describe('pathId', () => {
  it.each(['.', '..', ' .. ', 'a/b', '%2e%2e', 'a\\b', 'a?b', 'a#b', 'a\nb'])('refuses %j, which would address another path', (id) => {
    expect(validationOf(() => pathId(id, 'messageId')).issues[0]).toMatchObject({ path: ['messageId'], code: 'invalid' });
  });

  it.each([['', 'required'], ['  ', 'required'], [undefined, 'required'], [5, 'invalid_type'], [{}, 'invalid_type']])('refuses %j', (id, code) => {
    expect(validationOf(() => pathId(id, 'messageId')).issues[0]).toMatchObject({ code });
  });

  it('trims and keeps an ordinary id', () => {
    expect(pathId(' 5f3fbce6-1266e.x_y ', 'id')).toBe('5f3fbce6-1266e.x_y');
  });
});

describe('credentialIssues', () => {
  it.each(['key\r\nX-Injected: 1', 'key\nmore', 'key\u0000', 'a\tb'])('refuses a credential with a control character without echoing it: %j', (value) => {
    const issues = credentialIssues(value, 'apiKey', 'the API key');
    expect(issues).toEqual([expect.objectContaining({ path: ['apiKey'], code: 'invalid' })]);
    expect(JSON.stringify(issues)).not.toContain('key');
  });

  it('accepts a key with surrounding whitespace, which the client trims', () => {
    expect(credentialIssues('  key-123\n', 'apiKey', 'the API key')).toEqual([]);
  });
});
