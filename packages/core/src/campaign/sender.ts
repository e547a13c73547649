/**
 * The one contract between a vendor and everything that sends campaigns (the CLI, the queue,
 * failover): each provider package exports a `CampaignSender` built on its client, and owns the
 * facts below. Nothing outside a provider package knows a vendor's batch size, dedupe field,
 * credential variables or refusal codes.
 */
import type { BatchOutcome } from '../batch/journal';
import type { ValidationIssue } from '../errors';
import type { LookupOptions, LookupQuery, LookupResult, StatusLookupFact } from './lookup';

/** What every recipient of a batch receives. */
export interface CampaignMessage {
  text: string;
  /** The sender id. A vendor that sets it elsewhere (Infobip: the OMNI scenario) says so in `validate`. */
  from?: string;
  /**
   * Vendor options, by sender name: `{ octopush: { type: 'sms_premium', purpose: 'alert' } }`.
   * Each sender lists its own in `options` (never assumed: a required one missing is a
   * ValidationError naming it; an unknown one is refused, so a typo cannot be ignored).
   */
  options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Options of `CampaignSender.send` for one batch. */
export interface SendOptions {
  /**
   * The batch's key, the same on every attempt of this batch (e.g. `batchDedupeKey`). Sent as the
   * vendor's dedupe field where it has one (`dedupe.field`); where the vendor lets the client choose
   * ids (`clientIds`), they are derived from it, so a batch whose answer was lost can be looked up.
   */
  dedupeKey?: string;
  signal?: AbortSignal;
  /** Where the vendor posts delivery reports for this send (`callback`); ignored where it has none. */
  callbackUrl?: string;
  /** A reference the vendor echoes back in reports (`reference`); ignored where it has none. */
  reference?: string;
}

/** One recipient the vendor accepted, with its message id where the vendor returns one. */
export interface RecipientMessage {
  /** The recipient as it was in the batch. */
  to: string;
  id: string;
}

/**
 * One recipient the vendor refused on its own in a successful answer (SMS.CX `NO COVERAGE`,
 * Infobip status REJECTED_*): the vendor says it did not send this one.
 */
export interface RecipientRefusal {
  to: string;
  /** True when another vendor may take it (see `recipientRefusals`); false for an opt-out, a block… */
  failover: boolean;
  class?: FailoverClass;
  /** The vendor's status for it, as given (e.g. `NO COVERAGE`, `REJECTED_ROUTE_NOT_AVAILABLE`). */
  code: string;
  reason?: string;
}

/** What a sender returns for a batch the vendor accepted (some recipients may be refused one by one). */
export interface SentBatch {
  /** The vendor's id(s) for what it accepted (campaign, batch, ticket or bulk id). */
  ids: string[];
  /** The vendor answered that it already had a send with this dedupe key: an earlier attempt was accepted. */
  duplicate?: boolean;
  /** Per recipient vendor message ids, where the vendor returns them. */
  messages?: RecipientMessage[];
  /** Recipients the vendor refused individually in this answer (all others were accepted). */
  refused?: RecipientRefusal[];
}

/**
 * Why an attempt is proven not to have acted, so the next vendor may take it:
 * - `authentication`, `no_route`, `invalid_number`, `insufficient_credit`: a refusal the vendor
 *   documents as made before acting (listed, with sources, in the sender's `refusals`);
 * - `not_sent`: the connection was refused before any byte of the request was sent;
 * - `redirect`: a 301/307/308 the client did not follow (nothing was done at this address);
 * - `validation`: msgkit refused the request before the wire with that vendor's rules.
 */
export type FailoverClass = 'authentication' | 'no_route' | 'invalid_number' | 'insufficient_credit' | 'not_sent' | 'redirect' | 'validation';

/** Every `FailoverClass`. */
export const FAILOVER_CLASSES: readonly FailoverClass[] = ['authentication', 'no_route', 'invalid_number', 'insufficient_credit', 'not_sent', 'redirect', 'validation'];

/** What a failed send means for the chain: move on only on a proven refusal. */
export type FailoverDecision =
  | { failover: true; class: FailoverClass; outcome: Extract<BatchOutcome, { status: 'refused' }> }
  | { failover: false; outcome: Exclude<BatchOutcome, { status: 'sent' }> };

/** The vendor refusals that prove nothing was sent (request level), with where each is documented. */
export interface RefusalRule {
  class: Exclude<FailoverClass, 'not_sent' | 'redirect' | 'validation'>;
  /** The error matches when every field given here equals the ApiError's. */
  status?: number;
  vendorCode?: number | string;
  vendorType?: string;
  /** Where the vendor documents it (file and section, or URL). */
  source: string;
}

/** A per-recipient status in a successful answer that says the vendor did not send that recipient. */
export interface RecipientRefusalRule {
  /** The vendor's per-recipient status, as given. */
  status: string;
  /** Only for a refusal another vendor may take; absent for one it must not (opt-out, blocklist). */
  class?: Exclude<FailoverClass, 'not_sent' | 'redirect' | 'validation'>;
  source: string;
}

/** A vendor field, with where it is documented. */
export interface FieldFact {
  field: string;
  source: string;
}

export interface DedupeFact extends FieldFact {
  /** How long the vendor remembers a key, where it documents it. */
  windowHours?: number;
  /** A key the vendor takes only in this form (SMS.CX: a UUID); `validate` refuses any other. */
  format?: 'uuid';
  /**
   * What a repeated key gets: `replays` the first answer (SMS.CX), or `refuses` it with a code that
   * proves the first was accepted (Octopush 120), turned into `{ duplicate: true }` by the sender.
   */
  repeat: 'replays' | 'refuses';
}

export interface ReferenceFact extends FieldFact {
  /** Constraints the vendor puts on it: a UUID (SMS.CX trackData), a length. */
  format?: 'uuid';
  maxLength?: number;
}

/** Ids the client may choose, so a lost answer can be looked up by them (Infobip bulkId, messageId). */
export interface ClientIdsFact {
  batch?: string;
  message?: string;
  source: string;
}

/** One environment variable a sender reads its credentials from. */
export interface CredentialVariable {
  /** Environment variable name, e.g. `SMSCX_API_KEY`. */
  env: string;
  /** What it holds, for help texts. */
  what: string;
  optional?: boolean;
  /** Variables sharing a group label satisfy it together: any one of them is enough (SMS.CX key or token). */
  anyOf?: string;
  /**
   * The client option that holds the same value (`apiKey`). Given, it wins and the variable is not
   * read; a client reads the variable only for an option it was not given.
   */
  option?: string;
}

/** A vendor option a campaign message carries (Octopush `type`, `purpose`), with the values the vendor documents and its source. */
export interface MessageOptionFact {
  name: string;
  what: string;
  required: boolean;
  /** The values the vendor documents; anything else is refused. */
  values?: readonly string[];
  source: string;
}

/** A vendor's facts as a sender needs them: data, the same for every account. */
export interface SenderFacts {
  /** The sender's (vendor's) name, as the CLI takes it (`-p smscx`). */
  readonly name: string;
  /** The vendor's per-request recipient maximum: a chain's batch is at most the smallest. */
  readonly maxRecipients: number;
  readonly dedupe: DedupeFact | false;
  readonly credentials: readonly CredentialVariable[];
  readonly options: readonly MessageOptionFact[];
  /** The per-request delivery-report URL field, or false (reports go to an account-level URL). */
  readonly callback: FieldFact | false;
  /** With `callback: false`: where the vendor posts reports instead, and its source (said when a report URL per send is asked for). */
  readonly accountCallback?: string;
  /** The field that carries `reference` and comes back in reports, or false. */
  readonly reference: ReferenceFact | false;
  readonly clientIds: ClientIdsFact | false;
  /** Request-level refusals proven to have sent nothing (used by `classify`). */
  readonly refusals: readonly RefusalRule[];
  /** Per-recipient statuses in a successful answer that mean "not sent". */
  readonly recipientRefusals: readonly RecipientRefusalRule[];
  /**
   * How `lookup` finds out what became of a send (endpoints, rate limit, whether "not found" is a
   * proof), or false where the vendor has no such read. Absent on senders defined before it.
   */
  readonly statusLookup?: StatusLookupFact | false;
}

/** What an account has left, as its vendor's balance endpoint says. */
export interface SenderBalance {
  amount: number;
  /** An ISO 4217 currency (`EUR`, `USD`), or the vendor's own unit (`credits` at The SMS Works). */
  unit: string;
  /** Where the vendor says it: the account pays before (`prepaid`) or after (`postpaid`) sending. */
  billing?: 'prepaid' | 'postpaid';
}

/** One recipient of a free estimate, as the vendor priced it. */
export interface EstimatedRecipient {
  /** The recipient as it was in the batch. */
  to: string;
  /** The parts the vendor would bill for this recipient's text. */
  parts: number;
  /** What the vendor would charge for it, in the account's currency (0 where it would not send). */
  cost: number;
  country?: string;
  /** The vendor's status for it, as given (e.g. `NO COVERAGE`, which is not charged). */
  status?: string;
}

/** A vendor's own price for a batch, from its free estimate endpoint: nothing sent, nothing billed. */
export interface BatchEstimate {
  /** The vendor's total for the batch, in the account's currency. */
  total: number;
  recipients: EstimatedRecipient[];
}

export interface CampaignSender extends SenderFacts {
  /**
   * The vendor's own rules for this message, no network: every issue at once (empty when the
   * vendor can carry it). Paths are relative to the message (`['from']`, `['options', 'octopush', 'type']`).
   */
  validate(message: CampaignMessage, send?: Pick<SendOptions, 'callbackUrl' | 'reference' | 'dedupeKey'>): ValidationIssue[];
  /**
   * Sends `message` to `batch` (unique E.164 numbers, at most `maxRecipients`). Throws the client's
   * typed errors; `classify` says which of them prove nothing was sent.
   */
  send(batch: readonly string[], message: CampaignMessage, options?: SendOptions): Promise<SentBatch>;
  /** Whether an error of `send` proves the attempt did not act (so the next vendor may take it). */
  classify(error: unknown): FailoverDecision;
  /**
   * What became of a send, asked of the vendor by what msgkit holds (`statusLookup` says how);
   * absent where the vendor has no such read. Throws the client's typed errors.
   */
  lookup?(query: LookupQuery, options?: LookupOptions): Promise<LookupResult>;
  /**
   * The account's balance, where the vendor has a balance endpoint. Never paid: a read, retried
   * like any read; it sends nothing.
   */
  balance?(options?: { signal?: AbortSignal }): Promise<SenderBalance>;
  /**
   * The vendor's own price for sending `message` to `batch`, where the vendor has a free estimate
   * (SMS.CX `/sms/estimate`). Never paid: it sends and bills nothing. The message is checked with
   * `validate` first, like a send.
   */
  estimate?(batch: readonly string[], message: CampaignMessage, options?: { signal?: AbortSignal }): Promise<BatchEstimate>;
}

/** Environment variables, as `process.env` holds them. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Options of `SenderFactory.fromEnv` besides the credentials. */
export interface FromEnvOptions {
  /** The vendor API's base URL (the sandbox's in tests; Infobip: the account host). */
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/** What the one list of senders holds: the facts, and how to create a sender from the environment. */
export interface SenderFactory<S extends CampaignSender = CampaignSender> extends SenderFacts {
  /** Throws `MissingCredentialsError` naming every missing variable. */
  fromEnv(env: EnvRecord, options?: FromEnvOptions): S;
}
