/**
 * Asking a vendor what became of a send (reconciliation): what a sender's `lookup` takes and
 * answers, and the facts that say when a vendor's "not found" proves that nothing was sent. Each
 * provider package implements `lookup` with its own endpoints; `@msgkit/webhooks` drives them.
 */
import type { DeliveryEvent } from '../delivery/report';
import { ApiError } from '../errors';
import type { CampaignMessage, RecipientMessage } from './sender';

/** A vendor's limit on one operation, as its spec records it (`x-rate-limit`, generated into the client). */
export interface RateLimit {
  /** At most this many requests … */
  readonly requests: number;
  /** … in any window of this many seconds. */
  readonly periodSeconds: number;
  /** False where the vendor publishes none and the spec decides a pace (its DECISION says why). */
  readonly published: boolean;
}

/**
 * Where a vendor's documentation makes "not found" a proof that nothing was sent: a lookup by ids
 * msgkit chose, made while the vendor still keeps what it read (`retentionHours`, from the spec),
 * less `marginHours`, and no sooner than `settleMinutes` after the send (the vendor documents no
 * delay before a send shows; msgkit waits this long before trusting an absence).
 */
export interface AbsenceProof {
  readonly retentionHours: number;
  readonly marginHours: number;
  readonly settleMinutes: number;
  readonly source: string;
}

/** How a sender looks a send up, with its sources: a fact of the vendor, the same for every account. */
export interface StatusLookupFact {
  /** The vendor operations `lookup` calls, as `METHOD /path`. */
  readonly endpoints: readonly string[];
  /** What a send is found by. */
  readonly by: readonly ('dedupeKey' | 'ids' | 'messages' | 'recipients')[];
  /** The pace of `lookup`'s requests (the spec's `x-rate-limit` of the operations it calls). */
  readonly rateLimit: RateLimit;
  readonly absenceProof: AbsenceProof | false;
  readonly source: string;
}

/** What msgkit holds about a send: everything a vendor could be asked by. */
export interface LookupQuery {
  /** The key the batch was sent with (and the client-chosen ids derived from it). */
  dedupeKey?: string;
  /** The vendor's ids a send returned (`SentBatch.ids`: campaign, batch, ticket or bulk id). */
  ids?: readonly string[];
  /** The vendor's message ids a send returned, with their recipients. */
  messages?: readonly RecipientMessage[];
  /** The recipients the send carried, as sent (E.164). */
  recipients?: readonly string[];
  /** What was sent, to recognize it where the vendor can only be searched. */
  message?: Pick<CampaignMessage, 'from' | 'text'>;
  /** The `reference` the send carried. */
  reference?: string;
  /** When the attempt began: bounds a search and decides whether the vendor still keeps it. */
  sentAt?: Date;
}

/** Why a lookup's absences prove nothing. */
export type LookupReason =
  /** The vendor documents no way to tell that a message it does not list was never sent. */
  | 'vendor_gives_no_proof'
  /** The send carried no id of msgkit's own, so msgkit cannot name what to look for. */
  | 'no_client_ids'
  /** msgkit does not know when the send was made. */
  | 'send_time_unknown'
  /** Too soon after the send to trust an absence (`settleMinutes`). */
  | 'too_recent'
  /** Past what the vendor keeps (`retentionHours`, less `marginHours`). */
  | 'outside_retention'
  /** Nothing the query holds is something this vendor can be asked by. */
  | 'nothing_to_ask_by';

/** One request of a lookup and the vendor's answer to it, as read. */
export interface LookupProof {
  /** `GET /omni/1/logs?bulkId=…`, as sent (below the base URL). */
  endpoint: string;
  /** The criteria a search sent in its body. */
  request?: unknown;
  /** When the answer came, ISO 8601. */
  at: string;
  /** The HTTP status of the answer (200, or the error's, e.g. 404). */
  status: number;
  /** The vendor's answer as the client read it (an error's body as the vendor sent it). */
  body: unknown;
  requestId?: string;
}

/**
 * What a sender's `lookup` read from the vendor about one send: the messages it lists, the
 * recipients it does not, whether that absence proves they were never sent, and every request
 * made as proof. A lookup that could not ask (a network error, a 5xx) throws instead.
 */
export interface LookupResult {
  /**
   * What the vendor says of each message it lists, in msgkit's status vocabulary; `reference.recipient`
   * is the recipient as the query named it, where the lookup could match one.
   */
  found: DeliveryEvent[];
  /** The query's recipients the vendor does not list. */
  missing: string[];
  /** True only where the vendor documents that what it does not list was never sent, and this lookup met its conditions. */
  absenceProvesNotSent: boolean;
  /** When `absenceProvesNotSent` is false: why. */
  reason?: LookupReason;
  /** Every request made, with its answer. */
  proof: LookupProof[];
}

