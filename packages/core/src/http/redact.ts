/**
 * Keeps a client's credentials out of its errors. Some gateways answer an error with the request
 * headers they received (debug pages, echo proxies), and a fetch error may quote a header value;
 * the vendor's answer is kept on an ApiError, so the secrets are cut out of it first.
 */
import { MsgkitError } from '../errors';

/** What a secret is replaced with in errors and logs. */
export const REDACTED = '[redacted]';

/**
 * Shorter strings are not treated as secrets: they would match ordinary words in every message,
 * and no vendor issues a credential that short.
 */
const MIN_SECRET_LENGTH = 4;

/** Cuts one client's credentials out of text, values and errors. */
export interface Redactor {
  /** The text with every known secret, and each encoded form a header or URL would carry, replaced. */
  text(value: string): string;
  /** Strings, arrays and plain objects (keys too) redacted deeply; anything else as it is. */
  value<T>(value: T): T;
  /** The error with its message, stack, vendor answer and cause chain redacted, in place. */
  error<E extends MsgkitError>(error: E): E;
}

const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/** Each form a secret takes on the wire: raw, URL-encoded, and base64 (Basic auth) with and without padding. */
function forms(secret: string): string[] {
  const encoded = base64(secret);
  return [secret, encodeURIComponent(secret), encoded, encoded.replace(/=+$/, ''), encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/**
 * A redactor for the given secrets. It holds them only in this closure, so printing the redactor
 * (or a client that keeps one) shows functions, never the strings.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of forms(secret)) if (form.length >= MIN_SECRET_LENGTH) all.add(form);
  }
  // Longest first, so a secret that contains another is replaced whole.
  const pattern = all.size === 0 ? undefined : new RegExp([...all].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');

  const text = (value: string): string => (pattern === undefined ? value : value.replace(pattern, REDACTED));

  const value = <T>(input: T, depth = 0): T => {
    if (typeof input === 'string') return text(input) as T;
    if (depth > 32) return input;
    if (Array.isArray(input)) return input.map((item) => value(item, depth + 1)) as T;
    if (isPlainObject(input)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(input)) out[text(key)] = value(item, depth + 1);
      return out as T;
    }
    return input;
  };

  /** A cause whose text holds a secret is replaced by a copy that keeps its name, code and redacted text. */
  const cause = (input: unknown, depth: number): unknown => {
    if (pattern === undefined || depth > 8 || !(input instanceof Error)) return typeof input === 'string' ? text(input) : input;
    const inner = cause((input as { cause?: unknown }).cause, depth + 1);
    const leaks = text(input.message) !== input.message || text(String(input.stack)) !== String(input.stack);
    if (!leaks && inner === (input as { cause?: unknown }).cause) return input;
    const copy = new Error(text(input.message), inner === undefined ? undefined : { cause: inner });
    copy.name = input.name;
    copy.stack = text(String(input.stack));
    const code = (input as { code?: unknown }).code;
    if (code !== undefined) Object.defineProperty(copy, 'code', { value: code, enumerable: true });
    return copy;
  };

  const error = <E extends MsgkitError>(target: E): E => {
    if (pattern === undefined) return target;
    const writable = target as unknown as Record<string, unknown>;
    target.message = text(target.message);
    if (target.stack !== undefined) target.stack = text(target.stack);
    for (const field of ['vendorMessage', 'location', 'requestId']) {
      if (typeof writable[field] === 'string') Object.defineProperty(target, field, { value: text(writable[field] as string), enumerable: true, writable: false, configurable: true });
    }
    for (const field of ['body', 'headers']) {
      if (field in target) Object.defineProperty(target, field, { value: value(writable[field]), enumerable: true, writable: false, configurable: true });
    }
    if (target.cause !== undefined) Object.defineProperty(target, 'cause', { value: cause(target.cause, 0), enumerable: false, writable: true, configurable: true });
    return target;
  };

  return { text, value, error };
}
