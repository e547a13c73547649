/**
 * SmscxClient: the SMS and Multichannel APIs of SMS.CX over the generated client. Every method
 * normalizes phone numbers to E.164, checks the body against the spec (src/generated-checks) and
 * src/rules.ts (throwing one ValidationError with every issue, before any request), builds the body
 * once, and runs it under core's HTTP policy.
 */
import { ValidationError, normalizePhone, normalizeRecipients } from '@msgkit/core';
import {
  checkShape,
  clientOptionIssues,
  clientPolicy,
  collectPlainRequestIssues,
  credentialIssues,
  execute,
  guardFetch,
  mergeIssues,
  messageFor,
  noteHandler,
  processEnv,
  recipientIssuesUnchecked,
  requestObject,
  resolveCredentials,
  type ClientOptions,
  type ClientPolicy,
  type NoteHandler,
  type Operation,
  type RequestOptions,
  type ValidationIssue,
  type WithRequestId,
} from '@msgkit/core/internal';
import { AccountApi, MultichannelApi, ReportsApi, SmsApi } from './generated/apis/index';
import { Configuration, type FetchAPI } from './generated/runtime';
import type {
  AccountBalance,
  CampaignReportResponse,
  DeleteScheduledCampaignResponse,
  DeleteScheduledMessageResponse,
  EstimateMultichannelCampaignRequest,
  EstimateMultichannelRequest,
  EstimateSmsCampaignRequest,
  EstimateSmsRequest,
  SendMultichannelCampaignRequest,
  SendMultichannelCampaignResponse,
  SendMultichannelRequest,
  SendMultichannelResponse,
  SendSmsCampaignRequest,
  SendSmsCampaignResponse,
  SendSmsRequest,
  SendSmsResponse,
  SingleReportResponse,
  StrategyChannel,
  StrategyChannelChannelEnum,
  Transliteration,
  TransliterationAlphabetEnum,
} from './generated/models/index';
import { SMSCX_CREDENTIALS } from './credentials';
import { smscxVendor } from './errors';
import { INVALID_NUMBER_CODE, INVALID_REPORT_ID, paramIssues, rules, type ParamsOperation, specCodes, toScheduledDate, trackDataNotes, type OperationRules } from './rules';

/**
 * Options of `new SmscxClient(options)`: one credential (`apiKey` or `accessToken`), and the client
 * options every msgkit client takes (retries, timeouts, logger, hooks).
 *
 * Every option is optional: a credential not given is read from SMSCX_API_KEY, else
 * SMSCX_ACCESS_TOKEN (a MissingCredentialsError names them when neither is set).
 */
export interface SmscxClientOptions extends ClientOptions {
  /** Sent as `X-API-KEY`. Give at most one of `apiKey` and `accessToken`; given, the environment is not read. */
  apiKey?: string | undefined;
  /** An OAuth2 access token, sent as `Authorization: Bearer <token>`. */
  accessToken?: string | undefined;
  /** Default `https://api.sms.cx`. */
  baseUrl?: string | undefined;
  /** Country (ISO 3166-1 alpha-2) for numbers written without a country code; a request's `countryIso` wins. */
  defaultCountry?: string | undefined;
  fetch?: FetchAPI | undefined;
  /**
   * Receives what is sent as given although SMS.CX will take it differently (a `trackData` it may
   * discard). Default: a `warn` log line with logging on, else each distinct note printed once as a
   * `MsgkitNote` process warning. A handler that throws stops the call before anything is sent.
   */
  onNote?: NoteHandler | undefined;
}

// The generated enums are TypeScript enums, which plain string literals do not satisfy; callers may
// write either `'sms'` or `StrategyChannelChannelEnum.Sms`.
/**
 * One step of a multichannel `strategy`: the generated `StrategyChannel` with `channel` also taken
 * as a plain string (`'viber'`, `'whatsapp'`, `'sms'`).
 */
