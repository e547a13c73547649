import { describe, expect, it } from 'vitest';
import { maskBody, maskHeaders, maskSecret, maskUrlPassword } from './mask';

describe('credential masking', () => {
  it('keeps two characters of a secret of six or more, and none of a shorter one', () => {
    expect(maskSecret('sandbox-key')).toBe('sa…');
    expect(maskSecret('abcdef')).toBe('ab…');
    expect(maskSecret('abcde')).toBe('…');
  });

  it('masks credential headers only, keeping the scheme word and every other header', () => {
    expect(
      maskHeaders({ authorization: 'Bearer abcdefgh', 'x-api-key': ['first-key', 'second-key'], 'api-login': 'me@example.com', 'api-key': 'short', 'content-type': 'application/json', accept: undefined }),
    ).toEqual({ authorization: 'Bearer ab…', 'x-api-key': ['fi…', 'se…'], 'api-login': 'me…', 'api-key': '…', 'content-type': 'application/json', accept: undefined });
  });

  it('masks credential-named fields at any depth and URL passwords, sharing what it does not change', () => {
    const untouched = { to: ['+31612345678'], nested: { text: 'token: not a field name' } };
    expect(maskBody(untouched)).toBe(untouched);
    expect(maskBody({ Api_Key: 'abcdefgh', list: [{ access_token: 'tok-123456' }, 'https://u:p4ss@h.example/x'], count: 2, token: 7 })).toEqual({
      Api_Key: 'ab…',
      list: [{ access_token: 'to…' }, 'https://u:***@h.example/x'],
      count: 2,
      token: 7,
    });
  });

  it('leaves URLs without a password and non-URLs alone', () => {
    for (const value of ['https://user@h.example/x', 'https://h.example/a@b', 'me@example.com', 'not a url @ all']) expect(maskUrlPassword(value)).toBe(value);
  });
});
