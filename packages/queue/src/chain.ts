/**
 * A queue campaign sent through a chain of senders: each batch goes through core's
 * `sendWithFailover`, whose attempts are recorded in Redis (before each request leaves, and after),
 * so a worker that takes over a batch from a dead one continues the chain where it stopped. The
 * rules (who moves on, what is resent) are core's; this module only stores and counts.
 */
import { sendWithFailover, type CampaignMessage, type CampaignSender, type FailoverJournal, type FailoverOptions, type FailoverResult, type RecipientMessage, type RecipientRefusal } from '@msgkit/core';
import { sendingTry } from '@msgkit/core/internal';
import type { BatchOutcome, RecipientRecord, RecipientRefused, RecipientTally, RedisJournal } from './journal';

/**
 * Places the message ids a chain attempt of `sender` was answered with, before that answer is
 * recorded (a vendor whose reports reach its account's one URL: vendorIds.ts); undefined for a
 * sender whose reports carry their own URL.
 */
export type IndexAttemptIds = (sender: string, campaignId: string, batch: number, ids: readonly string[]) => Promise<unknown> | undefined;

/**
 * The campaign journal's chain attempts, as core's FailoverJournal for one campaign. With
 * `indexIds`, a sent attempt's ids are placed before its answer is recorded: once the record shows
 * it sent, every report of its ids can be placed (a crash between the two leaves the ids placed and
 * the attempt unsettled, which a resume reads as any unsettled attempt).
 */
export function redisFailoverJournal(journal: RedisJournal, campaignId: string, indexIds?: IndexAttemptIds): FailoverJournal {
  return {
    attempts: (batch) => journal.attempts(campaignId, batch),
    // When it began: a timer asked for by name (failoverCampaign's afterNoReportMs) counts from it.
    begin: (attempt) => journal.beginAttempt(campaignId, { ...attempt, at: new Date().toISOString() }),
    settle: async (batch, attempt, outcome) => {
      if (indexIds && outcome.status === 'sent') {
        // The attempt as recorded when it began (whoever began it: a worker or a mover) names its sender.
        const sender = (await journal.attempts(campaignId, batch))[attempt]?.sender;
        if (sender !== undefined) await indexIds(sender, campaignId, batch, outcome.ids);
      }
      await journal.settleAttempt(campaignId, batch, attempt, outcome);
    },
  };
}

/** Sends one batch through the chain, continuing from what Redis holds of it. */
export function sendChainBatch(
  chain: readonly CampaignSender[],
  journal: RedisJournal,
  job: { campaignId: string; index: number; recipients: readonly string[]; message: CampaignMessage },
  options: { dedupeKey: string; signal?: AbortSignal; perSender?: FailoverOptions['perSender']; indexIds?: IndexAttemptIds },
): Promise<FailoverResult> {
  return sendWithFailover(chain, job.recipients, job.message, {
    dedupeKey: options.dedupeKey,
    ...(options.perSender && { perSender: options.perSender }),
    batchIndex: job.index,
    journal: redisFailoverJournal(journal, job.campaignId, options.indexIds),
    ...(options.signal && { signal: options.signal }),
  });
}

/**
 * A chain batch's result as the batch's outcome and one record per recipient. The batch is
 * `unknown` when any recipient's attempt is (its `recipients` are those to check), `refused` when no
 * vendor sent any, else `sent` (with the recipients no vendor sent under `refused`). Recipients are
 * counted each under its own outcome, and the sent ones under their vendor too.
 *
 * `accountSenders` names the senders whose ids are indexed (their reports reach the account's one
 * URL and name only the send's id): an attempt of one of them that sent but answered no id (Octopush's
 * code 120 to a resend of an attempt a dead worker began: the first was accepted, its ticket is not
 * returned) leaves its reports unplaceable, and a `sent` batch says so with `reports: 'ticket_unknown'`,
 * as a single sender's batch does, and counts in `unplaceable` the recipients that stand sent by
 * such an attempt (not those another vendor of the chain sent, refused or moved on).
 */
