/**
 * What a run of `msgkit send` knows of each batch's chain while it is being sent: the journal's
 * records (core's FailoverJournal over @msgkit/journal, when --journal is given) with a copy of
 * the attempts of every batch in flight kept beside them. When the journal fails mid-chain, the
 * copy still says what each attempt did, so the results file tells the truth about recipients sent
 * before the failure (the journal holds such an attempt as unknown, and nothing more is sent).
 */
import { sendWithFailover, type AttemptOutcome, type CampaignMessage, type CampaignSender, type FailoverAttempt, type FailoverJournal, type FailoverResult, type RecipientMessage } from '@msgkit/core';
import type { FileFailoverJournal, FileJournal } from '@msgkit/journal';

interface Live {
  /** Attempts an earlier run recorded. */
  earlier: number;
  attempts: FailoverAttempt[];
  rows: Map<string, number>;
}

export class RunJournal implements FailoverJournal {
  readonly #file: FileJournal | undefined;
  readonly #store: FileFailoverJournal | undefined;
  readonly #live = new Map<number, Live>();

  /** `file`: the campaign's journal, opened with its chain; none without --journal (then nothing is recorded). */
  constructor(file?: FileJournal) {
    this.#file = file;
    this.#store = file?.failover({ rows: (attempt) => this.rowsOf(attempt) });
  }

  /** A batch starts: its recipients' input rows, recorded with each attempt. */
  open(batch: number, rows: Map<string, number>): void {
    this.#live.set(batch, { earlier: 0, attempts: [], rows });
  }

  /** Forgets a batch once its result is reported. */
  close(batch: number): void {
    this.#live.delete(batch);
  }

  /** How many of the batch's attempts an earlier run made. */
  earlier(batch: number): number {
    return this.#live.get(batch)?.earlier ?? 0;
  }

  rowsOf(attempt: Omit<FailoverAttempt, 'outcome'>): number[] | undefined {
    const rows = this.#live.get(attempt.batch)?.rows;
    return rows && attempt.recipients.map((to) => rows.get(to) ?? 0);
  }

  async attempts(batch: number): Promise<readonly FailoverAttempt[]> {
    const recorded = this.#store ? await this.#store.attempts(batch) : [];
    const live = this.#live.get(batch);
    if (live) {
      live.earlier = recorded.length;
      live.attempts = recorded.map((a) => ({ ...a, recipients: [...a.recipients] }));
    }
    return recorded;
  }

  async begin(attempt: Omit<FailoverAttempt, 'outcome'>): Promise<void> {
    await this.#store?.begin(attempt);
    this.#live.get(attempt.batch)?.attempts.push({ ...attempt, recipients: [...attempt.recipients] });
  }

  async settle(batch: number, attempt: number, outcome: AttemptOutcome): Promise<void> {
    // Known before it is written: if the write fails, this run still reports what the vendor answered.
    const live = this.#live.get(batch)?.attempts.find((a) => a.attempt === attempt);
    if (live) live.outcome = outcome;
    if (this.#file && live && outcome.status === 'sent' && outcome.messages) recordAnswer(this.#file, live.sender, batch, outcome.messages);
    await this.#store?.settle(batch, attempt, outcome);
  }

  /**
   * Where each recipient of a batch stands from what this run saw of it (after a failure), or from
   * the journal alone (`recorded`, for a batch this run did not start): core's own reading of the
   * attempts, nothing sent. A recipient no attempt reached comes back refused, code `aborted`.
   */
  async standing(chain: readonly CampaignSender[], batch: number, recipients: string[], message: CampaignMessage, from: 'live' | 'recorded'): Promise<FailoverResult> {
    const journal: FailoverJournal =
      from === 'live'
        ? { attempts: () => this.#live.get(batch)?.attempts ?? [], begin: async () => undefined, settle: async () => undefined }
        : { attempts: (b) => this.#store?.attempts(b) ?? [], begin: async () => undefined, settle: async () => undefined };
    return sendWithFailover(chain, recipients, message, { journal, batchIndex: batch, signal: AbortSignal.abort() });
  }
}

/**
 * The answer of the attempt that took them as each message's first delivery event (`accepted`,
 * at the sender that sent it, with its id and recipient), so a report naming only the message id
 * finds its recipient. Queued before the attempt's settle line, so written no later than it; not
 * awaited, because a failed write fails the journal, and the settle after it then reports the
 * attempt as sent but unrecorded.
 */
function recordAnswer(journal: FileJournal, vendor: string, index: number, messages: readonly RecipientMessage[]): void {
  const at = new Date().toISOString();
  for (const m of messages) {
    const e = { vendor, messageId: m.id, status: 'accepted', final: false, raw: { status: 'accepted' }, at, to: m.to, reference: { campaign: journal.campaignId, batch: index, recipient: m.to } };
    journal.note({ t: 'delivery', i: index, e }).catch(() => undefined);
  }
}
