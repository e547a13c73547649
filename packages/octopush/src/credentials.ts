import type { CredentialVariable } from '@msgkit/core';

/** Octopush's credentials, the one list the client, the campaign sender and the CLI read. */
export const OCTOPUSH_CREDENTIALS = [
  { env: 'OCTOPUSH_API_LOGIN', option: 'apiLogin', what: 'Octopush account login (e-mail)' },
  { env: 'OCTOPUSH_API_KEY', option: 'apiKey', what: 'Octopush API key' },
] as const satisfies readonly CredentialVariable[];
