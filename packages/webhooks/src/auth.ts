import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestLike } from './proxy';

/** A vendor-documented way a callback authenticates itself (checked when the URL carries no msgkit token). */
export interface CallbackAuthenticator {
  /** `missing`: no credentials at all (401); `forged`: wrong ones (403). */
  check(request: Pick<RequestLike, 'headers'>): 'ok' | 'missing' | 'forged';
  /** Names the credential for replay detection (never the secret itself). */
  readonly id: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares through digests of equal length, so neither content nor length leaks through timing. */
function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Infobip webhook security of type BASIC (Subscriptions API `POST /subscriptions/1/security`,
 * `{ type: 'BASIC', credentials: { username, password } }`): Infobip sends
 * `Authorization: Basic base64(username:password)` with every report.
 */
export function basicAuth(credentials: { username: string; password: string }): CallbackAuthenticator {
  const expected = `${credentials.username}:${credentials.password}`;
  return {
    id: `basic:${digest(expected).toString('hex').slice(0, 16)}`,
    check(request) {
      const header = request.headers.get('authorization');
      if (!header) return 'missing';
      const match = /^Basic\s+(\S+)$/i.exec(header.trim());
      if (!match) return 'forged';
      return same(Buffer.from(match[1]!, 'base64').toString('utf8'), expected) ? 'ok' : 'forged';
    },
  };
}

/**
 * A shared secret in a header of your choice (Infobip notification profiles send the `headers`
 * you configure with every report).
 */
export function headerSecret(options: { name: string; value: string }): CallbackAuthenticator {
  const name = options.name.toLowerCase();
  return {
    id: `header:${name}:${digest(options.value).toString('hex').slice(0, 16)}`,
    check(request) {
      const given = request.headers.get(name);
      if (given === null) return 'missing';
      return same(given, options.value) ? 'ok' : 'forged';
    },
  };
}
