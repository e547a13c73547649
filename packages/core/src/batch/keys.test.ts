import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { batchDedupeKey } from './keys';

describe('batchDedupeKey', () => {
  it('gives the same key for the same campaign and batch index, every time', () => {
    expect(batchDedupeKey('spring-sale', 7)).toBe(batchDedupeKey('spring-sale', 7));
  });

  it('gives different keys to different batches and to different campaigns', () => {
    const keys = new Set([batchDedupeKey('a', 0), batchDedupeKey('a', 1), batchDedupeKey('b', 0), batchDedupeKey('a1', 0), batchDedupeKey('a', 10)]);
    expect(keys.size).toBe(5);
  });

  it('is a UUID v5, which SMS.CX accepts as an idempotencyId (v1–v5 only)', () => {
    expect(batchDedupeKey('c', 3)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an empty campaign id and an index that is not a whole number', () => {
    expect(() => batchDedupeKey('', 0)).toThrow(ValidationError);
    expect(() => batchDedupeKey('c', -1)).toThrow(ValidationError);
    expect(() => batchDedupeKey('c', Number.NaN)).toThrow(ValidationError);
    expect(() => batchDedupeKey('c', 1.5)).toThrow(ValidationError);
  });

  it('binds the content it is given: the same campaign id and index with another message or other recipients give another key', () => {
    const recipients = ['+447400000001', '+447400000002'];
    const key = batchDedupeKey('spring', 0, { content: 'text-digest-a', recipients });
    expect(batchDedupeKey('spring', 0, { content: 'text-digest-a', recipients: [...recipients] })).toBe(key);
    expect(batchDedupeKey('spring', 0, { content: 'text-digest-b', recipients })).not.toBe(key);
    expect(batchDedupeKey('spring', 0, { content: 'text-digest-a', recipients: recipients.slice(0, 1) })).not.toBe(key);
    expect(batchDedupeKey('spring', 0, { recipients })).not.toBe(batchDedupeKey('spring', 0));
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a bound that is not { content?, recipients } with a ValidationError, like its other arguments', () => {
    for (const bound of [null, 'x', {}, { recipients: 'a,b' }, { recipients: [], content: 7 }]) {
      expect(() => batchDedupeKey('c', 0, bound as never)).toThrow(ValidationError);
    }
  });

  it('keeps the key of earlier versions when given no content, so a campaign begun before an upgrade resumes with its keys', () => {
    expect(batchDedupeKey('spring-sale', 7)).toBe('c0bd866c-29b3-5ea0-82c9-00422b7f4989');
  });
});
