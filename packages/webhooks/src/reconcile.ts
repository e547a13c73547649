/**
 * Reconciliation: from `unknown` to known. For each sender, the batches whose outcome is unknown
 * and the messages still without a final delivery state, once older than that sender's horizon,
 * are looked up at the vendor (`sender.lookup`), paced by the vendor's limit from its spec, and
 * every answer is recorded with its proof. A recipient becomes resendable only where the vendor's
 * documentation makes "not found" a proof that nothing was sent; everything else that stays
 * unknown says why.
 */
import { AbortError, ValidationError, type CampaignSender, type DeliveryEvent, type LookupResult, type ValidationIssue } from '@msgkit/core';
import { type LookupQuery, type RateLimit } from '@msgkit/core/internal';
import { RateLimiter, systemClock, type Clock } from './limiter';
import { compareDeliveryEvents } from './order';
import type { BatchRef, PendingMessage, ReconcileRecord, ReconcileStore, RecipientVerdict, UnknownBatch, UnresolvedReason } from './reconcile-store';

/** What {@link reconcile} asks about and with which senders. */
export interface ReconcileOptions {
  /** Where the unknown batches and pending messages are read from and the answers written to. */
  store: ReconcileStore;
  /** The senders, by the names the store records (the one list of senders). */
  senders: Readonly<Record<string, CampaignSender>>;
  /**
   * Per sender, how long after a send (ms) it is looked up: a send younger than this may still get
   * its answer or report. Every sender needs one; there is no default.
   */
  horizons: Readonly<Record<string, number>>;
  /** Time (default the system clock); the rate limits and horizons are measured by it. */
  clock?: Clock;
  /** Stops the run between requests: `reconcile` rejects with the abort, and what was recorded stays recorded. */
  signal?: AbortSignal;
}

/** What one sender's lookups found, in recipients and messages. */
export interface SenderSummary {
  /** The pace lookups were held to (undefined: the sender has no lookup). */
  rateLimit?: RateLimit;
  /** Requests the lookups made. */
  requests: number;
  batches: { looked: number; recipients: number; sent: number; notSent: number; unknown: number };
  messages: { looked: number; final: number; notFinal: number; unknown: number };
  /** Recipients and messages left unknown, by reason. */
  reasons: Partial<Record<UnresolvedReason, number>>;
}

/** What a {@link reconcile} run did, per sender by the names of `senders`. */
export interface ReconcileSummary {
  senders: Record<string, SenderSummary>;
  /** Records written. */
  records: number;
}

function optionIssues(options: ReconcileOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof options?.store?.record !== 'function') issues.push({ path: ['store'], code: 'invalid_type', message: 'must be a ReconcileStore' });
  const senders = options?.senders ?? {};
  if (Object.keys(senders).length === 0) issues.push({ path: ['senders'], code: 'required', message: 'name at least one sender' });
  for (const [name, sender] of Object.entries(senders)) {
    if (typeof sender?.send !== 'function') issues.push({ path: ['senders', name], code: 'invalid_type', message: 'must be a campaign sender' });
    const horizon = options.horizons?.[name];
    if (horizon === undefined) issues.push({ path: ['horizons', name], code: 'required', message: `is required: how long after a send ${name} is asked about it (ms)` });
    else if (typeof horizon !== 'number' || !Number.isFinite(horizon) || horizon < 0) issues.push({ path: ['horizons', name], code: 'invalid_type', message: 'must be a number of milliseconds ≥ 0' });
  }
  return issues;
}

const keyOf = (ref: BatchRef): string => `${ref.campaign}\u0000${ref.batch}\u0000${ref.attempt ?? ''}`;
const refOf = (ref: BatchRef): BatchRef => ({ campaign: ref.campaign, batch: ref.batch, ...(ref.attempt !== undefined && { attempt: ref.attempt }) });

/** The greatest event per recipient the lookup matched (the reducer's order), by recipient. */
function eventsByRecipient(result: LookupResult): Map<string, DeliveryEvent> {
  const best = new Map<string, DeliveryEvent>();
  for (const event of result.found) {
    const to = event.reference?.recipient;
    if (to === undefined) continue;
    const kept = best.get(to);
    if (!kept || compareDeliveryEvents(event, kept) > 0) best.set(to, event);
  }
  return best;
}

