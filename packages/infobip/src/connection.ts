/**
 * What InfobipClient and omniSend (omni-send.ts) share: the options read and checked once (the
 * API key, the account host, the client options, each from the environment when not given), and
 * the OMNI send itself. Both build the same connection and run the same send, so the two entries
 * cannot answer differently.
 */
import { ValidationError } from '@msgkit/core';
import {
  clientOptionIssues,
  clientPolicy,
  execute,
  guardFetch,
  messageFor,
  noteHandler,
  processEnv,
  requestObject,
  resolveCredentials,
  type ClientPolicy,
  type NoteHandler,
  type RequestOptions,
  type ValidationIssue,
  type WithRequestId,
} from '@msgkit/core/internal';
import type { InfobipClientOptions } from './client';
import { INFOBIP_CREDENTIALS } from './credentials';
import { infobipVendor } from './errors';
import { Configuration, sendOmniAdvancedRaw, type BaseAPI, type SendOmniAdvancedResponse } from './generated';
import { prepareSend, type OmniSendRequest } from './prepare';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const required = (path: string): ValidationIssue => ({ path: [path], code: 'required', message: messageFor('required') });
const BASE_URL_HINT = 'must be your account host, e.g. https://xxxxx.api.infobip.com';

/** `xyz.api.infobip.com`, `https://xyz.api.infobip.com/` → `https://xyz.api.infobip.com`. */
function normalizeBaseUrl(issues: ValidationIssue[], input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    issues.push({ ...required('baseUrl'), message: `is required: ${BASE_URL_HINT.replace('must be ', '')} (every Infobip account has its own host)` });
    return '';
  }
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    issues.push({ path: ['baseUrl'], code: 'url_invalid', message: BASE_URL_HINT });
    return '';
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
    issues.push({ path: ['baseUrl'], code: 'url_invalid', message: BASE_URL_HINT });
  } else if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    // The key travels in a header: over plain http anyone on the path could read it.
    issues.push({ path: ['baseUrl'], code: 'url_invalid', message: 'must use https (plain http only for a loopback test server)' });
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** The key alone: Infobip's header is `App <key>`, and a key pasted with its prefix must not get a second one. */
function normalizeApiKey(issues: ValidationIssue[], input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    issues.push(required('apiKey'));
    return '';
  }
  const key = input.trim().replace(/^App\s+/i, '');
  // The key is never echoed, not even in part. NUL and other control characters would cut the header.
  if (key === '' || /[\s\u0000-\u001f\u007f]/.test(key)) issues.push({ path: ['apiKey'], code: 'invalid', message: 'must be the API key alone (optionally after `App `), without spaces or line breaks' });
  return key;
}

/** The checked options every operation runs with. */
export interface InfobipConnection {
  /** The account host requests go to (not a secret). */
  baseUrl: string;
  /** The generated APIs' configuration: the host, the key (inside a function) and the guarded fetch. */
  configuration: Configuration;
  policy: ClientPolicy;
  defaultCountry: string | undefined;
  onNote: NoteHandler;
}

/** Reads and checks the options (ValidationError listing every problem), as `new InfobipClient(options)` does. */
export function connect(options: InfobipClientOptions): InfobipConnection {
  const env = processEnv();
  const o = resolveCredentials('infobip', INFOBIP_CREDENTIALS, typeof options === 'object' && options !== null ? options : {}, env);
  const issues: ValidationIssue[] = [];
  const key = normalizeApiKey(issues, o.apiKey);
  const baseUrl = normalizeBaseUrl(issues, o.baseUrl);
  // baseUrl has its own, stricter check above.
  issues.push(...clientOptionIssues({ ...o, baseUrl: undefined }, env));
  if (issues.length > 0) throw new ValidationError(issues);

  const header = `App ${key}`;
  const configuration = new Configuration({
    basePath: baseUrl,
    apiKey: () => header,
    fetchApi: guardFetch(o.fetch),
  });
  const policy = clientPolicy('infobip', o, [key], env);
  return { baseUrl, configuration, policy, defaultCountry: o.defaultCountry, onNote: noteHandler(o.onNote, policy) };
}

/** The country national numbers are read under, as prepare.ts takes it. */
export function phoneContext(connection: InfobipConnection): { defaultCountry?: string } {
  return connection.defaultCountry === undefined ? {} : { defaultCountry: connection.defaultCountry };
}

/**
 * One OMNI send: checked and normalized (prepare.ts), its notes handed out, then one POST under
 * core's HTTP policy, through the generated operation function on `api` (OmniApi's method calls the
 * same function; an API of the class's base alone keeps the other operations out of omni-send's app).
 */
export async function sendOmni(connection: InfobipConnection, api: BaseAPI, request: OmniSendRequest, callOptions: RequestOptions | undefined): Promise<WithRequestId<SendOmniAdvancedResponse>> {
  const { request: omniAdvancedRequest, notes } = prepareSend(requestObject(request), phoneContext(connection));
  for (const note of notes) connection.onNote(note);
  // Infobip has no deduplication key (bulkId and messageId are labels): a repeated POST sends
  // and bills again, so only a refusal before any work (connection refused) is retried. Not
  // a 429: S1 lists none for /omni/1/advanced, and Infobip's "Rate limits and throttling"
  // page (infobip.com/docs/developer-resources/errors-and-responses/rate-limits-and-throttling)
  // throttles with 429 only "non-message sending APIs", so a 429 here comes from something
  // undocumented (a proxy, a gateway) and the send's outcome is unknown.
  return execute({ idempotent: false, attempt: (init) => sendOmniAdvancedRaw(api, { omniAdvancedRequest }, init) }, infobipVendor, connection.policy, callOptions);
}