export type StrategyStep = Omit<StrategyChannel, 'channel'> & { channel: `${StrategyChannelChannelEnum}` };
/**
 * The `transliteration` of an SMS request, with `alphabet` also taken as a plain string
 * (`'TURKISH'`, …).
 */
export type TransliterationOptions = Omit<Transliteration, 'alphabet'> & { alphabet: `${TransliterationAlphabetEnum}` };
/**
 * `scheduledDate` may also be a Date: it is sent as the documented `YYYY-MM-DD HH:MM:SS` in UTC
 * (the meaning of the default `isUtc: true`); with `isUtc: false` give the wall-clock string.
 */
type WithSchedule<T extends { scheduledDate?: string }> = Omit<T, 'scheduledDate'> & { scheduledDate?: string | Date };
type WithTransliteration<T extends { transliteration?: Transliteration; scheduledDate?: string }> = Omit<WithSchedule<T>, 'transliteration'> & { transliteration?: TransliterationOptions };
type WithStrategy<T extends { strategy: StrategyChannel[]; scheduledDate?: string }> = Omit<WithSchedule<T>, 'strategy'> & { strategy: StrategyStep[] };

/**
 * The body of `client.sms.send`: SMS.CX's `SendSmsRequest`, with `scheduledDate` also taken as a
 * Date.
 */
export type SmsSendRequest = WithTransliteration<SendSmsRequest>;
/** The body of `client.sms.estimate`: the same fields as a send, checked the same way. */
export type SmsEstimateRequest = WithTransliteration<EstimateSmsRequest>;
/**
 * The body of `client.sms.sendCampaign`: a text to the contacts of SMS.CX groups (`groups`) instead
 * of numbers.
 */
export type SmsCampaignRequest = WithTransliteration<SendSmsCampaignRequest>;
/** The body of `client.sms.estimateCampaign`. */
export type SmsCampaignEstimateRequest = WithTransliteration<EstimateSmsCampaignRequest>;
/**
 * The body of `client.multichannel.send`: the channels to try in `strategy` order, SMS last as the
 * failover.
 */
export type MultichannelSendRequest = WithStrategy<SendMultichannelRequest>;
/** The body of `client.multichannel.estimate`. */
export type MultichannelEstimateRequest = WithStrategy<EstimateMultichannelRequest>;
/**
 * The body of `client.multichannel.sendCampaign`: a strategy sent to the contacts of SMS.CX groups.
 */
export type MultichannelCampaignRequest = WithStrategy<SendMultichannelCampaignRequest>;
/** The body of `client.multichannel.estimateCampaign`. */
export type MultichannelCampaignEstimateRequest = WithStrategy<EstimateMultichannelCampaignRequest>;

export type { RequestOptions, WithRequestId };

/** A page of the campaign report: its size (1–500, default 500) and a cursor from `paging`. */
export interface CampaignReportQuery {
  limit?: number;
  next?: string;
  previous?: string;
  /** Only `info`, with an empty `data`. */
  shortResponse?: boolean;
}

interface Context {
  sms: SmsApi;
  multichannel: MultichannelApi;
  account: AccountApi;
  reports: ReportsApi;
  policy: ClientPolicy;
  defaultCountry: string | undefined;
  onNote: NoteHandler;
}

/** The fields `prepare` reads or writes; the rest of a request passes through untouched. */
interface AnyRequest {
  to?: unknown;
  countryIso?: unknown;
  allowInvalid?: unknown;
  idempotencyId?: unknown;
  scheduledDate?: unknown;
  isUtc?: unknown;
  trackData?: unknown;
}

/**
 * Builds the body as it will be sent: numbers in E.164 (deduplicated), and for a paid send an
 * `idempotencyId` generated here, once, so every retry of this logical send carries the same one.
 */
