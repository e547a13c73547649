/**
 * One `msgkit send` run over a streamed recipient list: rows are normalized as they are read,
 * batches form as they come, each batch goes through the chain of senders (`sendWithFailover`,
 * with the journal when given), and every input row gets its line in the results file, whatever
 * happens to its batch: the vendor that sent it (or may have), and every vendor tried.
 */
import { batchDedupeKey, JournalWriteError, sendInBatches, sendWithFailover, type CampaignMessage, type CampaignSender, type FailoverClass, type FailoverOptions, type FailoverResult, type JournaledBatchResult, type RecipientOutcome } from '@msgkit/core';
import { ticketUnknown, type FileJournal } from '@msgkit/journal';
import { sendingTry } from '@msgkit/core/internal';
import { classify, newTally, type ClassifiedRow, type Tally } from './classify';
import { describeError } from './errors';
import { RecipientsFileError, type Row } from './recipients';
import { fromRecipient, ResultsWriteError, type ResultRow, type ResultsWriter, type ResultStatus } from './results';
import { RunJournal } from './runJournal';

export interface CampaignRun {
  /** The senders, in the order tried (`-p a,b`): one is a chain of one. */
  chain: CampaignSender[];
  message: CampaignMessage;
  rows: AsyncIterable<Row>;
  country: string | undefined;
  /** Send to numbers whose type is not mobile too (see classify's NOT_MOBILE). */
  allowLandline?: boolean;
  batchSize: number;
  /** A personalized text: each row's own (the rows were checked before the run; a batch is then one row). */
  textOf?: (row: Row) => string | { column: string };
  concurrency: number;
  /** The journal, opened with the chain; its campaign id and content bind every batch key. */
  journal?: FileJournal;
  /** Resend attempts of unknown outcome at vendors that cannot deduplicate (may bill twice). */
  resendUnknown: boolean;
  /** `--dlr-url`: batch `index`'s report URL and reference for each sender that takes them, by sender name. */
  callbacks?: (index: number) => FailoverOptions['perSender'];
  /** Recipients of batch `index` a provider sent that move on to the next one, with their proofs (`--failover-on-report`, `--failover-after-no-report`). */
  moveOn?: (index: number) => FailoverOptions['moveOn'];
  results?: ResultsWriter;
  /** Aborted on Ctrl-C, and by the run itself when a batch proves no later one can succeed. */
  controller: AbortController;
  progress: (line: string) => void;
}

export interface BatchLine {
  index: number;
  size: number;
  /** `sent` when every recipient was sent; `unknown` when any may have been; else `refused`. */
  status: 'sent' | 'refused' | 'unknown';
  /** Settled by an earlier run; this run sent nothing of it. */
  earlier: boolean;
  counts: Record<'sent' | 'refused' | 'unknown', number>;
  /** Recipients sent, by vendor. */
  sentBy: Record<string, number>;
  /** Of the sent, those a vendor accepted without naming the send (`ticket_unknown`: Octopush's code 120 to a resend). */
  ticketUnknown: number;
  id?: string;
  error?: string;
}

/** One vendor's share of a campaign: recipients it sent or may have sent, and its tries by how they ended. */
export interface SenderTotals {
  sent: number;
  unknown: number;
  tries: Record<'sent' | 'refused' | 'unknown', number>;
}

export interface CampaignSummary {
  tally: Tally;
  recipients: Record<'sent' | 'refused' | 'unknown', number>;
  sentEarlier: number;
  /**
   * Of the sent, recipients a vendor accepted without naming the send (`ticket_unknown`, the
   * journal's and the queue's word): Octopush refused the resend of an earlier send with code 120,
   * which proves that send was accepted but gives no ticket, and no lookup by request_id exists.
   */
  ticketUnknown: number;
  batches: BatchLine[];
  /** Per vendor of the chain, in its order. */
  senders: Record<string, SenderTotals>;
  /** Recipients moved on to the next vendor, by the class of the refusal that proved nothing was sent. */
  failovers: Partial<Record<FailoverClass, number>>;
  /** Recipients each provider sent that then moved on to the next (a final negative report, the timer), every run's included. */
  moved: Record<string, { report: number; timer: number }>;
  /**
   * The error that stopped the campaign: every vendor of the chain refused the account, the journal
   * or the results file could not be written, or a recipient row cannot be read.
   */
  stoppedBy?: unknown;
  /** Valid recipients of batches never started (stopped or interrupted). */
  notStarted: number;
}