/**
 * Asks every sender about what is unknown or pending past its horizon; see the module comment.
 * Senders are asked side by side, each at its own vendor's pace. A lookup that fails is recorded
 * with its error (and asked again on the next run); it does not stop the run.
 *
 * @throws `ValidationError` when the store, a sender or a sender's horizon is missing or malformed, before anything is asked.
 * @throws `AbortError` (or the signal's reason) when `signal` aborts; what was recorded until then stays recorded.
 * @throws Whatever the store's `record` throws: a record not written is not counted.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileSummary> {
  const issues = optionIssues(options);
  if (issues.length > 0) throw new ValidationError(issues);
  const clock = options.clock ?? systemClock;
  const summary: ReconcileSummary = { senders: {}, records: 0 };
  await Promise.all(
    Object.entries(options.senders).map(async ([name, sender]) => {
      summary.senders[name] = await reconcileSender(name, sender, options.horizons[name]!, options, clock, () => summary.records++);
    }),
  );
  return summary;
}

async function reconcileSender(name: string, sender: CampaignSender, horizon: number, options: ReconcileOptions, clock: Clock, counted: () => void): Promise<SenderSummary> {
  const { store, signal } = options;
  const fact = sender.statusLookup || undefined;
  const limiter = fact && sender.lookup ? new RateLimiter(fact.rateLimit, clock) : undefined;
  const out: SenderSummary = {
    ...(limiter && { rateLimit: limiter.limit }),
    requests: 0,
    batches: { looked: 0, recipients: 0, sent: 0, notSent: 0, unknown: 0 },
    messages: { looked: 0, final: 0, notFinal: 0, unknown: 0 },
    reasons: {},
  };
  const unresolved = (reason: UnresolvedReason) => (out.reasons[reason] = (out.reasons[reason] ?? 0) + 1);

  /** One lookup; a failure other than an abort becomes part of the record, asked again next time. */
  const ask = async (query: LookupQuery): Promise<{ result?: LookupResult; error?: { code: string; message: string } }> => {
    if (!sender.lookup || !limiter) return {};
    const before = limiter.taken;
    try {
      return { result: await sender.lookup(query, { now: new Date(clock.now()), acquire: () => limiter.take(signal), ...(signal && { signal }) }) };
    } catch (error) {
      if (signal?.aborted || error instanceof AbortError) throw error;
      const e = error as { code?: unknown; message?: unknown };
      return { error: { code: typeof e?.code === 'string' ? e.code : 'error', message: typeof e?.message === 'string' ? e.message : String(error) } };
    } finally {
      limiter.answered();
      out.requests += limiter.taken - before;
    }
  };
  const write = async (record: ReconcileRecord): Promise<void> => {
    await store.record(record);
    counted();
  };
  const reasonOf = (looked: { result?: LookupResult; error?: unknown }): UnresolvedReason =>
    !sender.lookup ? 'no_lookup' : looked.error ? 'lookup_failed' : (looked.result?.reason ?? 'vendor_gives_no_proof');

  const answered = new Set<string>();
  const now = () => new Date(clock.now());
  for (const batch of await store.unknownBatches(name, new Date(clock.now() - horizon))) {
    signal?.throwIfAborted();
    const looked = await ask(batchQuery(batch));
    const found = looked.result ? eventsByRecipient(looked.result) : new Map<string, DeliveryEvent>();
    const reason = reasonOf(looked);
    const recipients: RecipientVerdict[] = batch.recipients.map((to) => {
      const event = found.get(to);
      if (event) return { to, outcome: 'sent', event };
      if (looked.result?.absenceProvesNotSent) return { to, outcome: 'not_sent' };
      return { to, outcome: 'unknown', reason };
    });
    await write({
      kind: 'batch',
      ...refOf(batch),
      sender: name,
      at: now().toISOString(),
      proof: looked.result?.proof ?? [],
      ...(looked.error && { error: looked.error }),
      recipients,
      resendable: recipients.filter((r) => r.outcome === 'not_sent').map((r) => r.to),
      deduplicates: sender.dedupe !== false,
    });
    answered.add(keyOf(batch));
    out.batches.looked++;
    for (const r of recipients) {
      out.batches.recipients++;
      if (r.outcome === 'sent') out.batches.sent++;
      else if (r.outcome === 'not_sent') out.batches.notSent++;
      else {
        out.batches.unknown++;
        unresolved(r.reason);
      }
    }
  }

  const groups = new Map<string, PendingMessage[]>();
  for (const message of await store.pendingMessages(name, new Date(clock.now() - horizon))) {
    const key = keyOf(message);
    // Just answered as a batch: asking again in the same pass would learn nothing new.
    if (answered.has(key)) continue;
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  for (const group of groups.values()) {
    signal?.throwIfAborted();
    const looked = await ask(messagesQuery(group));
    const found = looked.result ? eventsByRecipient(looked.result) : new Map<string, DeliveryEvent>();
    const reason: UnresolvedReason = looked.result ? 'not_listed' : reasonOf(looked);
    const recipients: RecipientVerdict[] = group.map((m) => {
      const event = found.get(m.to);
      return event ? { to: m.to, outcome: 'sent', event } : { to: m.to, outcome: 'unknown', reason };
    });
    await write({ kind: 'messages', ...refOf(group[0]!), sender: name, at: now().toISOString(), proof: looked.result?.proof ?? [], ...(looked.error && { error: looked.error }), recipients });
    for (const r of recipients) {
      out.messages.looked++;
      if (r.outcome === 'unknown') {
        out.messages.unknown++;
        unresolved(r.reason);
      } else if (r.outcome === 'sent' && r.event.final) out.messages.final++;
      else out.messages.notFinal++;
    }
  }
  return out;
}

function batchQuery(batch: UnknownBatch): LookupQuery {
  return {
    recipients: batch.recipients,
    sentAt: batch.sentAt,
    ...(batch.dedupeKey !== undefined && { dedupeKey: batch.dedupeKey }),
    ...(batch.ids !== undefined && { ids: batch.ids }),
    ...(batch.messages !== undefined && { messages: batch.messages }),
    ...(batch.message !== undefined && { message: batch.message }),
    ...(batch.reference !== undefined && { reference: batch.reference }),
  };
}

function messagesQuery(group: readonly PendingMessage[]): LookupQuery {
  const ids = [...new Set(group.flatMap((m) => m.groupIds ?? []))];
  const messages = group.flatMap((m) => (m.id !== undefined ? [{ to: m.to, id: m.id }] : []));
  const dedupeKey = group.find((m) => m.dedupeKey !== undefined)?.dedupeKey;
  return {
    recipients: group.map((m) => m.to),
    sentAt: new Date(Math.min(...group.map((m) => m.sentAt.getTime()))),
    ...(ids.length > 0 && { ids }),
    ...(messages.length > 0 && { messages }),
    ...(dedupeKey !== undefined && { dedupeKey }),
  };
}
