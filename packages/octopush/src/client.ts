/**
 * The Octopush client: validates and normalizes every request with core and ./rules, builds the
 * wire object once, then runs the generated call under core's HTTP policy.
 *
 * Both sends are paid and both are deduplicated by Octopush for 24 h by a request id
 * (`metadata.request_id` on /multi-channel/send, top-level `request_id` on /sms-campaign/send).
 * The id is generated once per call when the caller gave none and is part of the object every
 * attempt sends, so the sends are retried like reads (idempotent: true).
 *
 * That covers a 429 too: Octopush documents no rate limit and no 429 (shared/vendors/octopush.md),
 * so a 429 is not known to be a refusal before any work, but a retry with the same request_id
 * cannot send twice (same source, §3: "a duplicate gives a validation error", 24 h). A send that
 * ends on a 429 is reported outcome-unknown, with the request_id to check or resend with.
 */
import { ValidationError, normalizePhone } from '@msgkit/core';
import {
  apiErrorFromResponse,
  checkShape,
  clientOptionIssues,
  clientPolicy,
  collectPlainIssues,
  createApiError,
  credentialIssues,
  execute,
  guardFetch,
  mergeIssues,
  messageFor,
  noteHandler,
  processEnv,
  requestObject,
  resolveCredentials,
  type ClientOptions,
  type ClientPolicy,
  type IssueCode,
  type NoteHandler,
  type Operation,
  type RawResponse,
  type RequestOptions,
  type ShapeNode,
  type ValidationIssue,
  type WithRequestId,
} from '@msgkit/core/internal';
import { OCTOPUSH_CREDENTIALS } from './credentials';
import { DUPLICATE_REQUEST_ID, octopushVendor, parseOctopushError } from './errors';
import {
  BASE_PATH,
  Configuration,
  MultichannelApi,
  SmsCampaignApi,
  WalletApi,
  type CancelMultichannelRequest,
  type CancelSmsCampaignRequest,
  type GetBalanceRequest,
  type SendMultichannelRequest,
  type SendMultichannelResponse,
  type SendSmsCampaignRequest,
  type SendSmsCampaignResponse,
  type WalletBalance,
} from './generated/index';
import * as checks from './generated-checks/index';
import { balanceRules, multichannelCancelRules, multichannelSendRules, sendAtExplanations, sendAtNotes, senderExplanations, smsCancelRules, smsSendRules, specCodes } from './rules';
import type { BalanceRequest, MultichannelCancelRequest, MultichannelSendRequest, SmsCancelRequest, SmsSendRequest } from './types';

/**
 * Options of `new OctopushClient(options)`: the account's login and API key (each read from the
 * environment when not given), the country of national numbers (FR unless given), and the client
 * options every msgkit client takes (retries, timeouts, logger, hooks).
 */
export interface OctopushClientOptions extends ClientOptions {
  /** The Octopush account's login (e-mail), sent as the `api-login` header. Not given: OCTOPUSH_API_LOGIN. */
  apiLogin?: string | undefined;
  /** The account's API key, sent as the `api-key` header. Not given: OCTOPUSH_API_KEY. */
  apiKey?: string | undefined;
  /** Default `https://api.octopush.com/v1/public`. */
  baseUrl?: string | undefined;
  /** Country of phone numbers written without a country code (ISO 3166-1 alpha-2). Default 'FR'. */
  defaultCountry?: string | undefined;
  /** A fetch implementation (default: the global fetch). */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  /**
   * Receives what is sent as given although Octopush may take it differently (a `sendAt` already
   * past). Default: a `warn` log line with logging on, else each distinct note printed once as a
   * `MsgkitNote` process warning. A handler that throws stops the call before anything is sent.
   */
  onNote?: NoteHandler | undefined;
}

/** Octopush is a French provider; its own examples write national French numbers. */
const DEFAULT_COUNTRY = 'FR';

type Obj = Record<string, unknown>;
const asObject = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Obj) : {});
const defined = <T extends Obj>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** A send's result; `requestId` (not enumerable) is the de-duplication key that was sent. */
export type SendResult<T> = WithRequestId<T>;

/** A cancel's result: Octopush answers it with no body, so only the answer (`response`, not enumerable). */
export type CancelResult = WithRequestId<Record<never, never>>;

/**
 * The Octopush client: `client.multichannel`, `client.sms` and `client.wallet`. Requests are
 * checked against Octopush's rules before the wire, and a paid send carries a `request_id` (yours,
 * or one generated per call) so that a retry is never billed twice.
 */
