import { ValidationError, type ValidationIssue } from '../errors';
import { listLengthIssue } from '../rules/lists';
import { messageFor } from '../rules/messages';
import { readError } from '../rules/rule';

/** An issue when `value` is not a whole number ≥ 1 (a batch size, a concurrency). */
export function positiveIntegerIssue(value: unknown, path: (string | number)[]): ValidationIssue | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return undefined;
  return { path, code: typeof value === 'number' ? 'invalid' : 'invalid_type', message: messageFor('invalid_type', { expected: 'a whole number ≥ 1' }) };
}

/**
 * Splits `items` into consecutive arrays of at most `size` items (the last may be shorter); the
 * holes of a sparse array come out as `undefined` items in their place. Anything but an array and
 * a whole size ≥ 1 is a ValidationError naming the argument.
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const issues: ValidationIssue[] = [];
  let length = 0;
  try {
    if (!Array.isArray(items)) issues.push({ path: ['items'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'an array' }) });
    else {
      length = items.length;
      const tooLong = listLengthIssue(items, ['items']);
      if (tooLong) issues.push(tooLong);
    }
  } catch (error) {
    issues.push({ path: ['items'], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) });
  }
  const sizeIssue = positiveIntegerIssue(size, ['size']);
  if (sizeIssue) issues.push(sizeIssue);
  if (issues.length > 0) throw new ValidationError(issues);
  const chunks: T[][] = [];
  try {
    for (let start = 0; start < length; start += size) {
      const end = Math.min(start + size, length);
      const part: T[] = [];
      for (let i = start; i < end; i++) part.push(items[i] as T);
      chunks.push(part);
    }
  } catch (error) {
    throw new ValidationError([{ path: ['items'], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) }]);
  }
  return chunks;
}
