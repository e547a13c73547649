import { describe, expect, it } from 'vitest';
import { checkShape, mergeIssues, shapePathKey, type ShapeNode, type SpecCodes } from './shape';

const request: ShapeNode = {
  type: 'object',
  required: ['to', 'from'],
  properties: {
    to: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', minLength: 1 } },
    from: { type: 'string', minLength: 3, maxLength: 11, pattern: /^[A-Za-z0-9]+$/u },
    ttl: { type: 'integer', format: 'int32', minimum: 300, maximum: 1_209_600 },
    share: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
    channel: { type: 'string', enum: ['sms', 'viber'] },
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string', format: 'uri' },
    email: { type: 'string', format: 'email' },
    big: { type: 'integer', format: 'int64' },
    flag: { type: 'boolean' },
    note: { type: 'string', nullable: true, maxLength: 2 },
    meta: { type: 'object', additionalProperties: { type: 'string', maxLength: 1 } },
  },
};
const valid = { to: ['+447400123456'], from: 'Shop' };
const issues = (value: unknown, codes?: SpecCodes) => checkShape(request, value, codes).map(({ path, code, vendorCode }) => (vendorCode === undefined ? { path, code } : { path, code, vendorCode }));

describe('checkShape', () => {
  it('passes a request that keeps every constraint, absent optional fields included', () => {
    expect(checkShape(request, valid)).toEqual([]);
    expect(checkShape(request, { ...valid, ttl: 300, share: 0.5, channel: 'sms', id: 'BF325375-E030-FCCB-A009-17317C574773', url: 'https://x.test/a', email: 'a@b.co', big: 2 ** 40, flag: false, note: null, meta: { a: 'b' } })).toEqual([]);
  });

  it('refuses each constraint keyword with its own code, at the field it concerns', () => {
    expect(issues({ to: [], from: 'ab' })).toEqual([
      { path: ['to'], code: 'too_few_items' },
      { path: ['from'], code: 'too_short' },
    ]);
    expect(issues({ to: ['a', 'b', 'c', ''], from: 'ThisIsTooLong', ttl: 299, channel: 'fax', share: 0 })).toEqual([
      { path: ['to'], code: 'too_many_items' },
      { path: ['to', 3], code: 'text_empty' },
      { path: ['from'], code: 'text_too_long' },
      { path: ['ttl'], code: 'too_small' },
      { path: ['share'], code: 'too_small' },
      { path: ['channel'], code: 'invalid' },
    ]);
    expect(issues({ ...valid, from: 'a b', ttl: 1_209_601, share: 1 })).toEqual([
      { path: ['from'], code: 'invalid' },
      { path: ['ttl'], code: 'too_big' },
      { path: ['share'], code: 'too_big' },
    ]);
  });

  it('checks the type first and the formats the specs use: int32, int64, uuid, uri, email', () => {
    expect(issues({ to: 'x', from: 3, ttl: 300.5, flag: 'yes', meta: [] })).toEqual([
      { path: ['to'], code: 'invalid_type' },
      { path: ['from'], code: 'invalid_type' },
      { path: ['ttl'], code: 'invalid_type' },
      { path: ['flag'], code: 'invalid_type' },
      { path: ['meta'], code: 'invalid_type' },
    ]);
    expect(issues({ ...valid, ttl: 2 ** 31, big: 2 ** 53, id: 'not-a-uuid', url: 'example.com/x', email: 'nobody' })).toEqual([
      { path: ['ttl'], code: 'invalid_type' },
      { path: ['id'], code: 'uuid_invalid' },
      { path: ['url'], code: 'url_invalid' },
      { path: ['email'], code: 'invalid' },
      { path: ['big'], code: 'invalid_type' },
    ]);
  });

  it('reports one issue per field, the first constraint it breaks, and says which limit in the message', () => {
    const [issue] = checkShape(request, { ...valid, from: '!!!!!!!!!!!!!!!!' });
    expect(issue).toEqual({ path: ['from'], code: 'text_too_long', message: 'must be at most 11 characters (got 16)' });
    expect(checkShape(request, { ...valid, channel: 'fax' })[0]?.message).toBe("must be one of 'sms', 'viber'");
  });

  it('counts lengths in code points, as JSON Schema does', () => {
    expect(checkShape(request, { ...valid, from: '😀😀😀' }).map((i) => i.code)).toEqual(['invalid']);
    expect(checkShape(request, { ...valid, note: '😀😀' })).toEqual([]);
    expect(checkShape(request, { ...valid, note: '😀😀😀' }).map((i) => i.code)).toEqual(['text_too_long']);
  });

  it('calls a missing or null required field required, and a null where the spec has no nullable a wrong type', () => {
    expect(issues({ to: null })).toEqual([
      { path: ['to'], code: 'required' },
      { path: ['from'], code: 'required' },
    ]);
    expect(issues({ ...valid, ttl: null })).toEqual([{ path: ['ttl'], code: 'invalid_type' }]);
    expect(issues(undefined)).toEqual([{ path: [], code: 'required' }]);
  });

  it('walks list items and additional properties, naming the index and the key', () => {
    expect(issues({ ...valid, to: ['x', ''], meta: { a: 'b', long: 'bb' } })).toEqual([
      { path: ['to', 1], code: 'text_empty' },
      { path: ['meta', 'long'], code: 'text_too_long' },
    ]);
  });

  it("gives each issue the vendor's code from SpecCodes: by field and keyword, for any keyword of a field, or by default", () => {
    const codes: SpecCodes = {
      vendorCode: 'BAD_REQUEST',
      fields: {
        to: { minItems: { code: 'recipients_empty', vendorCode: 1104 }, required: 1104 },
        'to[]': { any: 1207 },
        ttl: { minimum: { code: 'validity_too_short', vendorCode: 1125, params: { unit: 'seconds' } } },
      },
    };
    expect(checkShape(request, { to: [], from: 'ab', ttl: 5 }, codes)).toEqual([
      { path: ['to'], code: 'recipients_empty', message: 'must contain at least one recipient', vendorCode: 1104 },
      { path: ['from'], code: 'too_short', message: 'must be at least 3 characters (got 2)', vendorCode: 'BAD_REQUEST' },
      { path: ['ttl'], code: 'validity_too_short', message: 'must be at least 300 seconds', vendorCode: 1125 },
    ]);
    expect(issues({ from: 'Shop', to: [''] }, codes)).toEqual([{ path: ['to', 0], code: 'text_empty', vendorCode: 1207 }]);
    expect(shapePathKey(['strategy', 2, 'channel'])).toBe('strategy[].channel');
  });

  it('turns a getter that throws into an unreadable issue instead of an exception', () => {
    const hostile = { ...valid, get ttl(): number {
      throw new Error('no');
    } };
    expect(issues(hostile)).toEqual([{ path: ['ttl'], code: 'unreadable' }]);
  });
});