export class OctopushClient {
  readonly multichannel: {
    /** POST /multi-channel/send: one message on sms, voice_sms, rcs, email or live_chat to 1–500 recipients. */
    send(request: MultichannelSendRequest, options?: RequestOptions): Promise<SendResult<SendMultichannelResponse>>;
    /** DELETE /multi-channel/cancel: cancels a draft or a scheduled campaign (not live_chat). */
    cancel(request: MultichannelCancelRequest, options?: RequestOptions): Promise<CancelResult>;
  };
  readonly sms: {
    /** POST /sms-campaign/send: one SMS text (with personalisation) to 1–500 recipients. */
    send(request: SmsSendRequest, options?: RequestOptions): Promise<SendResult<SendSmsCampaignResponse>>;
    /** DELETE /sms-campaign/cancel: cancels a draft or a scheduled SMS campaign. */
    cancel(request: SmsCancelRequest, options?: RequestOptions): Promise<CancelResult>;
  };
  readonly wallet: {
    /** GET /wallet/check-balance: in euros, or in units of one product for one country. */
    balance(request?: BalanceRequest, options?: RequestOptions): Promise<WithRequestId<WalletBalance>>;
  };

  #apiLogin: string;
  #apiKey: string;
  #policy: ClientPolicy;
  #defaultCountry: string;
  #onNote: NoteHandler;
  #multichannelApi: MultichannelApi;
  #smsApi: SmsCampaignApi;
  #walletApi: WalletApi;

