/**
 * What a failover chain records per batch, and how a batch's record says what to do next. The
 * record is a list of attempts, each begun durably before its request leaves and settled after;
 * `planChain` reads it back, so a resumed run continues the chain where it stopped:
 *
 * - a recipient a vendor took (sent, or a duplicate of an earlier send) is done: no other vendor,
 *   earlier or later, is ever asked again;
 * - a recipient whose attempt ended `unknown` (or was in flight when the run stopped) stays with
 *   that vendor: it is resent there with the key it had where the vendor deduplicates, else left
 *   unknown; it never moves on, and a refusal of such a resend proves nothing about the first send;
 * - a recipient refused with proof (failover) goes to the next vendor of the chain, never back;
 * - a recipient no vendor took, every attempt at it refused (so nothing was sent), may start the
 *   chain again from its first vendor in a later run (`retryRefused`): a new round, recorded as
 *   such, never while any attempt at it is unknown;
 * - a recipient a vendor took moves on to the next vendor only with a proof the caller gives
 *   (`moveOn`: a final negative delivery report, or a timer the user asked for by name), recorded
 *   with the attempt that moves it (`proofs`); once moved it is never moved from that attempt
 *   again, and it never starts the chain again.
 */
import { v5 as uuidv5 } from 'uuid';
import { JournalMismatchError } from '../errors';
import { CAMPAIGN_KEY_NAMESPACE } from '../batch/keys';
import type { DeliveryStatus } from '../delivery/status';
import type { FailoverClass, RecipientMessage, RecipientRefusal } from './sender';

interface Failure {
  code: string;
  message: string;
  vendorCode?: string | number;
  /** A short reason: the vendor's own message, or msgkit's line for the code (outcomeOfError). */
  reason?: string;
}

/** How one attempt ended. */
export type AttemptOutcome =
  | { status: 'sent'; ids: string[]; duplicate?: true; messages?: RecipientMessage[]; refused?: RecipientRefusal[] }
  | ({ status: 'refused'; failover: true; class: FailoverClass } & Failure)
  | ({ status: 'refused'; failover: false } & Failure)
  | ({ status: 'unknown' } & Failure);

/**
 * Why a recipient attempt `attempt` sent moved on to the next vendor: a final negative delivery
 * report of that attempt (`report`, with its status and the vendor's message id), or no final
 * report within `afterMs` of the attempt's start (`timer`, only when asked for by name).
 */
export type MoveProof =
  | { to: string; attempt: number; kind: 'report'; status: DeliveryStatus; code?: string | number; messageId?: string }
  | { to: string; attempt: number; kind: 'timer'; afterMs: number };

/** One request of a batch's chain, as recorded before it is sent (and settled after). */
export interface FailoverAttempt {
  batch: number;
  /** Its place in the batch's record, 0 first. */
  attempt: number;
  /** The sender's name. */
  sender: string;
  /** The recipients sent, in order: the whole batch, or those a previous vendor refused. */
  recipients: string[];
  /** The key sent (`attemptDedupeKey`), when the chain has one. */
  dedupeKey?: string;
  /** A resend, with the same key, of attempt `resendOf`, whose outcome was unknown. */
  resendOf?: number;
  /** The recipients an earlier vendor sent that this attempt takes on, each with its proof (`MoveProof`). */
  proofs?: MoveProof[];
  /** Absent: begun and never settled (the run stopped): its outcome is unknown. */
  outcome?: AttemptOutcome;
}

/**
 * The hook through which a store (the file journal, Redis) records a chain. `begin` resolves only
 * once the record would survive a crash: the request leaves after it. A rejection of either stops
 * the chain (and so the campaign) at once.
 */
export interface FailoverJournal {
  /** The attempts recorded for batch `batch`, oldest first; empty for a batch never begun. */
  attempts(batch: number): readonly FailoverAttempt[] | Promise<readonly FailoverAttempt[]>;
  /** Records an attempt durably before it is sent. */
  begin(attempt: Omit<FailoverAttempt, 'outcome'>): Promise<void>;
  /** Records how an attempt ended. */
  settle(batch: number, attempt: number, outcome: AttemptOutcome): Promise<void>;
}

/** The outcome of an attempt begun by a run that stopped before its answer was recorded. */
export const INTERRUPTED_ATTEMPT: Readonly<Extract<AttemptOutcome, { status: 'unknown' }>> = /* @__PURE__ */ Object.freeze({
  status: 'unknown' as const,
  code: 'interrupted',
  message: 'The run stopped while this attempt was being sent; the vendor may have received it',
});

/**
 * The key of an attempt: the batch's own key for the first vendor sending the whole batch (so a
 * chain's first vendor sees exactly the keys a single-vendor campaign would send), else a UUID v5
 * bound to the batch key, the sender and the recipients, the same on every run that reaches the
 * same attempt.
 */
