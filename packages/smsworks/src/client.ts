import { normalizePhone, normalizeRecipients, ValidationError } from '@msgkit/core';
import {
  checkShape,
  clientOptionIssues,
  clientPolicy,
  execute,
  guardFetch,
  mergeIssues,
  messageFor,
  noteHandler,
  pathId,
  processEnv,
  unknownFieldIssues,
  recipientIssuesUnchecked,
  requestObject,
  resolveCredentials,
  wireValue,
  type ClientOptions,
  type ClientPolicy,
  type IssueCode,
  type Note,
  type NoteHandler,
  type Operation,
  type RawResponse,
  type RequestOptions,
  type ShapeNode,
  type ValidationIssue,
  type WithResponse,
} from '@msgkit/core/internal';
import {
  BatchApi,
  Configuration,
  CreditsApi,
  MessagesApi,
  QueryToJSON,
  ScheduledMessageResponseFromJSON,
  type BatchMessage,
  type BatchMessageResponse,
  type CancelledMessageResponse,
  type CreditsResponse,
  type Message,
  type MessageResponse,
  type Query,
  type ScheduledBatchResponse,
  type ScheduledMessageResponse,
  type SendMessageResponse,
} from './generated/index';
import { SMSWORKS_CREDENTIALS } from './credentials';
import { smsWorksVendor } from './errors';
import * as checks from './generated-checks/index';
import { batchIssues, messageIssues, messageListIssues, scheduleNotes, senderExplanations, specCodes, type Mode } from './rules';

/**
 * Options of `new SmsWorksClient(options)`: the account's token (read from the environment when not
 * given), the default country of national numbers, and the client options every msgkit client takes
 * (retries, timeouts, logger, hooks).
 */
export interface SmsWorksClientOptions extends ClientOptions {
  /**
   * The JSON Web Token from the API Key tab of the account page, with or without its leading `JWT `.
   * Not given: read from SMSWORKS_TOKEN (a MissingCredentialsError names it when unset).
   */
  token?: string | undefined;
  /** Default `https://api.thesmsworks.co.uk/v1`. */
  baseUrl?: string | undefined;
  /** Country for numbers written in national form (`07777 777777`); default 'GB'. */
  defaultCountry?: string | undefined;
  /** A fetch implementation; default the global fetch. */
  fetch?: typeof fetch | undefined;
  /**
   * Receives what is sent as given although The SMS Works will take it differently (a `schedule`
   * on a send, which it ignores; a schedule already past). Default: a `warn` log line with logging
   * on, else each distinct note printed once as a `MsgkitNote` process warning. A handler that
   * throws stops the call before anything is sent.
   */
  onNote?: NoteHandler | undefined;
}

/**
 * A send request: a Message without `schedule`, which the send endpoints ignore (use `schedule()`
 * to send later); one given anyway is sent as given, with a note.
 */
export type SendMessageRequest = Omit<Message, 'schedule'>;
/** A schedule request: a Message with the date-time to send it (a Date, or date text). */
export type ScheduleMessageRequest = SendMessageRequest & { schedule: string | Date };
/**
 * A batch send request: a BatchMessage (one text, many `destinations`) without `schedule`, which
 * the send endpoint ignores (use `batch.schedule()`).
 */
export type SendBatchRequest = Omit<BatchMessage, 'schedule'>;
/** A batch schedule request: a batch with the date-time to send it (a Date, or date text). */
export type ScheduleBatchRequest = SendBatchRequest & { schedule: string | Date };
/** Search criteria: the vendor's Query, with the date-time bounds also as Dates and the destination in any common form. */
export type SearchQuery = Omit<Query, 'from' | 'to'> & { from?: string | Date; to?: string | Date };

interface Context {
  batchApi: BatchApi;
  messagesApi: MessagesApi;
  creditsApi: CreditsApi;
  policy: ClientPolicy;
  defaultCountry: string;
  onNote: NoteHandler;
}

