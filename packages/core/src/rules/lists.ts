import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor } from './messages';
import { readError } from './rule';

/**
 * The longest list msgkit walks in memory: 2^27 items. V8 cannot hold a dense array that long
 * (its element store tops out just under 2^27 slots on 64-bit), so a longer array is all holes, and
 * walking or copying its `length` slots would take minutes and gigabytes for nothing. Lists that
 * really are that long are streamed: sendInBatches takes an iterable.
 */
export const MAX_LIST_LENGTH = 2 ** 27;

/** An issue when `list` is longer than MAX_LIST_LENGTH. */
export function listLengthIssue(list: { length: number }, path: (string | number)[]): ValidationIssue | undefined {
  if (list.length <= MAX_LIST_LENGTH) return undefined;
  return { path, code: 'too_long', message: messageFor('too_long', { max: MAX_LIST_LENGTH, length: list.length }) };
}

/**
 * A caller's list read once: an array comes back as a plain copy (its holes as `undefined`), any
 * other value unchanged for the caller's own type check. A list too long to walk, or one whose
 * getters or proxy traps throw, is a ValidationError at `path`.
 */
export function readList<T>(value: T, path: (string | number)[]): T {
  if (!Array.isArray(value)) return value;
  try {
    const tooLong = listLengthIssue(value, path);
    if (tooLong) throw new ValidationError([tooLong]);
    const copy: unknown[] = [];
    for (let index = 0; index < value.length; index++) copy.push(value[index]);
    return copy as T;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError([{ path, code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) }]);
  }
}

/** An options object read once into a plain one holding `keys`; anything but an object unchanged. */
export function readOptions<T>(value: T, keys: readonly string[], path: (string | number)[]): T {
  if (typeof value !== 'object' || value === null) return value;
  try {
    const copy: Record<string, unknown> = {};
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) copy[key] = item;
    }
    return copy as T;
  } catch (error) {
    throw new ValidationError([{ path, code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) }]);
  }
}
