/**
 * `sendWithFailover`: one batch through an ordered chain of senders that never sends a recipient
 * twice. A recipient moves to the next sender only when its attempt is proven not to have acted
 * (the sender's `classify`, or the vendor's own per-recipient refusal in a successful answer); an
 * unknown outcome stays where it is. Every sender's rules are checked before anything is sent.
 */
import { ValidationError, type ValidationIssue } from '../errors';
import { attemptDedupeKey, planChain, type AttemptOutcome, type FailoverAttempt, type FailoverJournal, type MoveProof, type NextAttempt, type RecipientState } from './attempts';
import { messageShapeIssues } from './message';
import type { CampaignMessage, CampaignSender, FailoverClass, RecipientRefusal, SendOptions } from './sender';

/** Every issue of every sender of a chain that cannot carry the message; paths start with the sender's name. */
export class ChainValidationError extends ValidationError {
  /** The issues by sender name (paths relative to the message). */
  readonly senders: Record<string, ValidationIssue[]>;

  constructor(senders: Record<string, ValidationIssue[]>, chainIssues: ValidationIssue[] = []) {
    const issues = [...chainIssues, ...Object.entries(senders).flatMap(([name, list]) => list.map((i) => ({ ...i, path: [name, ...i.path] })))];
    super(issues);
    this.senders = senders;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), senders: this.senders };
  }
}

/**
 * Failover on a timer ("no delivery report within N ms, try the next vendor"), only when asked for
 * by name. It is judged from the recorded reports, not here: `failoverProofs(…, { timer })` gives
 * the proofs, passed as `moveOn` with the journal. Passing `timer` here is refused rather than ignored.
 */
export interface TimerFailover {
  afterMs: number;
}

/** Options of `sendWithFailover` for one batch. */
export interface FailoverOptions extends Pick<SendOptions, 'signal' | 'callbackUrl' | 'reference'> {
  /**
   * A sender's own `callbackUrl` and `reference`, by sender name, each in place of the chain-wide one:
   * each vendor posts its reports to a URL of its own (signed for it) and echoes a reference in the
   * form its field takes.
   */
  perSender?: Readonly<Record<string, Pick<SendOptions, 'callbackUrl' | 'reference'>>>;
  /** The batch's key (e.g. `batchDedupeKey(campaign, index)`); each attempt's key derives from it. */
  dedupeKey?: string;
  /** The batch's index in its campaign, for the journal. Default 0. */
  batchIndex?: number;
  /** Records each attempt before it is sent and after; a run resumes from what it holds. */
  journal?: FailoverJournal;
  timer?: TimerFailover;
  /**
   * Resend an attempt of unknown outcome (answer lost, run killed) at a vendor that cannot
   * deduplicate too, once per run, with the key it had: the vendor may then send it twice (and
   * bill it twice). Without it such an attempt stays unknown.
   */
  resendUnknown?: boolean;
  /**
   * With a journal: recipients an earlier run left refused by every vendor (each refusal proving
   * nothing was sent: a rejected key, no credit…) start the chain again from its first vendor, once
   * per run, with a key of their own. What rerunning a stopped campaign means.
   */
  retryRefused?: boolean;
  /**
   * With a journal: recipients a vendor of the chain sent that go on to the next vendor, each with
   * its proof (`failoverProofs`: a final negative delivery report, or a timer asked for by name).
   * Each is sent once at the next vendor, the proof recorded with that attempt; a proof that no
   * longer fits where the recipient stands (it moved already) is ignored.
   */
  moveOn?: ReadonlyMap<string, MoveProof>;
}

/** One vendor's attempt at one recipient. */
export interface RecipientTry {
  sender: string;
  attempt: number;
  outcome: 'sent' | 'refused' | 'unknown';
  /** Refused with proof that nothing was sent: the next vendor was (or may be) asked. */
  failover?: boolean;
  /** Sent, then moved on to the next vendor on this proof: a final negative report (`code` its status) or the timer. */
  moved?: MoveProof['kind'];
  class?: FailoverClass;
  duplicate?: true;
  code?: string;
  vendorCode?: string | number;
  reason?: string;
}

