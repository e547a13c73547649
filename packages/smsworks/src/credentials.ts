import type { CredentialVariable } from '@msgkit/core';

/** The SMS Works's credential, the one list the client, the campaign sender and the CLI read. */
export const SMSWORKS_CREDENTIALS = [
  { env: 'SMSWORKS_TOKEN', option: 'token', what: 'The SMS Works JWT (with or without the "JWT " prefix)' },
] as const satisfies readonly CredentialVariable[];
