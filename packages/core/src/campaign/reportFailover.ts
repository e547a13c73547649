/**
 * Failover after a send: which recipients a vendor of the chain took move on to the next vendor,
 * judged from their delivery reports (and, only when asked for by name, a timer). The answer is a
 * proof per recipient, passed to `sendWithFailover` as `moveOn` with the batch's journal, which
 * records it with the attempt that moves them.
 *
 * DECISION: a report moves a recipient only when it is final and says `undelivered`, `expired` or
 * `failed`, and the vendor does not call the failure permanent. `rejected` never moves: msgkit's
 * vocabulary uses it for refusals about the recipient (opt-out, a bad or barred number, no
 * coverage, a blocked sender), where another vendor would at best bill a second failure and at
 * worst deliver to someone who opted out. A permanent failure (Infobip `error.permanent`, The SMS
 * Works `failurereason.permanent`) is about the destination too. Anything not final (a vendor can
 * still report delivery), positive, pending or unknown stays where it is.
 *
 * A recipient an earlier vendor of the chain reported delivered (a late report after a timer moved
 * it on) never moves again, whatever its holder says: it has its message, and the recipient's one
 * answer is delivered (core's `recipientStanding`: delivered from any vendor wins).
 */
import type { DeliveryEvent } from '../delivery/report';
import { planChain, type FailoverAttempt, type MoveProof } from './attempts';

/** The final statuses whose report moves a recipient on (see the module comment for why not `rejected`). */
export const REPORT_FAILOVER_STATUSES = /* @__PURE__ */ Object.freeze(['undelivered', 'expired', 'failed'] as const);

/** True when `event` proves its message did not arrive in a way another vendor may mend (module comment). */
export function reportMovesOn(event: Pick<DeliveryEvent, 'status' | 'final' | 'permanent' | 'unmapped'>): boolean {
  return event.final === true && event.unmapped !== true && event.permanent !== true && (REPORT_FAILOVER_STATUSES as readonly string[]).includes(event.status);
}

/** The report reader of `failoverProofs`: the latest (reduced) report of the message `sender` sent to `to`. */
export type SenderReport = (to: string, sender: string) => Pick<DeliveryEvent, 'status'> | undefined;

/**
 * The vendor before `holder` in `chain` that reported `to` delivered, if any (asked vendor by
 * vendor, in the chain's order; a vendor that never sent `to` has no report).
 */
export function deliveredEarlier(chain: readonly string[], holder: string, to: string, report: SenderReport): string | undefined {
  const at = chain.indexOf(holder);
  for (let i = 0; i < at; i++) if (report(to, chain[i]!)?.status === 'delivered') return chain[i];
  return undefined;
}

/** Options of `failoverProofs`. */
export interface FailoverProofOptions {
  /** The latest (reduced) report of the message `sender` sent to `to`, if any. */
  report: (to: string, sender: string) => Pick<DeliveryEvent, 'status' | 'final' | 'permanent' | 'unmapped' | 'messageId' | 'raw'> | undefined;
  /** Move on a final negative report (`reportMovesOn`). Default true. */
  onReport?: boolean;
  /**
   * Timer failover, only when the user asked for it by name: a recipient with no final report
   * `afterMs` after its attempt began (`sentAt`; an attempt of unknown start never times out) moves on.
   */
  timer?: TimerProofOptions;
}

/** The timer of `failoverProofs`, given only when the user asked for timer failover by name. */
export interface TimerProofOptions {
  /** How long after its attempt began a recipient without a final report moves on, in ms. */
  afterMs: number;
  /** The time to judge at. */
  now: Date;
  /** When an attempt began (the file journal records `at`); undefined: never times out. */
  sentAt: (attempt: FailoverAttempt) => Date | undefined;
}

/**
 * The proofs on which recipients of one batch move on, from its recorded `attempts` (read by the
 * chain's own rule, `planChain`): only recipients a vendor sent, at a vendor that is not the last.
 */
export function failoverProofs(chain: readonly string[], batch: readonly string[], attempts: readonly FailoverAttempt[], options: FailoverProofOptions): Map<string, MoveProof> {
  const proofs = new Map<string, MoveProof>();
  if (attempts.length === 0) return proofs;
  const { states } = planChain(chain, chain.map(() => false), batch, attempts);
  for (const [to, state] of states) {
    if (state.status !== 'sent' || chain.indexOf(state.sender) + 1 >= chain.length) continue;
    if (state.attempt > 0 && deliveredEarlier(chain, state.sender, to, options.report) !== undefined) continue;
    const report = options.report(to, state.sender);
    if (report?.final) {
      if (options.onReport !== false && reportMovesOn(report)) {
        const code = report.raw.code ?? report.raw.status;
        proofs.set(to, { to, attempt: state.attempt, kind: 'report', status: report.status, ...(report.messageId !== undefined && { messageId: report.messageId }), ...(code !== undefined && { code }) });
      }
      continue;
    }
    const timer = options.timer;
    if (!timer) continue;
    const at = timer.sentAt(attempts[state.attempt]!);
    if (at !== undefined && !Number.isNaN(at.getTime()) && timer.now.getTime() - at.getTime() >= timer.afterMs) proofs.set(to, { to, attempt: state.attempt, kind: 'timer', afterMs: timer.afterMs });
  }
  return proofs;
}
