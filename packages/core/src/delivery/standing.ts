/**
 * msgkit's one rule for where a recipient stands after the send, by its delivery reports and the
 * vendors' lookups: delivered, failed (and why), pending or unknown. `msgkit report` (the CLI's
 * journal states), the queue (`campaignStatus`, `campaignResults`) and the dashboard all ask it,
 * so one recipient never gets two answers. Each caller reduces a message's reports its own way
 * (the queue with the webhooks' MessageTracker, the journal readers keep the greatest report) and
 * gives the rule one report per message; the rule decides between messages and lookups:
 *
 * 1. A final `delivered` of any vendor that sent it, the holder or one a failover moved on from:
 *    the handset has it (a vendor's delivered is its proof), and calling it anything else would
 *    invite a resend of a message that arrived.
 * 2. Else the holder's final negative report (undelivered, expired, rejected, failed): failed,
 *    with the vendor's words. A vendor it moved on from decides nothing more: its failure is why
 *    the recipient moved, and the next vendor's message is the one still open.
 * 3. Else the holder's lookup proving nothing was sent: failed (`not_sent`, resendable).
 * 4. Else the holder's lookup that could not tell: unknown, with its reason.
 * 5. Else the holder's greatest report that is not final: pending.
 * 6. Else nothing is said: the caller's answer is the send's outcome.
 *
 * The holder is the vendor whose message decides (the one that sent it; a chain's recipient may
 * have moved on); unset, every report is the holder's. A lookup names the vendor it asked; one of
 * another vendor than the holder decides nothing.
 *
 * And one rule for "delivered twice": a recipient more than one vendor reported delivered got the
 * message more than once (and the user paid for each): `deliveredTwiceBy` names them, less the
 * holder.
 */
import { deliveryProgress, isFinalDeliveryStatus, type DeliveryStatus } from './status';

/** The four answers about a recipient after the send. */
export type RecipientDeliveryState = 'delivered' | 'failed' | 'pending' | 'unknown';

/** What one message to the recipient says: its greatest report, or a reducer's view of it. */
export interface MessageReport {
  vendor: string;
  messageId: string;
  status: DeliveryStatus;
  final: boolean;
  raw: { status: string; code?: number | string; error?: string };
  /** The vendor's time of the report, ISO 8601. */
  at?: string;
}

/** A lookup's verdict about the recipient (`msgkit reconcile`, the queue's reconcile). */
export interface StandingLookup {
  outcome: 'sent' | 'not_sent' | 'unknown';
  /** Why it could not tell (an unknown verdict). */
  reason?: string;
  /** The vendor asked, where known: a lookup of another vendor than the holder decides nothing. */
  sender?: string;
}

/** What the rule is given about one recipient. */
export interface StandingInput<R extends MessageReport> {
  /** One report per message, of every vendor that sent it (a repeated or lesser report changes nothing). */
  reports: Iterable<R>;
  /** The vendor whose message decides; unset: every report's vendor. */
  holder?: string;
  /** The latest lookup's verdict. */
  lookup?: StandingLookup;
}

/** Where a recipient stands by its reports and lookups. */
export interface RecipientDeliveryStanding<R extends MessageReport> {
  state: RecipientDeliveryState;
  /** Why, in one short clause (a code first): the vendor's words for a failed report, the lookup's reason. */
  reason: string;
  /** The report that decided (or, for a lookup's answer, the holder's greatest report, if any). */
  report?: R;
  /** The lookup decided (not_sent or unknown). */
  byLookup?: true;
  /** Every vendor that reported it delivered, sorted. */
  deliveredBy: string[];
  /** Delivered by more than one vendor: those of them other than the holder, sorted; empty otherwise. */
  deliveredTwiceBy: string[];
}

/** The reason given for a recipient a lookup proved was never sent. */
export const NOT_SENT_REASON = 'not_sent: the vendor proves it never sent it (resendable)';

const timeOf = (r: MessageReport): number => {
  const ms = r.at === undefined ? Number.NaN : Date.parse(r.at);
  return Number.isNaN(ms) ? -1 : ms;
};

/** Says a final state (a final report with a final status: a final `unknown` says none). */
const isFinal = (r: MessageReport) => r.final && isFinalDeliveryStatus(r.status);

/**
 * The order of reports the rule picks the greatest by (the webhooks' reducer's, whose last
 * tie-break, the report's text, is the vendor and message id here): final first; among finals
 * delivered, then the vendor's later time, then progress; among the others progress, then time.
 */
export function compareMessageReports(a: MessageReport, b: MessageReport): number {
  const fa = isFinal(a);
  if (fa !== isFinal(b)) return fa ? 1 : -1;
  const p = deliveryProgress(a.status) - deliveryProgress(b.status);
  const t = timeOf(a) - timeOf(b);
  if (fa) {
    const d = (a.status === 'delivered' ? 1 : 0) - (b.status === 'delivered' ? 1 : 0);
    if (d !== 0) return d;
    if (t !== 0) return t;
    if (p !== 0) return p;
  } else {
    if (p !== 0) return p;
    if (t !== 0) return t;
  }
  const ka = `${a.vendor}\u0000${a.messageId}`;
  const kb = `${b.vendor}\u0000${b.messageId}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The vendor's words for a report: `status code error`, or msgkit's status where it gave none. */
export function reportReason(r: MessageReport): string {
  return [r.raw.status, r.raw.code, r.raw.error].filter((x) => x !== undefined && x !== '').join(' ') || r.status;
}

/** Where a recipient stands (see the module comment); undefined where its reports and lookups say nothing. */
export function recipientStanding<R extends MessageReport>(input: StandingInput<R>): RecipientDeliveryStanding<R> | undefined {
  const { holder, lookup } = input;
  let held: R | undefined;
  let delivered: R | undefined;
  // The vendors that delivered it: one string until a second one (the usual case allocates nothing).
  let by: string | Set<string> | undefined;
  for (const r of input.reports) {
    if (isFinal(r) && r.status === 'delivered') {
      if (by === undefined) by = r.vendor;
      else if (typeof by === 'string') by = by === r.vendor ? by : new Set([by, r.vendor]);
      else by.add(r.vendor);
      // The holder's own delivered report is the one shown, where it gave one.
      const mine = r.vendor === holder;
      if (!delivered || (mine !== (delivered.vendor === holder) ? mine : compareMessageReports(r, delivered) > 0)) delivered = r;
    }
    if (holder !== undefined && r.vendor !== holder) continue;
    if (!held || compareMessageReports(r, held) > 0) held = r;
  }
  const deliveredBy = by === undefined ? [] : typeof by === 'string' ? [by] : [...by].sort();
  const deliveredTwiceBy = deliveredBy.length > 1 ? deliveredBy.filter((v) => v !== holder) : [];
  const twice = { deliveredBy, deliveredTwiceBy };
  if (delivered) return { state: 'delivered', reason: reportReason(delivered), report: delivered, ...twice };
  if (held && isFinal(held)) return { state: 'failed', reason: reportReason(held), report: held, ...twice };
  const asked = lookup && (lookup.sender === undefined || holder === undefined || lookup.sender === holder) ? lookup : undefined;
  if (asked?.outcome === 'not_sent') return { state: 'failed', reason: NOT_SENT_REASON, byLookup: true, ...twice };
  if (asked?.outcome === 'unknown') return { state: 'unknown', reason: asked.reason ?? 'unknown', ...(held && { report: held }), byLookup: true, ...twice };
  if (held) return { state: 'pending', reason: 'no final report yet', report: held, ...twice };
  return undefined;
}