/** How a sender's `lookup` runs. */
export interface LookupOptions {
  /** Aborts the lookup between or during its requests; it rejects with the abort's error. */
  signal?: AbortSignal;
  /** The time to judge the send's age by (a test clock); default now. */
  now?: Date;
  /** Awaited before each request the lookup makes (a rate limiter); a rejection stops the lookup. */
  acquire?: () => Promise<void>;
}

/** Whether an absence in a lookup proves that nothing was sent, and if not, why. */
export function absenceVerdict(fact: StatusLookupFact | false | undefined, query: LookupQuery, now: Date): { proves: true } | { proves: false; reason: LookupReason } {
  const proof = fact ? fact.absenceProof : false;
  if (!proof) return { proves: false, reason: 'vendor_gives_no_proof' };
  if (query.dedupeKey === undefined) return { proves: false, reason: 'no_client_ids' };
  if (query.sentAt === undefined || Number.isNaN(query.sentAt.getTime())) return { proves: false, reason: 'send_time_unknown' };
  const age = now.getTime() - query.sentAt.getTime();
  if (age < proof.settleMinutes * 60_000) return { proves: false, reason: 'too_recent' };
  if (age > (proof.retentionHours - proof.marginHours) * 3_600_000) return { proves: false, reason: 'outside_retention' };
  return { proves: true };
}

/**
 * The pace for a lookup that calls several operations: the one that allows the fewest requests per
 * second (on a tie, the smaller burst), so one rate limiter honours every one of them.
 */
export function strictestRateLimit(first: RateLimit, ...more: RateLimit[]): RateLimit {
  return more.reduce((a, b) => {
    const ra = a.requests / a.periodSeconds;
    const rb = b.requests / b.periodSeconds;
    return rb < ra || (rb === ra && b.requests < a.requests) ? b : a;
  }, first);
}

/**
 * How a lookup makes its requests: each waits for `options.acquire` (the rate limiter), and its
 * answer goes into `proof`; a 404 is recorded as the vendor's answer (and `undefined` returned),
 * any other error is thrown. `sent` is what a search sent in its body.
 */
export function lookupRequests(proof: LookupProof[], options: LookupOptions) {
  return async <T>(endpoint: string, request: () => Promise<T>, sent?: unknown): Promise<T | undefined> => {
    await options.acquire?.();
    try {
      const answer = await request();
      const requestId = (answer as { requestId?: unknown } | null)?.requestId;
      proof.push({ endpoint, ...(sent !== undefined && { request: sent }), at: new Date().toISOString(), status: 200, body: answer, ...(typeof requestId === 'string' && { requestId }) });
      return answer;
    } catch (error) {
      const notFound = notFoundProof(error, endpoint);
      if (!notFound) throw error;
      proof.push(sent === undefined ? notFound : { ...notFound, request: sent });
      return undefined;
    }
  };
}

const digitsOf = (phone: string): string => phone.replace(/\D/g, '');

/**
 * The events a lookup read, each with the query's recipient where one matches (by the message id
 * msgkit knows for it, else by the number, compared as digits), in the query's order of
 * recipients; and the recipients no event matched.
 */
export function matchRecipients(events: Iterable<DeliveryEvent>, recipients: readonly string[], byId: ReadonlyMap<string, string | undefined> = new Map()): Pick<LookupResult, 'found' | 'missing'> {
  const byDigits = new Map(recipients.map((to) => [digitsOf(to), to]));
  const order = new Map(recipients.map((to, i) => [to, i]));
  const seen = new Set<string>();
  const found = [...events].map((event) => {
    const to = byId.get(event.messageId) ?? (event.to !== undefined ? byDigits.get(digitsOf(event.to)) : undefined);
    if (to === undefined) return event;
    seen.add(to);
    return { ...event, reference: { ...event.reference, recipient: to } };
  });
  const place = (e: DeliveryEvent) => order.get(e.reference?.recipient ?? '') ?? recipients.length;
  found.sort((a, b) => place(a) - place(b));
  return { found, missing: recipients.filter((to) => !seen.has(to)) };
}

/**
 * A lookup request the vendor answered with 404: the proof of that answer (its body as the vendor
 * sent it), or undefined for any other error, which the lookup rethrows.
 */
export function notFoundProof(error: unknown, endpoint: string): LookupProof | undefined {
  if (!(error instanceof ApiError) || error.status !== 404) return undefined;
  return { endpoint, at: new Date().toISOString(), status: 404, body: error.body, ...(error.requestId !== undefined && { requestId: error.requestId }) };
}