// `JWT` alone is the prefix with nothing after it, not a token: it must not become `JWT JWT`.
const JWT_PREFIX = /^JWT(?:[ \t]+|$)/i;
// Visible ASCII only: anything else would make fetch refuse the header and quote it in its error.
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** `JWT <token>`, whether or not the caller's token already starts with `JWT `. */
function authorization(token: unknown): string {
  const bare = typeof token === 'string' ? token.trim().replace(JWT_PREFIX, '') : '';
  if (bare === '' || !TOKEN_CHARS.test(bare)) {
    const message = bare === '' ? 'is required: the JSON Web Token from the API Key tab of your account page' : 'must be a JSON Web Token without spaces or control characters';
    throw new ValidationError([{ path: ['token'], code: bare === '' ? 'required' : 'invalid', message }]);
  }
  return `JWT ${bare}`;
}

/** The SMS Works client: every method validates first and sends nothing when the request is invalid. */
export class SmsWorksClient {
  /** One text to many numbers, many texts in one call, scheduled batches. */
  readonly batch: SmsWorksBatch;
  /** Single messages. */
  readonly messages: SmsWorksMessages;
  /** The account's credits. */
  readonly credits: {
    /** GET /credits/balance: the credits left (a read, never billed; retried like any read). */
    balance(options?: RequestOptions): Promise<CreditsResponse>;
  };
  #authorization: string;