export function chainOutcome(index: number, result: FailoverResult, at: string, accountSenders?: ReadonlySet<string>): { outcome: BatchOutcome; records: RecipientRecord[] } {
  const tally: RecipientTally = {};
  const add = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);
  const sentBy: Record<string, number> = {};
  const unknown: string[] = [];
  const refused: RecipientRefused[] = [];
  const records = result.recipients.map((r): RecipientRecord => {
    add(`${r.status}:recipients`);
    if (r.status === 'sent') {
      add(`sent@${r.sentBy}:recipients`);
      sentBy[r.sentBy!] = (sentBy[r.sentBy!] ?? 0) + 1;
    } else if (r.status === 'unknown') unknown.push(r.to);
    else {
      const last = r.tried.at(-1);
      refused.push({ to: r.to, code: r.code ?? 'refused', ...(last && { sender: last.sender }), ...(last?.reason !== undefined && { reason: last.reason }) });
    }
    return { to: r.to, batch: index, status: r.status, ...(r.sentBy !== undefined && { sentBy: r.sentBy }), ...(r.id !== undefined && { id: r.id }), ...(r.code !== undefined && { code: r.code }), tried: r.tried };
  });
  const count = result.recipients.length;
  const common = { index, count, ...(Object.keys(sentBy).length > 0 && { sentBy }), tally };
  if (unknown.length > 0) {
    const first = records.find((r) => r.status === 'unknown')!;
    const interrupted = first.tried.at(-1)?.code === 'interrupted';
    return {
      outcome: {
        outcome: 'unknown',
        ...common,
        reason: interrupted ? 'interrupted' : 'outcome_unknown',
        ...(first.code !== undefined && { code: first.code }),
        message: `${unknown.length} recipient(s) may have been sent by ${first.tried.at(-1)?.sender ?? 'a vendor of the chain'}: check with it before resending; no other vendor was asked for them`,
        recipients: unknown,
        ...(refused.length > 0 && { refused }),
        at,
      },
      records,
    };
  }
  if (Object.keys(sentBy).length === 0) {
    return {
      outcome: { outcome: 'refused', ...common, code: refused[0]?.code ?? 'refused', message: `no vendor of the chain sent these recipients (each refused with proof, or one refused for good); nothing was sent`, recipients: refused.map((r) => r.to), at },
      records,
    };
  }
  const ids = [...new Set(result.attempts.flatMap((a) => (a.outcome?.status === 'sent' ? a.outcome.ids : [])))];
  // Only the recipients that stand sent by such an attempt: not those another vendor sent, nor those refused or moved on from it.
  const unplaceable = accountSenders === undefined ? 0 : result.recipients.filter((r) => sentWithoutId(r, result.attempts, accountSenders)).length;
  return { outcome: { outcome: 'sent', ...common, ids, ...(refused.length > 0 && { refused }), ...(unplaceable > 0 && { reports: 'ticket_unknown' as const, unplaceable }), at }, records };
}

/** Whether `r` stands sent by an attempt of one of `accountSenders` that answered no id (its reports cannot be placed). */
function sentWithoutId(r: FailoverResult['recipients'][number], attempts: FailoverResult['attempts'], accountSenders: ReadonlySet<string>): boolean {
  const by = sendingTry(r);
  if (by === undefined || !accountSenders.has(by.sender)) return false;
  const outcome = attempts.find((a) => a.attempt === by.attempt)?.outcome;
  return outcome?.status === 'sent' && outcome.ids.length === 0;
}

/**
 * A single sender's accepted batch in which the vendor refused some recipients one by one
 * (SentBatch.refused): those are counted refused, recorded per number, and listed on the outcome.
 */
export function refusedInBatch(sender: string, index: number, batch: readonly string[], answer: { refused?: readonly RecipientRefusal[]; messages?: readonly RecipientMessage[] }): { refused: RecipientRefused[]; tally: RecipientTally; records: RecipientRecord[] } | undefined {
  const inBatch = new Set(batch);
  const list = (answer.refused ?? []).filter((r) => inBatch.has(r.to));
  if (list.length === 0) return undefined;
  const refused = list.map((r): RecipientRefused => ({ to: r.to, code: r.code, sender, ...(r.reason !== undefined && { reason: r.reason }) }));
  const records = list.map(
    (r): RecipientRecord => ({
      to: r.to,
      batch: index,
      status: 'refused',
      code: r.code,
      tried: [{ sender, attempt: 0, outcome: 'refused', failover: r.failover, code: r.code, ...(r.class && { class: r.class }), ...(r.reason !== undefined && { reason: r.reason }) }],
    }),
  );
  return { refused, tally: { 'sent:recipients': batch.length - list.length, 'refused:recipients': list.length }, records };
}

/**
 * The vendor whose reports decide a chain recipient's delivery state: the one that sent it, or the
 * one whose attempt at it is unknown (it may have it); '' when no vendor holds it (refused by each).
 * A report of another vendor of the chain (one that refused it, in its own words) decides nothing.
 */
export function holderOf(record: Pick<RecipientRecord, 'status' | 'sentBy' | 'tried'>): string {
  if (record.status === 'sent') return record.sentBy ?? '';
  if (record.status === 'unknown') return [...record.tried].reverse().find((t) => t.outcome === 'unknown')?.sender ?? '';
  return '';
}