  constructor(options: OctopushClientOptions = {}) {
    const env = processEnv();
    const o = resolveCredentials('octopush', OCTOPUSH_CREDENTIALS, asObject(options) as OctopushClientOptions, env);
    const issues: ValidationIssue[] = [
      ...credentialIssues(o.apiLogin, 'apiLogin', "the Octopush account's login e-mail, sent as the api-login header"),
      ...credentialIssues(o.apiKey, 'apiKey', 'the Octopush API key, sent as the api-key header'),
      ...clientOptionIssues(o, env),
    ];
    if (issues.length > 0) throw new ValidationError(issues);

    this.#apiLogin = (o.apiLogin as string).trim();
    this.#apiKey = (o.apiKey as string).trim();
    this.#policy = clientPolicy('octopush', o, [this.#apiLogin, this.#apiKey], env);
    this.#defaultCountry = o.defaultCountry ?? DEFAULT_COUNTRY;
    this.#onNote = noteHandler(o.onNote, this.#policy);
    // Credentials reach the generated code only through this function, so no object we hold
    // (or an error could reference) has them as a property.
    const configuration = new Configuration({
      basePath: (o.baseUrl ?? BASE_PATH).trim().replace(/\/+$/, ''),
      apiKey: (name: string) => (name === 'api-login' ? this.#apiLogin : this.#apiKey),
      // Every Octopush curl example sends it; harmless where it is not needed.
      headers: { 'cache-control': 'no-cache' },
      fetchApi: guardFetch(o.fetch),
    });
    this.#multichannelApi = new MultichannelApi(configuration);
    this.#smsApi = new SmsCampaignApi(configuration);
    this.#walletApi = new WalletApi(configuration);

    this.multichannel = {
      send: (request, options) => this.#sendMultichannel(request, options),
      cancel: (request, options) => this.#cancelMultichannel(request, options),
    };
    this.sms = {
      send: (request, options) => this.#sendSms(request, options),
      cancel: (request, options) => this.#cancelSms(request, options),
    };
    this.wallet = { balance: (request, options) => this.#balance(request, options) };
  }

  async #sendMultichannel(request: MultichannelSendRequest, options?: RequestOptions): Promise<SendResult<SendMultichannelResponse>> {
    const input = requestObject(request) as Obj;
    const phoneIssues: ValidationIssue[] = [];
    const metadata = { ...asObject(input.metadata) };
    // voice_sms has a single possible type; filling it spares the caller a redundant field.
    if (input.channel === 'voice_sms' && metadata.type === undefined) metadata.type = 'voice_sms';
    const candidate = { ...input, recipients: this.#normalizeRecipients(input.recipients, phoneIssues, input.channel !== 'email'), metadata };
    const checked = defined({ ...candidate, sendAt: sendAtWire(input.sendAt) });
    validate(checks.sendMultichannel.body!, checked, [...phoneIssues, ...collectPlainIssues(candidate, ...multichannelSendRules)], sendAtExplanations(input.sendAt));
    for (const note of sendAtNotes(input.sendAt)) this.#onNote(note);

    const requestId = dedupeKeyOf(metadata.requestId);
    const body = { ...checked, metadata: { ...metadata, requestId } } as unknown as SendMultichannelRequest;
    const result = await this.#run(true, (init) => this.#multichannelApi.sendMultichannelRaw({ sendMultichannelRequest: body }, init), options, requestId);
    return withRequestId(result, requestId);
  }

  async #sendSms(request: SmsSendRequest, options?: RequestOptions): Promise<SendResult<SendSmsCampaignResponse>> {
    const input = requestObject(request) as Obj;
    const phoneIssues: ValidationIssue[] = [];
    const candidate = { ...input, recipients: this.#normalizeRecipients(input.recipients, phoneIssues, true) };
    // Spec DECISION: the opt-out flag has two names (DEV/PHP and the newer RDM); send both alike.
    const optOut = (input.autoRemoveBlacklistedNumbers ?? input.autoDeleteOptoutContacts) as boolean | undefined;
    const checked = defined({ ...candidate, sendAt: sendAtWire(input.sendAt), autoRemoveBlacklistedNumbers: optOut, autoDeleteOptoutContacts: optOut });
    const explanations = [...senderExplanations(candidate), ...sendAtExplanations(input.sendAt)];
    validate(checks.sendSmsCampaign.body!, checked, [...phoneIssues, ...collectPlainIssues(candidate, ...smsSendRules)], explanations);
    for (const note of sendAtNotes(input.sendAt)) this.#onNote(note);

    const requestId = dedupeKeyOf(input.requestId);
    const body = { ...checked, requestId } as unknown as SendSmsCampaignRequest;
    const result = await this.#run(true, (init) => this.#smsApi.sendSmsCampaignRaw({ sendSmsCampaignRequest: body }, init), options, requestId);
    return withRequestId(result, requestId);
  }

  // A repeated cancel cannot cancel twice: Octopush answers it with a 400, so cancels may be retried.
  async #cancelMultichannel(request: MultichannelCancelRequest, options?: RequestOptions): Promise<CancelResult> {
    const input = requestObject(request) as Obj;
    const body = { channel: input.channel, ticketNumber: input.ticketNumber } as CancelMultichannelRequest;
    validate(checks.cancelMultichannel.body!, body, collectPlainIssues(input, ...multichannelCancelRules));
    return this.#run(true, (init) => emptyAnswer(this.#multichannelApi.cancelMultichannelRaw({ cancelMultichannelRequest: body }, init)), options);
  }

  async #cancelSms(request: SmsCancelRequest, options?: RequestOptions): Promise<CancelResult> {
    const input = requestObject(request) as Obj;
    const body = { ticketNumber: input.ticketNumber } as CancelSmsCampaignRequest;
    validate(checks.cancelSmsCampaign.body!, body, collectPlainIssues(input, ...smsCancelRules));
    return this.#run(true, (init) => emptyAnswer(this.#smsApi.cancelSmsCampaignRaw({ cancelSmsCampaignRequest: body }, init)), options);
  }

