import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { MissingCredentialsError, readCredentials } from './credentials';
import type { CredentialVariable } from './sender';

const credentials: CredentialVariable[] = [
  { env: 'V_KEY', what: 'key', anyOf: 'auth' },
  { env: 'V_TOKEN', what: 'token', anyOf: 'auth' },
  { env: 'V_LOGIN', what: 'login' },
  { env: 'V_SECRET', what: 'secret' },
  { env: 'V_REGION', what: 'region', optional: true },
];

describe('readCredentials', () => {
  it('returns the values that are set, optional ones included', () => {
    expect(readCredentials('v', credentials, { V_TOKEN: 't', V_LOGIN: 'l', V_SECRET: 's', V_REGION: 'eu', OTHER: 'x' })).toEqual({ V_TOKEN: 't', V_LOGIN: 'l', V_SECRET: 's', V_REGION: 'eu' });
  });

  it('names every missing variable at once, a group of alternatives as one requirement, and no value', () => {
    const error = (() => {
      try {
        readCredentials('v', credentials, { V_LOGIN: 'secret-login-value', V_SECRET: '   ' });
      } catch (e) {
        return e;
      }
    })() as MissingCredentialsError;
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.sender).toBe('v');
    expect(error.missing).toEqual([['V_SECRET'], ['V_KEY', 'V_TOKEN']]);
    expect(error.message).toContain('v needs V_SECRET and V_KEY or V_TOKEN in the environment');
    expect(error.issues.map((i) => i.path)).toEqual([['env', 'V_SECRET'], ['env', 'V_KEY|V_TOKEN']]);
    expect(JSON.stringify(error)).not.toContain('secret-login-value');
  });

  it('counts an empty value as unset and adds the hint to the message', () => {
    expect(() => readCredentials('v', [{ env: 'V_KEY', what: 'key' }], { V_KEY: '' }, 'see --help')).toThrow('v needs V_KEY in the environment (see --help)');
  });
});
