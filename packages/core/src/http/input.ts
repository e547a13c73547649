/**
 * Type guards for what reaches a client from JavaScript callers, who are not held to the
 * TypeScript types: options, request objects, path ids and credentials. Each turns a wrong type
 * into a ValidationError with issues before any request, instead of a TypeError from deep inside,
 * a request to another path, or a number that silently means "forever".
 */
import { ValidationError, type ValidationIssue } from '../errors';
import { listLengthIssue } from '../rules/lists';
import { messageFor } from '../rules/messages';
import { readError } from '../rules/rule';
import { headerIssues } from './hooks';
import { MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS } from './retry';
import type { HttpPolicyOptions, RequestOptions } from './execute';

type Path = (string | number)[];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function integerIssue(value: unknown, path: Path, min: number, max: number): ValidationIssue | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return { path, code: 'invalid_type', message: `must be a whole number from ${min} to ${max}` };
  }
  if (value < min || value > max) return { path, code: 'invalid', message: `must be from ${min} to ${max}` };
  return undefined;
}

/** `timeoutMs` 1 … 2^31-1 (setTimeout's range) and `maxRetries` 0 … MAX_RETRIES_LIMIT, both whole. */
export function policyIssues(options: { timeoutMs?: unknown; maxRetries?: unknown }, at: Path = []): ValidationIssue[] {
  return [integerIssue(options.timeoutMs, [...at, 'timeoutMs'], 1, MAX_TIMEOUT_MS), integerIssue(options.maxRetries, [...at, 'maxRetries'], 0, MAX_RETRIES_LIMIT)].filter(
    (issue): issue is ValidationIssue => issue !== undefined,
  );
}

/** The policy part of a client's options, checked; throws a ValidationError at construction. */
export function policyOptions(options: { timeoutMs?: unknown; maxRetries?: unknown }): HttpPolicyOptions {
  const issues = policyIssues(options);
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs as number }),
    ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries as number }),
  };
}

/** A method's last argument: undefined, or an object of valid per-call options. */
export function requestOptionsIssues(options: unknown): ValidationIssue[] {
  if (options === undefined) return [];
  if (!isObject(options)) return [{ path: ['options'], code: 'invalid_type', message: 'must be an object ({ signal, timeoutMs, maxRetries, headers })' }];
  const issues = policyIssues(options, ['options']);
  const { signal, headers } = options as RequestOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) issues.push({ path: ['options', 'signal'], code: 'invalid_type', message: 'must be an AbortSignal' });
  if (headers !== undefined) issues.push(...headerIssues(headers, ['options', 'headers']));
  return issues;
}

/**
 * Reads a value headed for the wire once, deeply: returns a copy in which plain and null-prototype
 * objects and arrays are ordinary ones (the rules then read them like any other object; `String(x)`
 * of a null-prototype object throws), and lists in `issues` what `JSON.stringify` would throw on
 * (BigInt, cycles) or silently turn into null or nothing, and what could not be read at all (a
 * getter or proxy trap that throws). Class instances (Date, …) are kept as they are.
 *
 * `path` is one array pushed and popped on the way down, copied only into an issue.
 */
function readWire(value: unknown, path: Path, seen: Set<object>, issues: ValidationIssue[]): unknown {
  switch (typeof value) {
    case 'bigint':
      issues.push({ path: [...path], code: 'invalid_type', message: 'must be a number, not a BigInt' });
      return value;
    case 'symbol':
    case 'function':
      issues.push({ path: [...path], code: 'invalid_type', message: `must be a JSON value, not a ${typeof value}` });
      return value;
    case 'number':
      if (!Number.isFinite(value)) issues.push({ path: [...path], code: 'invalid', message: 'must be a finite number' });
      return value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (seen.has(value)) {
    issues.push({ path: [...path], code: 'invalid', message: 'refers to itself' });
    return value;
  }
  const depth = path.length;
  try {
    if (value instanceof Date) return value;
    if (Array.isArray(value)) {
      const tooLong = listLengthIssue(value, [...path]);
      if (tooLong) {
        issues.push(tooLong);
        return value;
      }
      seen.add(value);
      const copy: unknown[] = [];
      for (let index = 0; index < value.length; index++) {
        const item = value[index];
        path.push(index);
        copy.push(readWire(item, path, seen, issues));
        path.pop();
      }
      seen.delete(value);
      return copy;
    }
    const prototype = Object.getPrototypeOf(value);
    const plain = prototype === null || prototype === Object.prototype;
    seen.add(value);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      path.push(key);
      copy[key] = readWire(item, path, seen, issues);
      path.pop();
    }
    seen.delete(value);
    return plain ? copy : value;
  } catch (error) {
    path.length = depth;
    seen.delete(value);
    issues.push({ path: [...path], code: 'unreadable', message: messageFor('unreadable', { reason: readError(error) }) });
    return value;
  }
}

