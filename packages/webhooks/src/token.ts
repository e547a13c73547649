import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@msgkit/core';

/** The query parameter that carries msgkit's callback token. */
export const TOKEN_PARAM = 'msgkit_token';
const VERSION = 'v1';
const MIN_SECRET_BYTES = 32;
const DEFAULT_TTL_SECONDS = 14 * 24 * 3600;

/** What a callback URL vouches for. */
export interface CallbackClaims {
  vendor: string;
  campaign?: string;
  batch?: number;
  /** Unix time (seconds) after which the URL is refused. */
  expiresAt: number;
}

/**
 * Options of `createCallbackUrl`: where reports go, the secret that signs the URL, and what the
 * token carries (vendor, campaign, batch, expiry).
 */
export interface CallbackUrlOptions {
  /** The public URL the vendor will POST to, e.g. `https://hooks.example.com/dlr` (other query parameters are kept). */
  baseUrl: string;
  /** At least 32 bytes; the newest secret of `createWebhookHandler`'s `secrets`. */
  secret: string | Uint8Array;
  vendor: string;
  campaign?: string;
  batch?: number;
  /** Lifetime of the URL (default 14 days); reports posted later are refused. Or give `expiresAt`. */
  ttlSeconds?: number;
  expiresAt?: Date;
  now?: Date;
}

/** The result of `verifyCallbackUrl`: the token's claims, or why it was refused. */
export type TokenCheck = { ok: true; claims: CallbackClaims; token: string } | { ok: false; reason: 'missing' | 'malformed' | 'forged' | 'expired' };

/**
 * A callback URL that proves itself: `baseUrl` plus a token holding the vendor, campaign, batch
 * and expiry, signed with HMAC-SHA-256 over those claims and the URL's origin and path. For vendors
 * that sign nothing (SMS.CX, The SMS Works, Octopush), give this URL as the send's callback field.
 */
export function createCallbackUrl(options: CallbackUrlOptions): string {
  const key = secretBytes(options.secret);
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw issue('baseUrl', 'not_http', 'baseUrl must be an http(s) URL');
  if (typeof options.vendor !== 'string' || options.vendor === '') throw issue('vendor', 'required', 'vendor is required');
  if (options.batch !== undefined && (!Number.isSafeInteger(options.batch) || options.batch < 0)) throw issue('batch', 'invalid', 'batch must be a whole number ≥ 0');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const expiresAt = options.expiresAt ? Math.floor(options.expiresAt.getTime() / 1000) : now + (options.ttlSeconds ?? DEFAULT_TTL_SECONDS);
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) throw issue('expiresAt', 'in_the_past', 'the URL must expire in the future');
  url.searchParams.delete(TOKEN_PARAM);
  const claims: CallbackClaims = { vendor: options.vendor, ...(options.campaign !== undefined ? { campaign: options.campaign } : {}), ...(options.batch !== undefined ? { batch: options.batch } : {}), expiresAt };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign(key, payload, boundUrl(url)).toString('base64url');
  url.searchParams.set(TOKEN_PARAM, `${VERSION}.${payload}.${signature}`);
  return url.toString();
}

/**
 * Checks the token of a callback URL as the vendor reached it (`publicUrl`: behind a proxy, the URL
 * the vendor used, not the one the proxy forwarded to). Any of `secrets` may have signed it (so a
 * secret can be rotated). Signatures are compared in constant time.
 */
export function verifyCallbackUrl(publicUrl: URL, secrets: readonly (string | Uint8Array)[], nowSeconds = Math.floor(Date.now() / 1000), cache?: VerifiedTokens): TokenCheck {
  const token = publicUrl.searchParams.get(TOKEN_PARAM);
  if (token === null || token === '') return { ok: false, reason: 'missing' };
  const cacheKey = cache ? `${token}\n${boundUrl(publicUrl)}` : '';
  const known = cache?.get(cacheKey);
  if (known) return known.expiresAt < nowSeconds ? { ok: false, reason: 'expired' } : { ok: true, claims: known, token };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  // One spelling per signature: base64url ignores the spare bits of its last character, so a token
  // with that character changed would verify as another token and slip past replay detection.
  if (given.toString('base64url') !== signature || Buffer.from(payload, 'base64url').toString('base64url') !== payload) return { ok: false, reason: 'malformed' };
  const bound = boundUrl(publicUrl);
  let valid = false;
  for (const secret of secrets) {
    const expected = sign(secretBytes(secret), payload, bound);
    // Same-length buffers only; a wrong length is simply not equal.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'forged' };
  let claims: CallbackClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CallbackClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.vendor !== 'string' || !Number.isSafeInteger(claims.expiresAt)) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt < nowSeconds) return { ok: false, reason: 'expired' };
  cache?.set(cacheKey, claims);
  return { ok: true, claims, token };
}

/**
 * Tokens already verified, by token and bound URL: a campaign's reports all carry one token, and
 * the same token on the same URL has the same signature verdict, so only the expiry is checked
 * again. Holds verified tokens only (a forged one never enters), at most `max`, oldest out first.
 */
export class VerifiedTokens {
  readonly #map = new Map<string, CallbackClaims>();
  constructor(private readonly max = 10_000) {}
  get(key: string): CallbackClaims | undefined {
    return this.#map.get(key);
  }
  set(key: string, claims: CallbackClaims): void {
    this.#map.set(key, claims);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
}

/** Origin and path, lower-cased host, no query: what the signature binds besides the claims. */
function boundUrl(url: URL): string {
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname}`;
}

function sign(key: Uint8Array, payload: string, bound: string): Buffer {
  return createHmac('sha256', key).update(`${VERSION}.${payload}\n${bound}`).digest();
}

export function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) throw issue('secret', 'secret_too_short', `a callback secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}

function issue(path: string, code: string, message: string): ValidationError {
  return new ValidationError([{ path: [path], code, message }]);
}