function prepare<T extends object>(ctx: Context, request: T, operation: OperationRules, paid: boolean): T {
  // requestObject hands back a copy of a plain request; a class instance comes back as given and is copied here.
  const read = requestObject(request);
  const body: AnyRequest = read === request ? { ...read } : read;
  if (body.scheduledDate !== undefined) body.scheduledDate = toScheduledDate(body.scheduledDate, body.isUtc);
  const issues: ValidationIssue[] = [];
  let callerIndex = (sent: number) => sent;
  let allStrings = Array.isArray(body.to);
  if (allStrings) {
    const to = body.to as unknown[];
    for (let index = 0; index < to.length; index++) {
      if (typeof to[index] === 'string') continue;
      issues.push({ path: ['to', index], code: 'invalid_type', message: 'must be a string' });
      allStrings = false;
    }
  }
  if (allStrings) {
    const defaultCountry = typeof body.countryIso === 'string' ? body.countryIso : ctx.defaultCountry;
    const { valid, invalid } = normalizeRecipients(body.to as string[], defaultCountry === undefined ? undefined : { defaultCountry });
    if (body.allowInvalid === true) {
      // The vendor skips these and lists them in `info.invalid`; sending them keeps that report whole.
      const inputs = body.to as string[];
      body.to = invalid.length === 0 ? valid : [...valid, ...invalid.map((item) => item.input)];
      const e164 = (input: string) => {
        const read = normalizePhone(input, defaultCountry === undefined ? undefined : { defaultCountry });
        return read.ok ? read.e164 : undefined;
      };
      callerIndex = (sent) => (sent >= valid.length ? invalid[sent - valid.length]!.index : inputs.findIndex((input) => e164(input) === valid[sent]));
    } else {
      body.to = valid;
      if (invalid.length > 0) issues.push(...recipientIssuesUnchecked(invalid, ['to'], invalid.length === 1 ? INVALID_NUMBER_CODE.one : INVALID_NUMBER_CODE.several));
    }
  }
  const phoneIssues = issues.length;
  // `body` is a plain copy (requestObject's, spread): its rules run without zod's object parse.
  issues.push(...collectPlainRequestIssues(body as never, ...operation.checks));
  // An issue at a number that went out points at the caller's own entry.
  const shaped = checkShape(operation.shape, body, specCodes).map((issue) =>
    issue.path[0] === 'to' && typeof issue.path[1] === 'number' ? { ...issue, path: ['to', callerIndex(issue.path[1]), ...issue.path.slice(2)] } : issue,
  );
  const found = mergeIssues(shaped, issues, operation.shape).filter(
    // A list left empty only by its invalid numbers already has an issue for each of them.
    (issue) => !(issue.code === 'recipients_empty' && phoneIssues > 0 && issue.path.length === 1 && issue.path[0] === 'to'),
  );
  if (found.length > 0) throw new ValidationError(found);
  // Generated after the checks, which read a caller's own key: randomUUID's lowercase v4 is the
  // spec's shape, and checking it would cost every send two pattern tests.
  if (paid && body.idempotencyId === undefined) body.idempotencyId = crypto.randomUUID();
  for (const note of trackDataNotes(body)) ctx.onNote(note);
  return body as T;
}

/**
 * `dedupeKey`: the paid sends' idempotencyId, which errors hand back so a resend cannot bill twice.
 * Sends carry one, so a 429 is retried with the same key even though SMS.CX does not say a 429
 * is refused before any work (seeds 000/001 list 429 with X-Rate-Limit-* headers on every
 * endpoint and nothing more); a send that ends on a 429 is therefore reported outcome-unknown.
 */
function run<T>(ctx: Context, idempotent: boolean, attempt: Operation<T>['attempt'], options: RequestOptions | undefined, dedupeKey?: string): Promise<WithRequestId<T>> {
  return execute({ idempotent, attempt, ...(dedupeKey !== undefined && { dedupeKey }) }, smscxVendor, ctx.policy, options);
}