describe('mergeIssues', () => {
  const at = (path: (string | number)[], code: string) => ({ path, code, message: code });

  it('lets a hand-written issue at the same field replace the generated one, and keeps every other issue', () => {
    const shaped = [at(['to'], 'too_few_items'), at(['from'], 'too_short')];
    const hand = [at(['from'], 'sender_empty'), at(['text'], 'placeholder_invalid')];
    const shape: ShapeNode = { properties: { to: {}, from: {}, text: {} } };
    expect(mergeIssues(shaped, hand, shape).map((i) => i.code)).toEqual(['too_few_items', 'sender_empty', 'placeholder_invalid']);
    // Without a shape to order by, the generated issue comes after the hand rules'.
    expect(mergeIssues(shaped, hand).map((i) => i.code)).toEqual(['sender_empty', 'placeholder_invalid', 'too_few_items']);
    expect(mergeIssues([], hand)).toEqual(hand);
  });

  it('lets an explanation reword a generated issue at its field, and drops it where the spec refused nothing', () => {
    const shaped = [at(['sender'], 'invalid')];
    const explanations = [at(['sender'], 'sender_alpha_length'), at(['sender'], 'sender_chars'), at(['tag'], 'text_too_long')];
    expect(mergeIssues(shaped, [], undefined, explanations).map((i) => i.code)).toEqual(['sender_alpha_length', 'sender_chars']);
    expect(mergeIssues([], [], undefined, explanations)).toEqual([]);
  });

  it("orders issues as the spec's fields, a list before its items and items by index, keeping the hand rules' order", () => {
    const shape: ShapeNode = { type: 'object', properties: { groups: {}, from: {}, text: {} } };
    const shaped = [at(['text'], 'text_empty'), at(['groups', 1], 'invalid_type'), at(['groups'], 'too_many_items')];
    const hand = [at(['groups', 0], 'invalid_type'), at(['from'], 'sender_empty')];
    const merged = mergeIssues(shaped, hand, shape);
    expect(merged.map((i) => i.path.join('.'))).toEqual(['groups', 'groups.0', 'groups.1', 'from', 'text']);
  });
});
