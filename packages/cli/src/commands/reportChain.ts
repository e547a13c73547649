/**
 * `msgkit report` of a journal that records a failover chain: each batch's attempts read back and
 * read by core's own rule (planChain), so the report says what a resume would find: per recipient
 * sent (by which provider), refused, or unknown (at which provider, and why); totals per provider
 * and per failover class.
 */
import type { FailoverClass } from '@msgkit/core';
import { planChain } from '@msgkit/core/internal';
import { ticketUnknown, type JournalContents, type RecordedAttempt } from '@msgkit/journal';

/** What `ticket_unknown` recipients are, for the summary and msgkit report: sent once, their ticket not known. */
export const TICKET_UNKNOWN_NOTE = (n: number) =>
  `${n} of the sent are ticket_unknown: the vendor refused a resend with the same key as a send it had accepted (Octopush code 120), which proves that send was accepted, but names no ticket, and no lookup by key exists. They were sent once and are not resent; they have no vendor id, and msgkit reconcile cannot check them.`;

type Status = 'sent' | 'refused' | 'unknown';
export const STATUSES: Status[] = ['sent', 'refused', 'unknown'];

export interface ProviderTotals {
  /** Recipients it sent. */
  sent: number;
  /** Recipients whose outcome is unknown at it. */
  unknown: number;
  /** Its tries, one per recipient per attempt, by how they ended. */
  tries: Record<Status, number>;
  /** Recipients it sent that moved on to the next provider: on a final negative report, on the timer asked for by name. */
  moved: { report: number; timer: number };
  /** Recipients it reported delivered that another provider delivered too (core's rule): each delivered twice. */
  deliveredTwice: number;
  /** Of those it sent, recipients it accepted without naming the send (`ticket_unknown`: Octopush's code 120 to a resend). */
  ticketUnknown: number;
}

export interface ChainReport {
  chain: string[];
  totals: Record<Status, { batches: number; recipients: number }>;
  providers: Record<string, ProviderTotals>;
  /** Recipients moved to the next provider, by the class of the refusal that proved nothing was sent. */
  failovers: Partial<Record<FailoverClass, number>>;
  /** Unknown recipients by the code of their attempt (`interrupted`: a run stopped while it was in flight). */
  unknownBy: Record<string, number>;
  /** Of the sent, recipients a provider accepted without naming the send (`ticket_unknown`, @msgkit/journal's ticketUnknown). */
  ticketUnknown: number;
}

export interface UnknownRecipient {
  row?: number;
  e164: string;
  provider: string;
  code: string;
}

/** Every batch of the journal with where each of its recipients stands, in batch order. */
function* batches(path: string, contents: JournalContents): Generator<{ attempts: RecordedAttempt[]; states: ReturnType<typeof planChain>['states'] }> {
  const chain = contents.header.chain ?? [];
  const indexes = [...contents.attempts.keys()].sort((a, b) => a - b);
  for (const index of indexes) {
    const attempts = contents.attempts.read(path, index);
    // The first attempt of a batch is sent to the whole batch.
    const recipients = attempts[0]!.recipients;
    yield { attempts, states: planChain(chain, chain.map(() => false), recipients, attempts).states };
  }
}

/** The providers other than `holder` that delivered `to` of batch `batch`, where more than one did (JournalStates.deliveredTwiceBy). */
export type TwiceOf = (batch: number, to: string, holder: string) => readonly string[];

export function chainReport(path: string, contents: JournalContents, twiceOf?: TwiceOf): ChainReport {
  const chain = contents.header.chain ?? [];
  const report: ChainReport = {
    chain,
    totals: Object.fromEntries(STATUSES.map((s) => [s, { batches: 0, recipients: 0 }])) as ChainReport['totals'],
    providers: Object.fromEntries(chain.map((name) => [name, { sent: 0, unknown: 0, tries: { sent: 0, refused: 0, unknown: 0 }, moved: { report: 0, timer: 0 }, deliveredTwice: 0, ticketUnknown: 0 }])),
    failovers: {},
    unknownBy: {},
    ticketUnknown: 0,
  };
  for (const { attempts, states } of batches(path, contents)) {
    for (const a of attempts) {
      for (const p of a.proofs ?? []) {
        const from = attempts[p.attempt]?.sender;
        const at = from === undefined ? undefined : report.providers[from];
        if (!at) continue;
        at.moved[p.kind]++;
      }
      const totals = report.providers[a.sender];
      const outcome = a.outcome;
      const refused = outcome?.status === 'sent' ? new Map((outcome.refused ?? []).map((r) => [r.to, r])) : undefined;
      for (const to of a.recipients) {
        const refusal = refused?.get(to);
        const status: Status = !outcome ? 'unknown' : refusal ? 'refused' : outcome.status;
        if (totals) totals.tries[status]++;
        const moved = refusal ? refusal.failover && refusal.class : outcome?.status === 'refused' && outcome.failover && a.resendOf === undefined && outcome.class;
        if (moved) report.failovers[moved] = (report.failovers[moved] ?? 0) + 1;
      }
    }
    const counts: Record<Status, number> = { sent: 0, refused: 0, unknown: 0 };
    for (const [to, state] of states) {
      const status: Status = state.status === 'pending' ? 'refused' : state.status;
      counts[status]++;
      if (state.status === 'sent') {
        report.providers[state.sender]!.sent++;
        if (ticketUnknown(attempts[state.attempt]?.outcome)) {
          report.providers[state.sender]!.ticketUnknown++;
          report.ticketUnknown++;
        }
      }
      if (twiceOf && (state.status === 'sent' || state.status === 'unknown')) {
        for (const vendor of twiceOf(attempts[0]!.batch, to, state.sender)) if (report.providers[vendor]) report.providers[vendor].deliveredTwice++;
      }
      if (state.status === 'unknown') {
        report.providers[state.sender]!.unknown++;
        const code = attempts[state.attempt]!.outcome?.status === 'unknown' ? (attempts[state.attempt]!.outcome as { code: string }).code : 'interrupted';
        report.unknownBy[code] = (report.unknownBy[code] ?? 0) + 1;
      }
    }
    const worst: Status = counts.unknown > 0 ? 'unknown' : counts.refused > 0 ? 'refused' : 'sent';
    report.totals[worst].batches++;
    for (const s of STATUSES) report.totals[s].recipients += counts[s];
  }
  return report;
}

/**
 * Calls `each` for up to `limit` recipients of unknown outcome, in batch order, with their row and
 * the provider that may have them; stops early when `signal` aborts (a reader that left).
 */
export async function eachUnknownOfChain(path: string, contents: JournalContents, limit: number, each: (u: UnknownRecipient) => void, signal?: AbortSignal): Promise<void> {
  let count = 0;
  for (const { attempts, states } of batches(path, contents)) {
    // A batch at a time, with a turn of the event loop between: output can drain, a closed pipe be seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) return;
    const rows = new Map<number, Map<string, number>>();
    const rowOf = (attempt: RecordedAttempt, to: string) => {
      if (!attempt.rows) return undefined;
      let map = rows.get(attempt.attempt);
      if (!map) rows.set(attempt.attempt, (map = new Map(attempt.recipients.map((r, i) => [r, attempt.rows![i]!]))));
      return map.get(to);
    };
    for (const [to, state] of states) {
      if (state.status !== 'unknown') continue;
      if (count++ >= limit) return;
      const attempt = attempts[state.attempt]!;
      const row = rowOf(attempt, to);
      const code = attempt.outcome?.status === 'unknown' ? attempt.outcome.code : 'interrupted';
      each({ ...(row !== undefined && { row }), e164: to, provider: state.sender, code });
    }
  }
}
