import type { CredentialVariable } from '@msgkit/core';

/**
 * Infobip's credentials, the one list the client, the campaign sender and the CLI read. The base
 * URL is the account's own host (S13): from the `baseUrl` option, else INFOBIP_BASE_URL, never a
 * default. The scenario key is the sender's, not the client's.
 */
export const INFOBIP_CREDENTIALS = [
  { env: 'INFOBIP_API_KEY', option: 'apiKey', what: 'Infobip API key' },
  { env: 'INFOBIP_BASE_URL', option: 'baseUrl', what: "your account's Infobip base URL (or the baseUrl option)" },
  { env: 'INFOBIP_SCENARIO_KEY', what: "OMNI scenario key (the sender is set in the scenario; the account's default scenario when unset)", optional: true },
] as const satisfies readonly CredentialVariable[];