export function attemptDedupeKey(batchKey: string, sender: string, recipients: readonly string[], whole: boolean): string {
  if (whole) return batchKey;
  return uuidv5(`${batchKey}\u0000${sender}\u0000${recipients.join('\n')}`, CAMPAIGN_KEY_NAMESPACE);
}

/**
 * A per-recipient id derived from a batch key, for vendors that let the client choose message ids
 * (Infobip `destinations[].messageId`): the same key and number always give the same id, so a
 * message whose answer was lost can be looked up by it.
 */
export function recipientMessageId(batchKey: string, to: string): string {
  return uuidv5(`${batchKey}\u0000${to}`, CAMPAIGN_KEY_NAMESPACE);
}

/** Where one recipient stands after the recorded attempts. */
export type RecipientState =
  /** `last`: the attempt that refused it at the previous vendor (or sent it, when `proof` moved it on), if any. */
  | { status: 'pending'; next: number; last?: number; proof?: MoveProof }
  | { status: 'sent'; sender: string; id?: string; attempt: number }
  | { status: 'refused'; attempt?: number }
  | { status: 'unknown'; sender: string; attempt: number };

/** The next request a chain needs. */
export interface NextAttempt {
  /** Index of the sender in the chain. */
  sender: number;
  recipients: string[];
  /** A resend of this recorded attempt, whose outcome was unknown (same sender, recipients and key). */
  resendOf?: FailoverAttempt;
  /** A new round for recipients every vendor refused in an earlier run (`retryRefused`). */
  retry?: true;
  /** The proofs of the recipients an earlier vendor sent and this attempt takes on. */
  proofs?: MoveProof[];
}

export interface PlanOptions {
  /**
   * Recipients every attempt refused (nothing was sent), by attempts not in `resent` (an earlier
   * run's), start the chain again from its first sender: what a rerun of a stopped campaign sends.
   */
  retryRefused?: boolean;
  /**
   * Recipients a vendor sent that move on to the next vendor, by number, each with its proof
   * (`failoverProofs`); a proof applies only while the recipient stands at the attempt it names.
   */
  moveOn?: ReadonlyMap<string, MoveProof>;
}

/** Where each recipient of a batch stands in a failover chain, and the attempt to make next (none when the batch is done). */
export interface ChainPlan {
  states: Map<string, RecipientState>;
  next: NextAttempt | undefined;
}

/**
 * Reads a batch's record and says where each recipient stands and what to send next.
 * `dedupes[i]` says whether sender i deduplicates by key: only then is an unknown attempt resent.
 * `resent` holds the attempts not to resend now: those made or resent by this run (their client has
 * retried with the key already; another run may try again, with the same key).
 * A record that does not fit the chain or the batch (an unknown sender, a recipient not in the
 * batch, an attempt out of order) is a JournalMismatchError: resuming it could send twice.
 */
