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
});