/** Every vendor of the chain refused the account (401/403) for one batch: no later batch can succeed. */
export class ChainRefusedError extends Error {
  override name = 'ChainRefusedError';
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

const ACCOUNT_REFUSED = new Set(['authentication_error', 'permission_denied']);

/** The recipient list could not be read on (an I/O error): nothing after the rows read is sent. */
export class InputReadError extends Error {
  override name = 'InputReadError';
  readonly code: string;
  constructor(cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(`the recipient list cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.code = typeof code === 'string' ? code : 'read_failed';
  }
}

const unreadable = (error: unknown) => error instanceof RecipientsFileError || error instanceof InputReadError;

interface Item {
  e164: string;
  /** The row's own text, for a personalized campaign. */
  text?: string;
  row: ClassifiedRow;
  /** The row's position in the input, which orders the results file. */
  seq: number;
}

const label = (row: Row) => (row.arg ? `arg ${row.row}` : String(row.row));

export async function runCampaign(run: CampaignRun): Promise<CampaignSummary> {
  const { results, controller, batchSize } = run;
  const tally = newTally();
  const senders: Record<string, SenderTotals> = Object.fromEntries(run.chain.map((s) => [s.name, { sent: 0, unknown: 0, tries: { sent: 0, refused: 0, unknown: 0 } }]));
  const summary: CampaignSummary = { tally, recipients: { sent: 0, refused: 0, unknown: 0 }, sentEarlier: 0, ticketUnknown: 0, batches: [], senders, failovers: {}, moved: {}, notStarted: 0 };
  const journal = new RunJournal(run.journal);
  // Rows of batches handed to sendInBatches and not yet settled, by batch index.
  const pending = new Map<number, Item[]>();
  let validSeen = 0;
  let seq = 0;
  let readAll = false;

  const stop = (error: unknown) => {
    summary.stoppedBy ??= error;
    if (!controller.signal.aborted) controller.abort(error);
  };
  // A results file that cannot be written stops the campaign before its next send, like the journal.
  const written = () => results?.failure && stop(results.failure);
  const resultRow = (row: ClassifiedRow, status: ResultStatus, extra: Omit<ResultRow, 'row' | 'input' | 'status'> = {}): ResultRow => ({
    row: label(row),
    input: row.input,
    ...(row.e164 && { e164: row.e164 }),
    ...(row.type && { type: row.type }),
    status,
    ...extra,
    ...(row.cells && { cells: row.cells }),
  });

  const classified = classify(run.rows, run.country, tally, { allowLandline: run.allowLandline === true });
  async function* valid(): AsyncGenerator<Item> {
    try {
      for await (const row of classified) {
        const at = seq++;
        if (row.status === 'invalid') results?.immediate(at, resultRow(row, 'invalid', { error: row.code! }));
        else if (row.status === 'duplicate') results?.immediate(at, resultRow(row, 'duplicate'));
        else {
          const text = run.textOf?.(row);
          if (text !== undefined && typeof text !== 'string') throw new InputReadError(new Error(`row ${row.row} changed since it was checked: {${text.column}} cannot be filled`));
          const index = Math.floor(validSeen++ / batchSize);
          let rows = pending.get(index);
          if (!rows) pending.set(index, (rows = []));
          const item = { e164: row.e164!, row, seq: at, ...(text !== undefined && { text }) };
          rows.push(item);
          yield item;
        }
        written();
      }
    } catch (error) {
      // An unreadable row: it gets its line (invalid), and the campaign stops after the batches in flight.
      if (error instanceof RecipientsFileError) {
        results?.immediate(seq++, { row: String(error.row), input: '', status: 'invalid', error: `malformed_csv: ${error.code}` });
        tally.rows++;
        tally.invalid++;
        throw error;
      }
      throw error instanceof InputReadError ? error : new InputReadError(error);
    }
    readAll = true;
  }

  /** Reports every recipient of a batch from the chain's result; `notSent` is the cell of one no attempt reached. */
  const settleRows = (index: number, result: FailoverResult, earlierAttempts: number, notSent?: string) => {
    const rows = pending.get(index) ?? [];
    pending.delete(index);
    const byNumber = new Map(result.recipients.map((r) => [r.to, r]));
    const line: BatchLine = { index, size: 0, status: 'sent', earlier: result.attempts.length <= earlierAttempts, counts: { sent: 0, refused: 0, unknown: 0 }, sentBy: {}, ticketUnknown: 0 };
    const out: Array<{ seq: number; row: ResultRow }> = [];
    for (const item of rows) {
      const r = byNumber.get(item.e164);
      if (!r) continue;
      if (r.status === 'refused' && r.code === 'aborted') {
        summary.notStarted++;
        summary.recipients.refused++;
        out.push({ seq: item.seq, row: resultRow(item.row, 'refused', { error: notSent ?? 'not_sent', ...(r.tried.length > 0 && { tries: fromRecipient(r).tries }) }) });
        line.counts.refused++;
        line.size++;
        continue;
      }
      count(r, earlierAttempts);
      line.size++;
      line.counts[r.status]++;
      if (r.status === 'sent') line.sentBy[r.sentBy!] = (line.sentBy[r.sentBy!] ?? 0) + 1;
      const noTicket = sentWithoutTicket(r, result.attempts);
      if (noTicket) {
        line.ticketUnknown++;
        summary.ticketUnknown++;
      }
      const cells = fromRecipient(r, noTicket);
      if (r.status === 'sent') line.id ??= cells.vendorId;
      else line.error ??= cells.error;
      out.push({ seq: item.seq, row: resultRow(item.row, r.status, cells) });
    }
    line.status = line.counts.unknown > 0 ? 'unknown' : line.counts.refused > 0 ? 'refused' : 'sent';
    summary.batches.push(line);
    results?.batch(index, out);
    journal.close(index);
    written();
  };

  const count = (r: RecipientOutcome, earlierAttempts: number) => {
    summary.recipients[r.status]++;
    for (const t of r.tried) {
      const totals = senders[t.sender];
      if (totals) totals.tries[t.outcome]++;
      if (t.failover && t.class) summary.failovers[t.class] = (summary.failovers[t.class] ?? 0) + 1;
      if (t.moved) (summary.moved[t.sender] ??= { report: 0, timer: 0 })[t.moved]++;
    }
    if (r.status === 'sent') {
      senders[r.sentBy!]!.sent++;
      const by = r.tried.find((t) => t.outcome === 'sent' && t.sender === r.sentBy);
      if (by && by.attempt < earlierAttempts) summary.sentEarlier++;
    } else if (r.status === 'unknown') {
      const at = [...r.tried].reverse().find((t) => t.outcome === 'unknown');
      if (at && senders[at.sender]) senders[at.sender]!.unknown++;
    }
  };

  // Batches this run did not start: what an earlier run recorded for them stands; the rest were not sent.
  const notSent = async (reason: string, below = Number.POSITIVE_INFINITY) => {
    const cell = `not_sent: ${reason}`;
    for (const [index, rows] of [...pending]) {
      if (index >= below || !pending.has(index)) continue;
      const recipients = rows.map((i) => i.e164);
      const recorded = run.journal ? await journal.standing(run.chain, index, recipients, messageOf(run, rows), 'recorded') : undefined;
      if (recorded && recorded.attempts.length > 0) {
        settleRows(index, recorded, recorded.attempts.length, cell);
        continue;
      }
      summary.notStarted += rows.length;
      summary.recipients.refused += rows.length;
      results?.batch(
        index,
        rows.map((item) => ({ seq: item.seq, row: resultRow(item.row, 'refused', { error: cell }) })),
      );
      pending.delete(index);
    }
  };

  let done = 0;
  const tick = () => run.progress(`sending: ${done}/${readAll ? Math.ceil(validSeen / batchSize) : '?'} batches, ${tally.rows} rows read`);
  const timer = setInterval(tick, 1000);
  timer.unref();

  // What each batch's chain ended with, handed over by send (the settle callback cannot await).
  const settled = new Map<number, Promise<void>>();
  const onSettled = (r: JournaledBatchResult<Item, FailoverResult>) => {
    done++;
    if (r.ok === 'skipped') return;
    if (r.ok === true) {
      settleRows(r.index, r.result, journal.earlier(r.index));
      const refusedAccounts = new Set(r.result.attempts.filter((a) => a.outcome?.status === 'refused' && ACCOUNT_REFUSED.has(a.outcome.code)).map((a) => a.sender));
      if (run.chain.every((s) => refusedAccounts.has(s.name)) && !controller.signal.aborted) {
        const last = [...r.result.attempts].reverse().find((a) => a.outcome?.status === 'refused')!.outcome as { code: string; reason?: string; message: string };
        stop(new ChainRefusedError(last.code, `${last.reason ?? last.message} (${[...refusedAccounts].join(', ')})`));
      }
      return;
    }
    if (controller.signal.aborted && r.error === controller.signal.reason) {
      // Never started: its rows stay pending and are reported as not sent below.
      done--;
      return;
    }
    done--;
    stop(r.error);
    // The chain stopped mid-way (its journal failed, or its record does not fit): what this run saw of it stands.
    if (unreadable(r.error) || !pending.has(r.index)) return;
    const rows = pending.get(r.index)!;
    const earlier = journal.earlier(r.index);
    settled.set(
      r.index,
      journal
        .standing(run.chain, r.index, rows.map((i) => i.e164), messageOf(run, rows), 'live')
        .then((standing) => settleRows(r.index, standing, earlier, `not_sent: the campaign stopped: ${stopReason(r.error)}`))
        .catch(() => undefined),
    );
  };

  const keys = run.journal && { campaignId: run.journal.campaignId, content: run.journal.content };
  try {
    await sendInBatches(valid(), {
      size: batchSize,
      concurrency: run.concurrency,
      signal: controller.signal,
      retain: false,
      onSettled,
      send: (items: Item[], index: number) => {
        const recipients = items.map((i) => i.e164);
        journal.open(index, new Map(items.map((i) => [i.e164, i.row.row])));
        const dedupeKey = keys && batchDedupeKey(keys.campaignId, index, { content: keys.content, recipients });
        return sendWithFailoverFor(run, recipients, messageOf(run, items), index, journal, dedupeKey);
      },
    });
    await Promise.all(settled.values());
    if (pending.size > 0 || !readAll) {
      const reason = summary.stoppedBy
        ? `the campaign stopped: ${stopReason(summary.stoppedBy)}`
        : controller.signal.aborted
          ? 'interrupted before this batch started'
          : 'the campaign stopped';
      // Batches formed and never started, then every row not read yet: each gets its line.
      // Whole batches are reported as they complete, so a journaled one is looked up once.
      if (!unreadable(summary.stoppedBy)) {
        for await (const _ of valid()) await notSent(reason, Math.floor((validSeen - 1) / batchSize));
      }
      await notSent(reason);
    }
  } finally {
    clearInterval(timer);
  }
  tick();
  return summary;
}

/** Whether `r` stands sent by an attempt its vendor accepted without naming it (`ticket_unknown`, see @msgkit/journal's ticketUnknown). */
function sentWithoutTicket(r: RecipientOutcome, attempts: FailoverResult['attempts']): boolean {
  const by = sendingTry(r);
  return by !== undefined && ticketUnknown(attempts.find((a) => a.attempt === by.attempt)?.outcome);
}

/** What a batch sends: the campaign's message, with the row's own text where it is personalized (a batch is then one row). */
function messageOf(run: CampaignRun, items: readonly Item[]): CampaignMessage {
  const text = items[0]?.text;
  return text === undefined ? run.message : { ...run.message, text };
}

function sendWithFailoverFor(run: CampaignRun, recipients: string[], message: CampaignMessage, index: number, journal: RunJournal, dedupeKey: string | undefined): Promise<FailoverResult> {
  return sendWithFailover(run.chain, recipients, message, {
    journal,
    batchIndex: index,
    // The batch key goes as the vendor's dedupe key (each attempt's derived from it) and as the
    // reference vendors echo in delivery reports, where they have one.
    ...(dedupeKey !== undefined && { dedupeKey, reference: dedupeKey }),
    ...(run.callbacks && { perSender: run.callbacks(index) }),
    ...(run.moveOn?.(index) && { moveOn: run.moveOn(index) }),
    resendUnknown: run.resendUnknown,
    // A rerun sends what every vendor refused before (nothing of it was sent): a fixed key, credit topped up.
    retryRefused: true,
  });
}

/** One short clause for a `not_sent` cell: why the campaign stopped. */
function stopReason(error: unknown): string {
  if (error instanceof JournalWriteError) return `journal_write_failed ${error.systemCode ?? ''}`.trim();
  if (error instanceof ResultsWriteError) return `results_write_failed ${error.systemCode}`;
  if (error instanceof RecipientsFileError) return `row ${error.row} cannot be read (${error.code})`;
  if (error instanceof InputReadError) return `the recipient list cannot be read (${error.code})`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : describeError(error);
}