/** How one recipient of a failover batch ended, with every attempt at it. */
export interface RecipientOutcome {
  to: string;
  /** `sent` by `sentBy`; `refused`: no vendor sent it (each refused with proof, or one refused for good); `unknown`: a vendor may have it. */
  status: 'sent' | 'refused' | 'unknown';
  sentBy?: string;
  /** The vendor's message id, or its id for the request when it gives none per message. */
  id?: string;
  /** Every attempt at this recipient, in order, the resumed run's earlier ones included. */
  tried: RecipientTry[];
  /** Why it is not sent, when it is not: the last attempt's code, `aborted` (never sent: the caller aborted first). */
  code?: string;
}

/** What `sendWithFailover` resolves with: one outcome per recipient, and the batch's whole record. */
export interface FailoverResult {
  /** One per recipient, in batch order. */
  recipients: RecipientOutcome[];
  /** The batch's whole record: what was sent to whom, where, and how it ended. */
  attempts: FailoverAttempt[];
}

/**
 * @internal The try that sent `r`, for a recipient that stands `sent`: its vendor's last try with a
 * `sent` outcome (an earlier vendor may have sent it too, and moved it on). Undefined otherwise.
 * Its `attempt` names the FailoverAttempt whose outcome the vendor answered.
 */
export function sendingTry(r: RecipientOutcome): RecipientTry | undefined {
  if (r.status !== 'sent') return undefined;
  for (let i = r.tried.length - 1; i >= 0; i--) if (r.tried[i]!.outcome === 'sent' && r.tried[i]!.sender === r.sentBy) return r.tried[i];
  return undefined;
}

/** The largest batch every sender of the chain takes in one request (senders, or their factories). */
export function chainBatchSize(senders: readonly Pick<CampaignSender, 'maxRecipients'>[]): number {
  return Math.min(...senders.map((s) => s.maxRecipients));
}

/**
 * Every issue that stops `senders` from carrying `message` to `batch`, by sender; chain-level
 * issues (no sender, a sender twice, a batch no sender could take whole) apart.
 */
export function chainIssues(senders: readonly CampaignSender[], batch: readonly string[], message: CampaignMessage, options: FailoverOptions = {}): { chain: ValidationIssue[]; senders: Record<string, ValidationIssue[]> } {
  const chain: ValidationIssue[] = [];
  if (!Array.isArray(senders) || senders.length === 0) chain.push({ path: ['senders'], code: 'required', message: 'needs at least one sender' });
  const names = (Array.isArray(senders) ? senders : []).map((s) => s.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) chain.push({ path: ['senders'], code: 'chain_duplicate_sender', message: `names ${[...new Set(twice)].join(', ')} more than once; each recipient's record is kept by sender name` });
  const numbers = batchIssue(batch);
  if (numbers) chain.push(numbers);
  if (options.timer !== undefined) chain.push({ path: ['timer'], code: 'not_supported', message: 'timer-based failover is judged from the recorded reports: pass failoverProofs(…, { timer }) as moveOn; nothing was sent' });
  if (options.moveOn !== undefined && options.journal === undefined) chain.push({ path: ['moveOn'], code: 'required', message: 'moving recipients on needs the journal that recorded where they were sent; nothing was sent' });
  chain.push(...messageShapeIssues(message));
  const bySender: Record<string, ValidationIssue[]> = {};
  if (chain.length > 0) return { chain, senders: bySender };
  for (const sender of senders) {
    const send = {
      ...callbackOf(sender, options),
      // The first sender takes the batch's key as given; later attempts' keys are UUIDs derived from it.
      ...(sender === senders[0] && options.dedupeKey !== undefined && { dedupeKey: options.dedupeKey }),
    };
    const issues = sender.validate(message, send);
    if (batch.length > sender.maxRecipients) issues.push({ path: ['batch'], code: 'recipients_too_many', message: `holds ${batch.length} numbers; ${sender.name} takes at most ${sender.maxRecipients} per request (chainBatchSize)` });
    if (issues.length > 0) bySender[sender.name] = issues;
  }
  return { chain, senders: bySender };
}