/**
 * Any value headed for the wire, checked deeply: the issues (paths start at `at`) and a copy with
 * null-prototype objects made ordinary. For lists of requests, where each item's issues carry its index.
 */
export function wireValue<T>(value: T, at: Path = []): { value: T; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const copy = readWire(value, [...at], new Set(), issues);
  return { value: issues.length > 0 ? value : (copy as T), issues };
}

/**
 * A request object as a method receives it: an object (or, when `optional`, undefined) whose every
 * value can go on the wire. Returns a copy with null-prototype objects made ordinary; throws a
 * ValidationError listing every value that cannot be sent.
 */
export function requestObject<T>(value: T, options: { optional?: boolean; name?: string } = {}): T {
  const at: Path = options.name === undefined ? [] : [options.name];
  if (value === undefined && options.optional) return value;
  if (!isObject(value)) {
    const issue = value === undefined ? { code: 'required', message: 'is required: the request object' } : { code: 'invalid_type', message: 'must be an object' };
    throw new ValidationError([{ path: at, ...issue }]);
  }
  const checked = wireValue(value, at);
  if (checked.issues.length > 0) throw new ValidationError(checked.issues);
  return checked.value;
}

/**
 * An id that goes into a URL path. The generated code escapes it with encodeURIComponent, but `.`
 * and `..` survive escaping and make fetch resolve another path (`/messages/..` is `/`), and a `%`
 * would reach a server that decodes twice as `%2e%2e`; no vendor id contains either.
 */
export function pathIdIssues(value: unknown, name: string): ValidationIssue[] {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return [{ path: [name], code: 'required', message: 'is required' }];
  }
  if (typeof value !== 'string') return [{ path: [name], code: 'invalid_type', message: 'must be a string' }];
  const id = value.trim();
  // Control characters, path and query separators, escapes, or dots alone.
  if (/[\u0000-\u001f\u007f/\\?#%]/.test(id) || /^\.+$/.test(id)) {
    return [{ path: [name], code: 'invalid', message: 'must be an id, not a path: no / \\ ? # % or control characters, and not . or ..' }];
  }
  return [];
}

/** The trimmed id, or a ValidationError. */
export function pathId(value: unknown, name: string): string {
  const issues = pathIdIssues(value, name);
  if (issues.length > 0) throw new ValidationError(issues);
  return (value as string).trim();
}

/**
 * A credential must be a non-empty string without control characters: CR or LF would split the
 * header, NUL would cut it, and fetch's own error would quote the value. The value is never echoed.
 */
export function credentialIssues(value: unknown, name: string, what: string): ValidationIssue[] {
  if (value === undefined || value === null || value === '') return [{ path: [name], code: 'required', message: `is required: ${what}` }];
  if (typeof value !== 'string') return [{ path: [name], code: 'invalid_type', message: 'must be a string' }];
  if (value.trim() === '') return [{ path: [name], code: 'required', message: `is required: ${what}` }];
  if (/[\u0000-\u001f\u007f]/.test(value.trim())) return [{ path: [name], code: 'invalid', message: 'must not contain line breaks, NUL or other control characters' }];
  return [];
}

/** An optional string option (baseUrl, defaultCountry): undefined or a non-empty string. */
export function stringOptionIssues(value: unknown, name: string): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' || value.trim() === '') return [{ path: [name], code: 'invalid_type', message: 'must be a non-empty string' }];
  return [];
}