  async #balance(request: BalanceRequest | undefined, options?: RequestOptions): Promise<WithRequestId<WalletBalance>> {
    const input = requestObject(request, { optional: true }) ?? {};
    const countryCode = typeof input.countryCode === 'string' ? input.countryCode.toUpperCase() : input.countryCode;
    const query = defined({ withDetails: input.withDetails, countryCode, productName: input.productName });
    // Sent as written: `true` as in DEV's curl, `1` as the PHP client sends it.
    const wire = defined({ ...query, withDetails: query.withDetails === undefined ? undefined : String(query.withDetails) });
    validate(checks.getBalance.params!, wire, collectPlainIssues(query, ...balanceRules));
    return this.#run(true, (init) => this.#walletApi.getBalanceRaw(wire as GetBalanceRequest, init), options);
  }

  /** E.164 with `+`, as the spec's pattern asks; invalid numbers become issues at their path. */
  #normalizeRecipients(recipients: unknown, issues: ValidationIssue[], normalize: boolean): unknown {
    if (!Array.isArray(recipients) || !normalize) return recipients;
    return recipients.map((raw: unknown, index) => {
      const recipient = asObject(raw);
      if (recipient.phoneNumber === undefined || recipient.phoneNumber === null) return raw;
      if (typeof recipient.phoneNumber !== 'string') {
        issues.push({ path: ['recipients', index, 'phoneNumber'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string' }) });
        return raw;
      }
      const result = normalizePhone(recipient.phoneNumber, { defaultCountry: this.#defaultCountry });
      if (result.ok) return { ...recipient, phoneNumber: result.e164 };
      const code = `phone_${result.code}` as IssueCode;
      issues.push({ path: ['recipients', index, 'phoneNumber'], code, message: messageFor(code) });
      return raw;
    });
  }

  #run<T>(idempotent: boolean, call: (init: RequestInit) => Promise<RawResponse<T>>, options?: RequestOptions, dedupeKey?: string): Promise<WithRequestId<T>> {
    return execute<T>({ idempotent, attempt: checkedAttempt(call), ...(dedupeKey !== undefined && { dedupeKey }) }, octopushVendor, this.#policy, options);
  }
}

/** The spec's checks of what will be sent (src/generated-checks), with the rules' issues and explanations. */
function validate(shape: ShapeNode, wire: unknown, issues: ValidationIssue[], explanations: ValidationIssue[] = []): void {
  const all = mergeIssues(checkShape(shape, wire, specCodes), issues, shape, explanations);
  if (all.length > 0) throw new ValidationError(all);
}

/**
 * `send_at` on the wire: a string exactly as the caller wrote it (rules.ts has checked it is one of
 * the forms Octopush documents; a zone-less one keeps its documented Central European meaning), a
 * Date as the same instant in the PHP client's `DateTime::ATOM` form, in UTC (`…+00:00`), with
 * milliseconds only when it has some, so the instant is never rounded.
 */
function sendAtWire(value: unknown): unknown {
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    const iso = value.toISOString();
    return `${iso.slice(0, 19)}${iso.endsWith('.000Z') ? '' : iso.slice(19, 23)}+00:00`;
  }
  // Anything else as given, for the spec's check and rules.ts to refuse.
  return value;
}

/** The caller's request_id, or a new one when none (or an empty one, spec DECISION) was given. */
function dedupeKeyOf(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value : crypto.randomUUID();
}

/** An answer without a body as an empty object, so the call's result can carry `response`. */
async function emptyAnswer(answer: Promise<RawResponse<void>>): Promise<RawResponse<Record<never, never>>> {
  const { raw } = await answer;
  return { raw, value: async () => ({}) };
}

function withRequestId<T>(value: WithRequestId<T>, requestId: string): WithRequestId<T> {
  if (typeof value === 'object' && value !== null) {
    Object.defineProperty(value, 'requestId', { value: requestId, enumerable: false, configurable: true });
  }
  return value;
}

async function peekJson(response: Response): Promise<Obj | undefined> {
  if (!response.headers.get('content-type')?.includes('json')) return undefined;
  const body: unknown = await response.clone().json().catch(() => undefined);
  return typeof body === 'object' && body !== null ? (body as Obj) : undefined;
}

/**
 * Two Octopush specifics around each attempt:
 * - a 2xx whose body carries a non-zero `code` is an error (the PHP client tells success from
 *   failure by `code`, and drafts answer `code: 0` on success);
 * - a duplicate `request_id` (code 120) on a retry means an earlier attempt of this very call was
 *   accepted: that is not the caller's mistake, and the message says so.
 */
function checkedAttempt<T>(call: (init: RequestInit) => Promise<RawResponse<T>>): Operation<T>['attempt'] {
  let attempts = 0;
  return async (init) => {
    attempts += 1;
    let response: RawResponse<T>;
    try {
      response = await call(init);
    } catch (error) {
      const failed = (error as { response?: unknown }).response;
      if (attempts > 1 && failed instanceof Response && failed.status === 400 && (await peekJson(failed))?.code === DUPLICATE_REQUEST_ID) {
        throw await apiErrorFromResponse(failed, { parseError: duplicateOnRetry }, true);
      }
      throw error;
    }
    const body = await peekJson(response.raw);
    if (typeof body?.code === 'number' && body.code !== 0) {
      const fields = parseOctopushError(response.raw.status, body);
      throw createApiError({ status: response.raw.status, message: fields.message ?? 'error', headers: Object.fromEntries(response.raw.headers), body, ...defined(fields) });
    }
    return response;
  };
}

function duplicateOnRetry(status: number, body: unknown) {
  return {
    ...parseOctopushError(status, body),
    message: 'Octopush already has a send with this request_id: an earlier attempt of this call was accepted, but its answer was lost',
  };
}