/** What is wrong with the batch itself, in one pass: not a list of phone numbers, or a number twice. */
function batchIssue(batch: readonly string[]): ValidationIssue | undefined {
  if (!Array.isArray(batch) || batch.length === 0) return { path: ['batch'], code: 'invalid', message: 'must be a non-empty list of phone numbers' };
  const seen = new Set<string>();
  let twice = false;
  for (const to of batch) {
    if (typeof to !== 'string' || to === '') return { path: ['batch'], code: 'invalid', message: 'must be a non-empty list of phone numbers' };
    if (!twice) twice = seen.size === seen.add(to).size;
  }
  return twice ? { path: ['batch'], code: 'recipients_duplicate', message: 'holds a number more than once; each recipient is tracked by its number' } : undefined;
}

/** The report URL and reference `sender` is sent: each its own where `perSender` gives it, else the chain's. */
function callbackOf(sender: CampaignSender, options: FailoverOptions): Pick<SendOptions, 'callbackUrl' | 'reference'> {
  const own = options.perSender && Object.hasOwn(options.perSender, sender.name) ? options.perSender[sender.name]! : {};
  const callbackUrl = own.callbackUrl ?? options.callbackUrl;
  const reference = own.reference ?? options.reference;
  return { ...(callbackUrl !== undefined && { callbackUrl }), ...(reference !== undefined && { reference }) };
}

/** Tries `senders` in order for one batch; see the module comment. Throws only before sending (ChainValidationError) or when the journal fails. */
export async function sendWithFailover(senders: readonly CampaignSender[], batch: readonly string[], message: CampaignMessage, options: FailoverOptions = {}): Promise<FailoverResult> {
  const issues = chainIssues(senders, batch, message, options);
  if (issues.chain.length > 0 || Object.keys(issues.senders).length > 0) throw new ChainValidationError(issues.senders, issues.chain);

  const chain = senders.map((s) => s.name);
  const dedupes = senders.map((s) => s.dedupe !== false || options.resendUnknown === true);
  const batchIndex = options.batchIndex ?? 0;
  const attempts: FailoverAttempt[] = options.journal ? [...(await options.journal.attempts(batchIndex))].map((a) => ({ ...a, recipients: [...a.recipients] })) : [];
  const resent = new Set<number>();
  // A proof moves on only a recipient an attempt sent: while none names one of this batch, a first
  // attempt that every recipient ended sent at ends the batch (the healthy chain's path below).
  const moveOn = options.moveOn;
  const unmoved = moveOn === undefined || moveOn.size === 0 || !batch.some((to) => moveOn.has(to));
  for (;;) {
    let next: NextAttempt | undefined;
    if (attempts.length === 0 && options.signal?.aborted !== true) {
      // Nothing recorded: what planChain says without reading a record, the whole batch at the first vendor.
      next = { sender: 0, recipients: [...batch] };
    } else {
      const plan = planChain(chain, dedupes, batch, attempts, resent, { retryRefused: options.retryRefused === true, ...(moveOn && { moveOn }) });
      next = plan.next;
      if (!next || options.signal?.aborted) return result(batch, plan.states, attempts, options.signal?.aborted === true);
    }
    const sender = senders[next.sender]!;
    const whole = next.sender === 0 && next.recipients.length === batch.length && next.retry !== true;
    // A new round must not meet the key of the round the vendor refused (Octopush would answer 120,
    // "already used", for a request it never sent): its key binds the attempt's place too.
    const batchKey = options.dedupeKey === undefined ? undefined : next.retry ? `${options.dedupeKey}\u0000round@${attempts.length}` : options.dedupeKey;
    const dedupeKey = next.resendOf ? next.resendOf.dedupeKey : batchKey === undefined ? undefined : attemptDedupeKey(batchKey, sender.name, next.recipients, whole);
    const record: FailoverAttempt = {
      batch: batchIndex,
      attempt: attempts.length,
      sender: sender.name,
      recipients: next.recipients,
      ...(dedupeKey !== undefined && { dedupeKey }),
      ...(next.resendOf && { resendOf: next.resendOf.attempt }),
      ...(next.proofs && { proofs: next.proofs }),
    };
    // Resent at most once per run, and an attempt of this run not at all: its client has retried
    // with the same key already; a later run (a resume) may try again.
    if (next.resendOf) resent.add(next.resendOf.attempt);
    resent.add(record.attempt);
    if (options.journal) await options.journal.begin({ ...record, recipients: [...record.recipients], ...(record.proofs && { proofs: [...record.proofs] }) });
    attempts.push(record);
    record.outcome = await attempt(sender, record, message, options);
    if (options.journal) await options.journal.settle(batchIndex, record.attempt, record.outcome);
    // The first vendor took the whole batch and refused none: every recipient is sent there, and
    // nothing is left to plan (no unknown to resend, no refusal to retry, no proof to move one on).
    if (record.attempt === 0 && unmoved && record.outcome.status === 'sent' && record.outcome.refused === undefined) return accepted(batch, attempts, record.outcome);
  }
}