/** Path ids: lowercase UUIDs; a pasted upper-case one is lowered rather than refused. */
function lowered(value: string): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** An operation's parameters, checked against the spec's (and `hand`) before anything is sent. */
function checkedParams<T extends Record<string, unknown>>(operation: ParamsOperation, params: T, hand?: ValidationIssue[], vendorCode?: number): T {
  const issues = paramIssues(operation, params, hand, vendorCode);
  if (issues.length > 0) throw new ValidationError(issues);
  return params;
}

/** `client.sms`: one text to a list of numbers or to contact groups. */
export class SmsMethods {
  readonly #ctx: Context;
  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** Paid. Retried safely: the body carries an `idempotencyId` (yours, or one generated per call). */
  async send(request: SmsSendRequest, options?: RequestOptions): Promise<WithRequestId<SendSmsResponse>> {
    const sendSmsRequest = prepare(this.#ctx, request, rules.sms.send, true) as SendSmsRequest;
    return run(this.#ctx, true, (init) => this.#ctx.sms.sendSmsRaw({ sendSmsRequest }, init), options, sendSmsRequest.idempotencyId);
  }

  /** Free dry run of `send`: same checks, same answer, nothing sent or billed. */
  async estimate(request: SmsEstimateRequest, options?: RequestOptions): Promise<WithRequestId<SendSmsResponse>> {
    const estimateSmsRequest = prepare(this.#ctx, request, rules.sms.estimate, false) as EstimateSmsRequest;
    return run(this.#ctx, true, (init) => this.#ctx.sms.estimateSmsRaw({ estimateSmsRequest }, init), options);
  }

  /** Paid. Sends to every contact of the given groups; deduplicated by `idempotencyId` like `send`. */
  async sendCampaign(request: SmsCampaignRequest, options?: RequestOptions): Promise<WithRequestId<SendSmsCampaignResponse>> {
    const sendSmsCampaignRequest = prepare(this.#ctx, request, rules.sms.sendCampaign, true) as SendSmsCampaignRequest;
    return run(this.#ctx, true, (init) => this.#ctx.sms.sendSmsCampaignRaw({ sendSmsCampaignRequest }, init), options, sendSmsCampaignRequest.idempotencyId);
  }

  /** Free dry run of `sendCampaign`: same checks, same answer, nothing sent or billed. */
  async estimateCampaign(request: SmsCampaignEstimateRequest, options?: RequestOptions): Promise<WithRequestId<SendSmsCampaignResponse>> {
    const estimateSmsCampaignRequest = prepare(this.#ctx, request, rules.sms.estimateCampaign, false) as EstimateSmsCampaignRequest;
    return run(this.#ctx, true, (init) => this.#ctx.sms.estimateSmsCampaignRaw({ estimateSmsCampaignRequest }, init), options);
  }

  /** Deletes a scheduled message and refunds it; repeating a delete cannot refund twice. */
  async deleteScheduled(msgId: string, options?: RequestOptions): Promise<WithRequestId<DeleteScheduledMessageResponse>> {
    const params = checkedParams('deleteScheduledSms', { msgId: lowered(msgId) });
    return run(this.#ctx, true, (init) => this.#ctx.sms.deleteScheduledSmsRaw(params, init), options);
  }

  /** Deletes a scheduled SMS campaign and refunds it; repeating a delete cannot refund twice. */
  async deleteScheduledCampaign(campaignId: string, options?: RequestOptions): Promise<WithRequestId<DeleteScheduledCampaignResponse>> {
    const params = checkedParams('deleteScheduledSmsCampaign', { campaignId: lowered(campaignId) });
    return run(this.#ctx, true, (init) => this.#ctx.sms.deleteScheduledSmsCampaignRaw(params, init), options);
  }
}

/** `client.multichannel`: Viber / WhatsApp with SMS failover, tried in `strategy` order. */
export class MultichannelMethods {
  readonly #ctx: Context;
  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** Paid. Retried safely: the body carries an `idempotencyId` (yours, or one generated per call). */
  async send(request: MultichannelSendRequest, options?: RequestOptions): Promise<WithRequestId<SendMultichannelResponse>> {
    const sendMultichannelRequest = prepare(this.#ctx, request, rules.multichannel.send, true) as SendMultichannelRequest;
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.sendMultichannelRaw({ sendMultichannelRequest }, init), options, sendMultichannelRequest.idempotencyId);
  }

  /** Free dry run of `send`: same checks, same answer, nothing sent or billed. */
  async estimate(request: MultichannelEstimateRequest, options?: RequestOptions): Promise<WithRequestId<SendMultichannelResponse>> {
    const estimateMultichannelRequest = prepare(this.#ctx, request, rules.multichannel.estimate, false) as EstimateMultichannelRequest;
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.estimateMultichannelRaw({ estimateMultichannelRequest }, init), options);
  }

  /**
   * Paid. Sends the strategy to every contact of the given groups; deduplicated by `idempotencyId`
   * like `send`.
   */
  async sendCampaign(request: MultichannelCampaignRequest, options?: RequestOptions): Promise<WithRequestId<SendMultichannelCampaignResponse>> {
    const sendMultichannelCampaignRequest = prepare(this.#ctx, request, rules.multichannel.sendCampaign, true) as SendMultichannelCampaignRequest;
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.sendMultichannelCampaignRaw({ sendMultichannelCampaignRequest }, init), options, sendMultichannelCampaignRequest.idempotencyId);
  }

  /** Free dry run of `sendCampaign`: same checks, same answer, nothing sent or billed. */
  async estimateCampaign(request: MultichannelCampaignEstimateRequest, options?: RequestOptions): Promise<WithRequestId<SendMultichannelCampaignResponse>> {
    const estimateMultichannelCampaignRequest = prepare(this.#ctx, request, rules.multichannel.estimateCampaign, false) as EstimateMultichannelCampaignRequest;
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.estimateMultichannelCampaignRaw({ estimateMultichannelCampaignRequest }, init), options);
  }

  /** Deletes a scheduled multichannel message and refunds it; repeating a delete cannot refund twice. */
  async deleteScheduled(msgId: string, options?: RequestOptions): Promise<WithRequestId<DeleteScheduledMessageResponse>> {
    const params = checkedParams('deleteScheduledMultichannel', { msgId: lowered(msgId) });
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.deleteScheduledMultichannelRaw(params, init), options);
  }

  /** Deletes a scheduled multichannel campaign and refunds it; repeating a delete cannot refund twice. */
  async deleteScheduledCampaign(campaignId: string, options?: RequestOptions): Promise<WithRequestId<DeleteScheduledCampaignResponse>> {
    const params = checkedParams('deleteScheduledMultichannelCampaign', { campaignId: lowered(campaignId) });
    return run(this.#ctx, true, (init) => this.#ctx.multichannel.deleteScheduledMultichannelCampaignRaw(params, init), options);
  }
}

const CAMPAIGN_REPORT_QUERY = ['limit', 'next', 'previous', 'shortResponse'] as const;

/**
 * What the spec's parameters do not say about a campaign report's page (their limits are checked
 * against the spec): a field the generated request would drop, and an empty paging cursor.
 */
function campaignReportRules(page: CampaignReportQuery): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(page)) {
    if (!(CAMPAIGN_REPORT_QUERY as readonly string[]).includes(key) && (page as Record<string, unknown>)[key] !== undefined) {
      issues.push({ path: [key], code: 'unknown_field', message: messageFor('unknown_field', { why: `it would not be sent (the fields are ${CAMPAIGN_REPORT_QUERY.join(', ')})` }) });
    }
  }
  for (const name of ['next', 'previous'] as const) {
    if (page[name] === '') issues.push({ path: [name], code: 'invalid_type', message: 'must be a cursor from paging' });
  }
  return issues;
}

/** `client.reports`: what became of sent messages, by the ids a send returned. Reads, retried like any. */
export class ReportMethods {
  readonly #ctx: Context;
  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** One sent message and its delivery status, by the `msgId` a send returned (404 / 1160 when SMS.CX lists none). */
  async single(msgId: string, options?: RequestOptions): Promise<WithRequestId<SingleReportResponse>> {
    const params = checkedParams('getSingleReport', { msgId: lowered(msgId) }, [], INVALID_REPORT_ID);
    return run(this.#ctx, true, (init) => this.#ctx.reports.getSingleReportRaw(params, init), options);
  }

  /**
   * A sent campaign and one page of its messages, by the `info.campaignId` a send returned; the
   * next page is `{ next: result.paging.next }` (404 / 1150 when SMS.CX lists none).
   */
  async campaign(campaignId: string, query?: CampaignReportQuery, options?: RequestOptions): Promise<WithRequestId<CampaignReportResponse>> {
    const page = requestObject(query, { optional: true }) ?? {};
    const params = checkedParams('getCampaignReport', { ...page, campaignId: lowered(campaignId) }, campaignReportRules(page));
    return run(this.#ctx, true, (init) => this.#ctx.reports.getCampaignReportRaw(params, init), options);
  }
}

/**
 * The SMS.CX client: `client.sms` and `client.multichannel`. Every request is checked against
 * SMS.CX's rules before the wire (a `ValidationError` with SMS.CX's codes), numbers go out as
 * E.164, and a paid send is retried only with its `idempotencyId`, so it is never billed twice.
 */
export class SmscxClient {
  readonly sms: SmsMethods;
  readonly multichannel: MultichannelMethods;
  readonly account: {
    /** GET /account/balance: balance, currency (eur, usd) and billing (prepaid, postpaid). A read, never billed. */
    balance(options?: RequestOptions): Promise<WithRequestId<AccountBalance>>;
  };
  readonly reports: ReportMethods;

  constructor(options: SmscxClientOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new ValidationError([{ path: ['options'], code: 'invalid_type', message: 'must be an object' }]);
    const env = processEnv();
    const o = resolveCredentials('smscx', SMSCX_CREDENTIALS, options, env);
    const hasKey = o.apiKey !== undefined;
    if (hasKey && o.accessToken !== undefined) throw new ValidationError([{ path: ['apiKey'], code: 'invalid', message: 'give apiKey or accessToken, not both' }], 'SmscxClient: give apiKey or accessToken, not both');
    const issues = [
      ...(hasKey ? credentialIssues(o.apiKey, 'apiKey', 'the API key, sent as X-API-KEY') : credentialIssues(o.accessToken, 'accessToken', 'an OAuth2 access token')),
      ...clientOptionIssues(o, env),
    ];
    if (issues.length > 0) throw new ValidationError(issues);
    // The secret lives only in this closure: the generated Configuration (a plain object that
    // util.inspect would print) holds a function, never the string.
    const secret = ((hasKey ? o.apiKey : o.accessToken) as string).trim();
    const configuration = new Configuration({
      ...(o.baseUrl !== undefined && { basePath: o.baseUrl.trim().replace(/\/+$/, '') }),
      fetchApi: guardFetch(o.fetch),
      ...(hasKey ? { apiKey: () => secret } : { accessToken: () => secret }),
    });
    const policy = clientPolicy('smscx', o, [secret], env);
    // Built once: a generated API instance per call would cost every send its construction.
    const ctx: Context = {
      sms: new SmsApi(configuration),
      multichannel: new MultichannelApi(configuration),
      account: new AccountApi(configuration),
      reports: new ReportsApi(configuration),
      policy,
      defaultCountry: o.defaultCountry,
      onNote: noteHandler(o.onNote, policy),
    };
    this.sms = new SmsMethods(ctx);
    this.multichannel = new MultichannelMethods(ctx);
    this.account = { balance: (options) => run(ctx, true, (init) => ctx.account.getAccountBalanceRaw(init), options) };
    this.reports = new ReportMethods(ctx);
  }
}