  constructor(options: SmsWorksClientOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new ValidationError([{ path: ['options'], code: 'invalid_type', message: 'must be an object' }]);
    const env = processEnv();
    const o = resolveCredentials('smsworks', SMSWORKS_CREDENTIALS, options, env);
    this.#authorization = authorization(o.token);
    throwIfAny(clientOptionIssues(o, env));
    const configuration = new Configuration({
      ...(o.baseUrl !== undefined && { basePath: o.baseUrl.trim().replace(/\/+$/, '') }),
      // A function, so the token is never a property anyone can print.
      apiKey: () => this.#authorization,
      fetchApi: guardFetch(o.fetch),
    });
    const policy = clientPolicy('smsworks', o, [this.#authorization.slice('JWT '.length)], env);
    const context: Context = {
      batchApi: new BatchApi(configuration),
      messagesApi: new MessagesApi(configuration),
      creditsApi: new CreditsApi(configuration),
      policy,
      defaultCountry: o.defaultCountry ?? 'GB',
      onNote: noteHandler(o.onNote, policy),
    };
    this.batch = new SmsWorksBatch(context);
    this.messages = new SmsWorksMessages(context);
    this.credits = { balance: (options) => run(context, true, options, (init) => context.creditsApi.getCreditsRaw(init)) };
  }
}

/** `client.batch`: one text to many numbers, many texts in one call, scheduled batches, their lookup and cancellation. */
export class SmsWorksBatch {
  #context: Context;

  constructor(context: Context) {
    this.#context = context;
  }

  /** One text to up to 5000 numbers (duplicates are sent once). Paid, and never retried once it may have arrived. */
  async send(request: SendBatchRequest, options?: RequestOptions): Promise<WithResponse<BatchMessageResponse>> {
    const notes: Note[] = [];
    const batchMessage = batchWire(requestObject(request), 'send', this.#context, notes, checks.sendBatch.body!);
    tell(this.#context, notes);
    return run(this.#context, false, options, (init) => this.#context.batchApi.sendBatchRaw({ batchMessage }, init));
  }

  /** Up to 5000 distinct messages in one call. Paid, and never retried once it may have arrived. */
  async sendAny(messages: readonly SendMessageRequest[], options?: RequestOptions): Promise<WithResponse<BatchMessageResponse>> {
    const checked = wireValue(messages);
    throwIfAny(checked.issues);
    const issues = messageListIssues(checked.value);
    const explanations: ValidationIssue[] = [];
    const notes: Note[] = [];
    const wire = Array.isArray(checked.value)
      ? checked.value.map((message, index) => messageWire(message, 'send', this.#context, issues, notes, [index], explanations))
      : checked.value;
    throwIfAny(specIssues(checks.sendAnyBatch.body!, wire, issues, explanations));
    tell(this.#context, notes);
    return run(this.#context, false, options, (init) => this.#context.batchApi.sendAnyBatchRaw({ messages: wire as Message[] }, init));
  }

  /** One text to up to 5000 numbers at `schedule`. Billed like a send, so never retried once it may have arrived. */
  async schedule(request: ScheduleBatchRequest, options?: RequestOptions): Promise<WithResponse<ScheduledBatchResponse>> {
    const notes: Note[] = [];
    const batchMessage = batchWire(requestObject(request), 'schedule', this.#context, notes, checks.scheduleBatch.body!);
    tell(this.#context, notes);
    return run(this.#context, false, options, (init) => this.#context.batchApi.scheduleBatchRaw({ batchMessage }, init));
  }

  /** Every message of a batch. */
  async get(batchId: string, options?: RequestOptions): Promise<WithResponse<MessageResponse[]>> {
    const batchid = idParam(batchId, 'batchId');
    return run(this.#context, true, options, (init) => this.#context.batchApi.getBatchRaw({ batchid }, init));
  }

  /** Cancels a scheduled batch; the answer's `messageid` holds the batch id. */
  async cancelScheduled(batchId: string, options?: RequestOptions): Promise<WithResponse<CancelledMessageResponse>> {
    const batchid = idParam(batchId, 'batchId');
    return run(this.#context, true, options, (init) => this.#context.batchApi.cancelScheduledBatchRaw({ batchid }, init));
  }
}

/** `client.messages`: single messages, sent now or scheduled, and looked up by id. */
export class SmsWorksMessages {
  #context: Context;

  constructor(context: Context) {
    this.#context = context;
  }

  /** Sends one SMS now. Paid, and never retried once it may have arrived. */
  async send(request: SendMessageRequest, options?: RequestOptions): Promise<WithResponse<SendMessageResponse>> {
    const issues: ValidationIssue[] = [];
    const notes: Note[] = [];
    const explanations: ValidationIssue[] = [];
    const message = messageWire(requestObject(request), 'send', this.#context, issues, notes, [], explanations);
    throwIfAny(specIssues(checks.sendMessage.body!, message, issues, explanations));
    tell(this.#context, notes);
    return run(this.#context, false, options, (init) => this.#context.messagesApi.sendMessageRaw({ message }, init));
  }

  /** Schedules one SMS. Billed like a send, so never retried once it may have arrived. */
  async schedule(request: ScheduleMessageRequest, options?: RequestOptions): Promise<WithResponse<ScheduledMessageResponse[]>> {
    const issues: ValidationIssue[] = [];
    const notes: Note[] = [];
    const explanations: ValidationIssue[] = [];
    const message = messageWire(requestObject(request), 'schedule', this.#context, issues, notes, [], explanations);
    throwIfAny(specIssues(checks.scheduleMessage.body!, message, issues, explanations));
    tell(this.#context, notes);
    return run(this.#context, false, options, async (init) => asList(await this.#context.messagesApi.scheduleMessageRaw({ message }, init)));
  }

  /**
   * Logged messages matching every criterion given: up to `limit` (default 1000), paged with
   * `skip`; an empty list when none matches. A read, so retried like one.
   */
  async search(query: SearchQuery, options?: RequestOptions): Promise<MessageResponse[]> {
    const wire = searchWire(requestObject(query), this.#context);
    return run(this.#context, true, options, (init) => this.#context.messagesApi.searchMessagesRaw({ query: wire }, init));
  }

  /** One logged message. */
  async get(messageId: string, options?: RequestOptions): Promise<WithResponse<MessageResponse>> {
    const messageid = idParam(messageId, 'messageId');
    return run(this.#context, true, options, (init) => this.#context.messagesApi.getMessageRaw({ messageid }, init));
  }
}

/**
 * No send carries a deduplication key, and The SMS Works documents no rate limit at all: no 429 in
 * its specs or in the batch page (seed 002; shared/vendors/smsworks.md lists none). So a 429 is
 * not known to be a refusal before any work, and a paid request is not repeated after one: its
 * error says the outcome is unknown. Reads and cancels are still retried.
 */
async function run<T>(context: Context, idempotent: boolean, options: RequestOptions | undefined, attempt: Operation<T>['attempt']): Promise<WithResponse<T>> {
  return execute({ idempotent, attempt }, smsWorksVendor, context.policy, options);
}

function throwIfAny(issues: ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}

/** The spec's checks of what will be sent (src/generated-checks) with the rules' issues and explanations. */
function specIssues(shape: ShapeNode, wire: unknown, issues: ValidationIssue[], explanations: ValidationIssue[]): ValidationIssue[] {
  return mergeIssues(checkShape(shape, wire, specCodes), issues, shape, explanations);
}

/** Versions up to 1.5.0 answered one object, 1.8.0 on an array: callers always get the array. */
function asList(response: RawResponse<ScheduledMessageResponse[]>): RawResponse<ScheduledMessageResponse[]> {
  return {
    raw: response.raw,
    value: async () => {
      const json: unknown = await response.raw.json();
      return (Array.isArray(json) ? json : [json]).map(ScheduledMessageResponseFromJSON);
    },
  };
}

/** An id for the URL path: `.`, `..`, `a/b` or `%2e%2e` would address another resource. */
function idParam(id: unknown, name: string): string {
  if (typeof id === 'string' && id.trim() !== '') return pathId(id, name);
  const issue = id === undefined || id === null
    ? { path: [name], code: 'required', message: messageFor('required') }
    : { path: [name], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a non-empty string' }) };
  throw new ValidationError([issue]);
}

/** Digits with the country code and no `+`, as the vendor documents (`447777777777`). */
const digitsOnly = (e164: string) => e164.slice(1);

/** Checks one Message and returns what goes on the wire; issues are appended, paths prefixed. */
function messageWire(
  request: SendMessageRequest | ScheduleMessageRequest,
  mode: Mode,
  context: Context,
  issues: ValidationIssue[],
  notes: Note[],
  at: (string | number)[],
  explanations: ValidationIssue[],
): Message {
  const found = messageIssues(request, mode);
  for (const issue of senderExplanations(request)) explanations.push({ ...issue, path: [...at, ...issue.path] });
  const raw = (request as { destination?: unknown } | null | undefined)?.destination;
  let destination = '';
  if (raw === undefined || raw === null) found.push({ path: ['destination'], code: 'required', message: messageFor('required') });
  else if (typeof raw !== 'string') found.push({ path: ['destination'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a string' }) });
  else {
    const phone = normalizePhone(raw, { defaultCountry: context.defaultCountry });
    if (phone.ok) destination = digitsOnly(phone.e164);
    else {
      const code = `phone_${phone.code}` as IssueCode;
      found.push({ path: ['destination'], code, message: messageFor(code) });
    }
  }
  for (const issue of found) issues.push({ ...issue, path: [...at, ...issue.path] });
  return withSchedule({ ...request, destination } as Message, request, mode, notes, at);
}

/** Checks a BatchMessage, throwing every issue at once, and returns what goes on the wire. */
function batchWire(request: SendBatchRequest | ScheduleBatchRequest, mode: Mode, context: Context, notes: Note[], shape: ShapeNode): BatchMessage {
  const issues = batchIssues(request, mode);
  const destinations = (request as { destinations?: unknown } | null | undefined)?.destinations;
  let valid: string[] = [];
  if (Array.isArray(destinations)) {
    const strings = destinations.map((d) => (typeof d === 'string' ? d : ''));
    const recipients = normalizeRecipients(strings, { defaultCountry: context.defaultCountry });
    issues.push(...recipientIssuesUnchecked(recipients.invalid, ['destinations']));
    valid = recipients.valid.map(digitsOnly);
  }
  const wire = withSchedule({ ...request, destinations: Array.isArray(destinations) ? valid : destinations } as BatchMessage, request, mode, notes, []);
  throwIfAny(specIssues(shape, wire, issues, senderExplanations(request)));
  return wire;
}

const NAIVE_DATE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A Date, or date text (one without a zone read as UTC, as core's scheduleDate rule reads it). */
function readDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = typeof value === 'string' ? value.trim() : '';
  return new Date(NAIVE_DATE.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}

const wholeNumber = (value: unknown, min: number): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/**
 * The search criteria as they go on the wire: the destination as the vendor stores numbers
 * (digits, country code first), the date bounds as ISO 8601 UTC (the vendor parses free date
 * text; this is the one form that reads the same everywhere). Every issue at once.
 */
function searchWire(query: SearchQuery, context: Context): Query {
  const issues: ValidationIssue[] = [];
  const wire = { ...query } as Record<string, unknown>;
  const typeIssue = (field: string, expected: string) => issues.push({ path: [field], code: 'invalid_type', message: messageFor('invalid_type', { expected }) });
  if (query.destination !== undefined) {
    if (typeof query.destination !== 'string') typeIssue('destination', 'a string');
    else {
      const phone = normalizePhone(query.destination, { defaultCountry: context.defaultCountry });
      if (phone.ok) wire['destination'] = digitsOnly(phone.e164);
      else {
        const code = `phone_${phone.code}` as IssueCode;
        issues.push({ path: ['destination'], code, message: messageFor(code) });
      }
    }
  }
  for (const field of ['from', 'to'] as const) {
    if (query[field] === undefined) continue;
    const date = readDate(query[field]);
    if (Number.isNaN(date.getTime())) issues.push({ path: [field], code: 'date_invalid', message: messageFor('date_invalid') });
    else wire[field] = date.toISOString();
  }
  for (const field of ['status', 'sender', 'keyword'] as const) if (query[field] !== undefined && typeof query[field] !== 'string') typeIssue(field, 'a string');
  if (query.limit !== undefined && !wholeNumber(query.limit, 1)) typeIssue('limit', 'a whole number ≥ 1');
  if (query.skip !== undefined && !wholeNumber(query.skip, 0)) typeIssue('skip', 'a whole number ≥ 0');
  if (query.credits !== undefined && !(typeof query.credits === 'number' && Number.isFinite(query.credits))) typeIssue('credits', 'a number');
  if (query.unread !== undefined && typeof query.unread !== 'boolean') typeIssue('unread', 'true or false');
  issues.push(...unknownFieldIssues(wire, QueryToJSON(wire as Query)));
  throwIfAny(issues);
  return wire as Query;
}

/**
 * The vendor parses free date text; ISO 8601 in UTC is the one form that reads the same everywhere.
 * What the schedule means at this endpoint is added to `notes` (scheduleNotes).
 */
function withSchedule<T extends { schedule?: string }>(wire: T, request: object, mode: Mode, notes: Note[], at: (string | number)[]): T {
  const schedule = (request as { schedule?: unknown } | null)?.schedule;
  if (schedule === undefined) return wire;
  const date = readDate(schedule);
  notes.push(...scheduleNotes(mode, date, at));
  // An invalid date has already been reported as an issue (schedule) or is the vendor's to ignore (send).
  return Number.isNaN(date.getTime()) ? wire : { ...wire, schedule: date.toISOString() };
}

/** Hands the notes of a request that passed every check to the client's handler, before the wire. */
function tell(context: Context, notes: readonly Note[]): void {
  for (const note of notes) context.onNote(note);
}
