import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { MissingCredentialsError, readCredentials, resolveCredentials } from './credentials';
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

const client: CredentialVariable[] = [
  { env: 'V_KEY', what: 'key', anyOf: 'auth', option: 'apiKey' },
  { env: 'V_TOKEN', what: 'token', anyOf: 'auth', option: 'accessToken' },
  { env: 'V_HOST', what: 'host', option: 'baseUrl' },
  { env: 'V_SCENARIO', what: 'a sender option, not a client one', optional: true },
];

describe('resolveCredentials', () => {
  it('reads each option not given from its variable, a group from its first variable set', () => {
    expect(resolveCredentials('v', client, { timeoutMs: 5 }, { V_KEY: 'k', V_TOKEN: 't', V_HOST: 'https://h', V_SCENARIO: 's' })).toEqual({ timeoutMs: 5, apiKey: 'k', baseUrl: 'https://h' });
    expect(resolveCredentials('v', client, {}, { V_TOKEN: 't', V_HOST: 'https://h' })).toEqual({ accessToken: 't', baseUrl: 'https://h' });
  });

  it('lets a given option win: its variable is not read, nor the rest of its group', () => {
    expect(resolveCredentials('v', client, { accessToken: 'mine', baseUrl: 'https://mine' }, { V_KEY: 'env-key', V_HOST: 'https://env' })).toEqual({ accessToken: 'mine', baseUrl: 'https://mine' });
    // An empty string is given (and the client refuses it), never replaced from the environment.
    expect(resolveCredentials('v', client, { apiKey: '' }, { V_KEY: 'env-key', V_HOST: 'h' })).toEqual({ apiKey: '', baseUrl: 'h' });
    // undefined is not given: `{ apiKey: process.env.X }` with X unset reads the variables.
    expect(resolveCredentials('v', client, { apiKey: undefined }, { V_TOKEN: 't', V_HOST: 'h' })).toEqual({ apiKey: undefined, accessToken: 't', baseUrl: 'h' });
  });

  it('throws MissingCredentialsError naming every missing variable and the options that would do instead', () => {
    const error = (() => {
      try {
        resolveCredentials('v', client, {}, { V_KEY: ' ' });
      } catch (e) {
        return e;
      }
    })() as MissingCredentialsError;
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.missing).toEqual([['V_HOST'], ['V_KEY', 'V_TOKEN']]);
    expect(error.message).toContain('v needs V_HOST and V_KEY or V_TOKEN in the environment (or the baseUrl / apiKey / accessToken option)');
  });
});

describe('readCredentials with the options a factory was given', () => {
  it('meets a variable by its option (Infobip: baseUrl for INFOBIP_BASE_URL)', () => {
    expect(readCredentials('v', client, { V_KEY: 'k' }, undefined, [], { baseUrl: 'https://h' })).toEqual({ V_KEY: 'k' });
    expect(() => readCredentials('v', client, { V_KEY: 'k' })).toThrow('v needs V_HOST in the environment');
  });
});
