/**
 * What keeps a local dashboard local: a loopback bind by default and a token for any other, the
 * Host header checked against the names the server answers to (a DNS-rebinding page cannot borrow
 * the user's browser to read it), GET and HEAD only, and headers that let the page load nothing
 * from elsewhere and be framed by nobody.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Options {@link startDashboard} refuses before it binds or reads anything; `code` says which. */
export class DashboardOptionsError extends Error {
  override name = 'DashboardOptionsError';
  constructor(
    readonly code: 'no_source' | 'token_too_short' | 'bad_host' | 'bad_port' | 'bad_interval',
    message: string,
  ) {
    super(message);
  }
}

export const TOKEN_COOKIE = 'msgkit_dashboard';
const MIN_TOKEN_LENGTH = 16;

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The token a bind needs: the one given (16 characters or more), else a new one for a bind beyond loopback, else none. */
export function tokenFor(host: string, given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (given.length < MIN_TOKEN_LENGTH) throw new DashboardOptionsError('token_too_short', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} characters`);
    return given;
  }
  return isLoopback(host) ? undefined : randomBytes(24).toString('base64url');
}

/** Compares in constant time, whatever the lengths (both sides are hashed to 32 bytes first). */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The Host header values the server answers to: its own bind and port, the loopback names for a loopback bind, and any named. */
export function allowedHosts(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [isIP(host) === 6 ? `[${host}]` : host];
  const allowed = new Set<string>();
  for (const name of [...names, ...extra]) {
    const lower = name.toLowerCase();
    allowed.add(`${lower}:${port}`);
    if (port === 80) allowed.add(lower);
  }
  return allowed;
}

/** The token sent with a request: the cookie the page got when it was opened with `?token=`, or `Authorization: Bearer`. */
export function requestToken(cookie: string | undefined, authorization: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** bull-board's page sets `<base href>` and its React components style elements inline. */
const BOARD_CSP = CSP.replace("base-uri 'none'", "base-uri 'self'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

export function securityHeaders(path: string): Record<string, string> {
  return {
    'content-security-policy': path.startsWith('/queues') ? BOARD_CSP : CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(path.startsWith('/api/') && { 'cache-control': 'no-store' }),
  };
}
