import { ValidationError } from '@msgkit/core';
import { describe, expect, it } from 'vitest';
import { publicUrl } from './proxy';
import { createCallbackUrl, TOKEN_PARAM, verifyCallbackUrl } from './token';

const secret = 'a-very-long-test-secret-of-32-bytes!!';
const now = new Date('2030-01-01T00:00:00Z');
const at = (date: Date) => Math.floor(date.getTime() / 1000);

describe('callback URLs', () => {
  it('carry vendor, campaign, batch and expiry, and verify under the secret that signed them', () => {
    const url = createCallbackUrl({ baseUrl: 'https://hooks.example.com/dlr?keep=1', secret, vendor: 'smscx', campaign: 'spring', batch: 3, ttlSeconds: 3600, now });
    expect(url).toMatch(/^https:\/\/hooks\.example\.com\/dlr\?keep=1&msgkit_token=v1\./);
    const check = verifyCallbackUrl(new URL(url), ['another-secret-that-is-long-enough-xx', secret], at(now) + 10);
    expect(check).toMatchObject({ ok: true, claims: { vendor: 'smscx', campaign: 'spring', batch: 3, expiresAt: at(now) + 3600 } });
  });

  it('refuse a missing, malformed, tampered, moved or expired token', () => {
    const url = new URL(createCallbackUrl({ baseUrl: 'https://hooks.example.com/dlr', secret, vendor: 'smscx', campaign: 'spring', ttlSeconds: 60, now }));
    const token = url.searchParams.get(TOKEN_PARAM)!;
    const [v, payload, signature] = token.split('.') as [string, string, string];
    const withToken = (t: string, base = 'https://hooks.example.com/dlr') => new URL(`${base}?${TOKEN_PARAM}=${encodeURIComponent(t)}`);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const otherCampaign = Buffer.from(JSON.stringify({ ...claims, campaign: 'autumn' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    expect(verifyCallbackUrl(new URL('https://hooks.example.com/dlr'), [secret], at(now))).toEqual({ ok: false, reason: 'missing' });
    expect(verifyCallbackUrl(withToken('v2.x.y'), [secret], at(now))).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyCallbackUrl(withToken(`${v}.${otherCampaign}.${signature}`), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(withToken(`${v}.${payload}.${flipped}`), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(withToken(`${v}.${payload}.`), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(withToken(token, 'https://evil.example.com/dlr'), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(withToken(token, 'https://hooks.example.com/other'), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(withToken(token, 'http://hooks.example.com/dlr'), [secret], at(now))).toEqual({ ok: false, reason: 'forged' });
    expect(verifyCallbackUrl(url, ['x'.repeat(40)], at(now))).toEqual({ ok: false, reason: 'forged' });
    // Every other spelling of the last character (base64url's spare bits) is refused, not verified
    // as a second token that replay detection would not know.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of alphabet) {
      if (c === signature.at(-1)) continue;
      expect(verifyCallbackUrl(withToken(`${v}.${payload}.${signature.slice(0, -1)}${c}`), [secret], at(now)).ok, c).toBe(false);
    }
    expect(verifyCallbackUrl(url, [secret], at(now) + 61)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyCallbackUrl(url, [secret], at(now) + 60)).toMatchObject({ ok: true });
  });

  it('refuse a short secret and an expiry in the past before issuing anything', () => {
    expect(() => createCallbackUrl({ baseUrl: 'https://h.example/dlr', secret: 'short', vendor: 'smscx' })).toThrow(ValidationError);
    expect(() => createCallbackUrl({ baseUrl: 'https://h.example/dlr', secret, vendor: 'smscx', expiresAt: new Date('2000-01-01') })).toThrow(/expire in the future/);
    expect(() => createCallbackUrl({ baseUrl: 'ftp://h.example/dlr', secret, vendor: 'smscx' })).toThrow(/http/);
  });
});

describe('the public URL of a request', () => {
  const request = (headers: Record<string, string>) => new Request('http://10.0.0.5:3000/dlr?x=1', { headers });
  it('ignores forwarding headers unless the proxy is trusted', () => {
    const forged = request({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' });
    expect(publicUrl(forged, {}).href).toBe('http://10.0.0.5:3000/dlr?x=1');
    expect(publicUrl(forged, { trustProxy: true }).href).toBe('https://hooks.example.com/dlr?x=1');
  });

  it('reads RFC 7239 Forwarded first, takes the client-side hop, and lets publicOrigin win', () => {
    const r = request({ forwarded: 'proto=https;host="hooks.example.com", proto=http;host=inner', 'x-forwarded-host': 'other.example.com, inner' });
    expect(publicUrl(r, { trustProxy: true }).origin).toBe('https://hooks.example.com');
    expect(publicUrl(request({ 'x-forwarded-host': 'a.example.com, b.example.com' }), { trustProxy: true }).host).toBe('a.example.com');
    expect(publicUrl(r, { trustProxy: true, publicOrigin: 'https://pinned.example.com' }).href).toBe('https://pinned.example.com/dlr?x=1');
  });
});
