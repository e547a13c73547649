import type { CredentialVariable } from '@msgkit/core';

/**
 * SMS.CX's credentials, the one list the client, the campaign sender and the CLI read: the client
 * takes an option it was not given from its variable; both set, the API key is used.
 */
export const SMSCX_CREDENTIALS = [
  { env: 'SMSCX_API_KEY', option: 'apiKey', what: 'SMS.CX API key (or SMSCX_ACCESS_TOKEN)', anyOf: 'auth' },
  { env: 'SMSCX_ACCESS_TOKEN', option: 'accessToken', what: 'SMS.CX OAuth access token (or SMSCX_API_KEY)', anyOf: 'auth' },
] as const satisfies readonly CredentialVariable[];