async function attempt(sender: CampaignSender, record: FailoverAttempt, message: CampaignMessage, options: FailoverOptions): Promise<AttemptOutcome> {
  const send: SendOptions = {
    ...(record.dedupeKey !== undefined && { dedupeKey: record.dedupeKey }),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...callbackOf(sender, options),
  };
  try {
    const sent = await sender.send(record.recipients, message, send);
    const refused = ofAttempt(sent.refused ?? [], record.recipients);
    const messages = ofAttempt(sent.messages ?? [], record.recipients);
    return { status: 'sent', ids: [...sent.ids], ...(sent.duplicate === true && { duplicate: true }), ...(messages.length > 0 && { messages }), ...(refused.length > 0 && { refused }) };
  } catch (error) {
    const decision = sender.classify(error);
    const { code, message: text, reason } = decision.outcome;
    const vendorCode = (error as { vendorCode?: unknown } | null)?.vendorCode;
    const failure = { code, message: text, ...((typeof vendorCode === 'string' || typeof vendorCode === 'number') && { vendorCode }), ...(reason !== undefined && { reason }) };
    // A resend follows an unknown outcome: even a proven refusal of it says nothing of the first send.
    if (decision.failover && record.resendOf === undefined) return { status: 'refused', failover: true, class: decision.class, ...failure };
    return decision.outcome.status === 'refused' ? { status: 'refused', failover: false, ...failure } : { status: 'unknown', ...failure };
  }
}

/** `result` for a batch whose one attempt sent every recipient, without the per-recipient states and maps. */
function accepted(batch: readonly string[], attempts: FailoverAttempt[], outcome: Extract<AttemptOutcome, { status: 'sent' }>): FailoverResult {
  const sender = attempts[0]!.sender;
  const messages = outcome.messages ?? [];
  // Vendors answer in the batch's order: then the ids are read by place, else by number.
  const inOrder = messages.length === batch.length && messages.every((m, i) => m.to === batch[i]);
  const byNumber = inOrder ? undefined : new Map(messages.map((m) => [m.to, m.id]));
  const only = outcome.ids.length === 1 ? outcome.ids[0] : undefined;
  const recipients = batch.map((to, i): RecipientOutcome => {
    const entry: RecipientTry = { sender, attempt: 0, outcome: 'sent' };
    if (outcome.duplicate) entry.duplicate = true;
    const out: RecipientOutcome = { to, status: 'sent', sentBy: sender, tried: [entry] };
    const id = (byNumber ? byNumber.get(to) : messages[i]!.id) ?? only;
    if (id !== undefined) out.id = id;
    return out;
  });
  return { recipients, attempts };
}