export function planChain(
  chain: readonly string[],
  dedupes: readonly boolean[],
  batch: readonly string[],
  attempts: readonly FailoverAttempt[],
  resent: ReadonlySet<number> = new Set(),
  options: PlanOptions = {},
): ChainPlan {
  const states = new Map<string, RecipientState>(batch.map((to) => [to, { status: 'pending', next: 0 }]));
  const unknownAttempts = new Map<number, FailoverAttempt>();
  // Recipients a vendor sent at some point: nothing sent to them is ever started again.
  const everSent = new Set<string>();
  attempts.forEach((a, i) => {
    const index = chain.indexOf(a.sender);
    if (a.attempt !== i || index < 0 || a.recipients.some((to) => !states.has(to))) {
      throw new JournalMismatchError(['attempts'], `batch ${a.batch}: recorded attempt ${a.attempt} (${a.sender}) does not fit this chain (${chain.join(', ')}) and batch`);
    }
    const outcome = a.outcome ?? INTERRUPTED_ATTEMPT;
    const refusedHere = new Map((outcome.status === 'sent' ? outcome.refused ?? [] : []).map((r) => [r.to, r]));
    const ids = outcome.status === 'sent' ? new Map((outcome.messages ?? []).map((m) => [m.to, m.id])) : undefined;
    const proofs = a.proofs && new Map(a.proofs.map((p) => [p.to, p]));
    for (const to of a.recipients) {
      let before = states.get(to)!;
      const proof = proofs?.get(to);
      if (proof) {
        // Moved on from the attempt that sent it, to the vendor after that attempt's: nothing else.
        if (a.resendOf !== undefined || before.status !== 'sent' || before.attempt !== proof.attempt || chain.indexOf(before.sender) + 1 !== index) {
          throw new JournalMismatchError(['attempts'], `batch ${a.batch}: attempt ${a.attempt} moves ${to} to ${a.sender} with a proof that does not fit where it stood`);
        }
        before = { status: 'pending', next: index, last: before.attempt };
      }
      if (a.resendOf !== undefined) {
        // Only what is still unknown from that attempt is resent; a refusal of the resend proves
        // nothing about the first send, so such a recipient stays unknown (at the first attempt).
        if (before.status !== 'unknown' || before.attempt !== a.resendOf || a.sender !== before.sender) {
          throw new JournalMismatchError(['attempts'], `batch ${a.batch}: attempt ${a.attempt} resends ${to}, which attempt ${a.resendOf} did not leave unknown`);
        }
        if (outcome.status === 'sent' && !refusedHere.has(to)) {
          states.set(to, { status: 'sent', sender: a.sender, attempt: a.attempt, ...sentId(ids, outcome, to) });
          everSent.add(to);
        }
        continue;
      }
      // A new round at the chain's head for a recipient nothing was sent to (retryRefused) is in order.
      const restart = index === 0 && (before.status === 'refused' || (before.status === 'pending' && before.next >= chain.length));
      if (!restart && (before.status !== 'pending' || before.next !== index)) throw new JournalMismatchError(['attempts'], `batch ${a.batch}: attempt ${a.attempt} sends ${to} to ${a.sender} out of the chain's order`);
      if (outcome.status === 'sent') {
        const refusal = refusedHere.get(to);
        if (!refusal) {
          states.set(to, { status: 'sent', sender: a.sender, attempt: a.attempt, ...sentId(ids, outcome, to) });
          everSent.add(to);
        } else states.set(to, refusal.failover ? { status: 'pending', next: index + 1, last: a.attempt } : { status: 'refused', attempt: a.attempt });
      } else if (outcome.status === 'refused') {
        states.set(to, outcome.failover ? { status: 'pending', next: index + 1, last: a.attempt } : { status: 'refused', attempt: a.attempt });
      } else {
        states.set(to, { status: 'unknown', sender: a.sender, attempt: a.attempt });
      }
    }
    if (a.resendOf === undefined && outcome.status === 'unknown') unknownAttempts.set(a.attempt, a);
  });
  for (const [to, proof] of options.moveOn ?? []) {
    const state = states.get(to);
    if (state?.status !== 'sent' || state.attempt !== proof.attempt || proof.to !== to) continue;
    const next = chain.indexOf(state.sender) + 1;
    if (next < chain.length) states.set(to, { status: 'pending', next, last: state.attempt, proof });
  }
  for (const [to, state] of states) if (state.status === 'pending' && state.next >= chain.length) states.set(to, state.last === undefined ? { status: 'refused' } : { status: 'refused', attempt: state.last });
  return { states, next: nextAttempt(chain, dedupes, batch, states, unknownAttempts, resent, options.retryRefused === true, everSent) };
}

function sentId(ids: Map<string, string> | undefined, outcome: Extract<AttemptOutcome, { status: 'sent' }>, to: string): { id?: string } {
  const id = ids?.get(to) ?? (outcome.ids.length === 1 ? outcome.ids[0] : undefined);
  return id === undefined ? {} : { id };
}

function nextAttempt(
  chain: readonly string[],
  dedupes: readonly boolean[],
  batch: readonly string[],
  states: Map<string, RecipientState>,
  unknownAttempts: Map<number, FailoverAttempt>,
  resent: ReadonlySet<number>,
  retryRefused: boolean,
  everSent: ReadonlySet<string>,
): NextAttempt | undefined {
  // First what is unknown at a vendor that deduplicates: the same request again, with its key.
  for (const a of unknownAttempts.values()) {
    if (resent.has(a.attempt) || !dedupes[chain.indexOf(a.sender)] || a.dedupeKey === undefined) continue;
    // A dedupe key binds its recipients: resend the very same list, or nothing.
    const still = a.recipients.every((to) => {
      const s = states.get(to)!;
      return s.status === 'unknown' && s.attempt === a.attempt;
    });
    if (still) return { sender: chain.indexOf(a.sender), recipients: [...a.recipients], resendOf: a };
  }
  let lowest = Number.POSITIVE_INFINITY;
  for (const s of states.values()) if (s.status === 'pending') lowest = Math.min(lowest, s.next);
  if (lowest !== Number.POSITIVE_INFINITY) {
    const recipients = batch.filter((to) => {
      const s = states.get(to)!;
      return s.status === 'pending' && s.next === lowest;
    });
    const proofs = recipients.flatMap((to) => {
      const s = states.get(to)!;
      return s.status === 'pending' && s.proof ? [s.proof] : [];
    });
    return { sender: lowest, recipients, ...(proofs.length > 0 && { proofs }) };
  }
  if (!retryRefused) return undefined;
  // Refused by an earlier run's attempt (not this run's: one round per run).
  const again = batch.filter((to) => {
    const s = states.get(to)!;
    return s.status === 'refused' && s.attempt !== undefined && !resent.has(s.attempt) && !everSent.has(to);
  });
  return again.length > 0 ? { sender: 0, recipients: again, retry: true } : undefined;
}