/** The entries of a vendor's answer about the attempt's own recipients (a copy); read by place when the answer follows the request's order. */
function ofAttempt<T extends { to: string }>(entries: readonly T[], recipients: readonly string[]): T[] {
  if (entries.length === 0) return [];
  if (entries.length === recipients.length && entries.every((e, i) => e.to === recipients[i])) return [...entries];
  const inBatch = new Set(recipients);
  return entries.filter((e) => inBatch.has(e.to));
}

function result(batch: readonly string[], states: Map<string, RecipientState>, attempts: FailoverAttempt[], aborted: boolean): FailoverResult {
  // Built with plain assignments: this runs for every recipient of every batch.
  const tried = new Map<string, RecipientTry[]>();
  for (const to of batch) tried.set(to, []);
  const movedFrom = new Map<string, MoveProof>();
  for (const a of attempts) for (const p of a.proofs ?? []) movedFrom.set(`${p.attempt}\u0000${p.to}`, p);
  for (const [to, s] of states) if (s.status === 'pending' && s.proof) movedFrom.set(`${s.proof.attempt}\u0000${to}`, s.proof);
  for (const a of attempts) {
    const outcome = a.outcome;
    const refused = outcome?.status === 'sent' && outcome.refused ? new Map(outcome.refused.map((r) => [r.to, r])) : undefined;
    for (const to of a.recipients) {
      const entry = tryOf(a, outcome, refused?.get(to));
      const proof = movedFrom.size === 0 ? undefined : movedFrom.get(`${a.attempt}\u0000${to}`);
      if (proof && entry.outcome === 'sent') {
        entry.moved = proof.kind;
        if (proof.kind === 'report') entry.code = proof.status;
      }
      tried.get(to)!.push(entry);
    }
  }
  const recipients = batch.map((to): RecipientOutcome => {
    const state = states.get(to)!;
    const list = tried.get(to)!;
    // Moved on, and the run stopped before the next vendor took it: it stands where it was sent.
    if (state.status === 'pending' && state.proof) {
      const from = attempts[state.proof.attempt]!;
      return { to, status: 'sent', sentBy: from.sender, tried: list };
    }
    if (state.status === 'sent') {
      const sent: RecipientOutcome = { to, status: 'sent', sentBy: state.sender, tried: list };
      if (state.id !== undefined) sent.id = state.id;
      return sent;
    }
    const out: RecipientOutcome = { to, status: state.status === 'unknown' ? 'unknown' : 'refused', tried: list };
    // Pending only when the caller aborted before the chain reached this recipient: nothing sent.
    const code = state.status === 'pending' && aborted ? 'aborted' : list.at(-1)?.code;
    if (code !== undefined) out.code = code;
    return out;
  });
  return { recipients, attempts };
}

function tryOf(a: FailoverAttempt, outcome: AttemptOutcome | undefined, refusal: RecipientRefusal | undefined): RecipientTry {
  const entry: RecipientTry = { sender: a.sender, attempt: a.attempt, outcome: 'unknown' };
  if (!outcome) {
    entry.code = 'interrupted';
  } else if (refusal) {
    entry.outcome = 'refused';
    entry.failover = refusal.failover;
    entry.code = refusal.code;
    if (refusal.class) entry.class = refusal.class;
    if (refusal.reason !== undefined) entry.reason = refusal.reason;
  } else if (outcome.status === 'sent') {
    entry.outcome = 'sent';
    if (outcome.duplicate) entry.duplicate = true;
  } else {
    entry.outcome = outcome.status;
    entry.code = outcome.code;
    entry.reason = outcome.reason ?? outcome.message;
    if (outcome.vendorCode !== undefined) entry.vendorCode = outcome.vendorCode;
    if (outcome.status === 'refused') {
      entry.failover = outcome.failover;
      if (outcome.failover) entry.class = outcome.class;
    }
  }
  return entry;
}
