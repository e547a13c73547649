/**
 * One `msgkit send` run over a streamed recipient list: rows are normalized as they are read,
 * batches form as they come, each batch goes through sendInBatches (with the journal when given),
 * and every input row gets its line in the results file, whatever happens to its batch.
 */
import { JournalWriteError, outcomeOfError, sendInBatches, ValidationError, type BatchOutcome, type JournaledBatchResult } from '@msgkit/core';
import { interruptedOutcome } from '@msgkit/core/internal';
import type { FileJournal } from '@msgkit/journal';
import { classify, newTally, type ClassifiedRow, type Tally } from './classify';
import { describeError } from './errors';
import type { Callback, Message, Provider, SendingClient, SendOutcome } from './providers';
import { RecipientsFileError, type Row } from './recipients';
import { fromOutcome, ResultsWriteError, type ResultRow, type ResultsWriter, type ResultStatus } from './results';

export interface CampaignRun {
  provider: Provider;
  client: SendingClient;
  message: Message;
  rows: AsyncIterable<Row>;
  country: string | undefined;
  /** Send to numbers whose type is not mobile too (see classify's NOT_MOBILE). */
  allowLandline?: boolean;
  batchSize: number;
  /** A personalized text: each row's own (the rows were checked before the run; a batch is then one row). */
  textOf?: (row: Row) => string | { column: string };
  concurrency: number;
  journal?: FileJournal;
  /** `--dlr-url`: batch `index`'s callback URL and the reference the vendor echoes. */
  callback?: (index: number) => Callback;
  resendUnknown: boolean;
  results?: ResultsWriter;
  /** Aborted on Ctrl-C, and by the run itself when a batch proves no later one can succeed. */
  controller: AbortController;
  progress: (line: string) => void;
}

export interface BatchLine {
  index: number;
  size: number;
  status: 'sent' | 'refused' | 'unknown';
  /** Settled by an earlier run; this run did not send it. */
  earlier: boolean;
  id?: string;
  error?: string;
}

export interface CampaignSummary {
  tally: Tally;
  recipients: Record<'sent' | 'refused' | 'unknown', number>;
  sentEarlier: number;
  batches: BatchLine[];
  /**
   * The error that stopped the campaign: a 401/403 or a message the vendor can never accept, the
   * journal or the results file that could not be written, or a recipient row that cannot be read.
   */
  stoppedBy?: unknown;
  /** Valid recipients of batches never started (stopped or interrupted). */
  notStarted: number;
}

/**
 * The send's answer as each message's first delivery event (`accepted`, with its id and
 * recipient), so a report naming only the message id finds its recipient. Queued before the
 * batch's settle line, so written no later than it; not awaited, because a failed write fails the
 * journal, and the settle after it then reports the batch as sent but unrecorded.
 */
function recordAnswer(journal: FileJournal, vendor: string, index: number, messages: NonNullable<SendOutcome['messages']>): void {
  const at = new Date().toISOString();
  for (const m of messages) {
    const e = { vendor, messageId: m.id, status: 'accepted', final: false, raw: { status: m.status ?? 'accepted' }, at, to: m.to, reference: { campaign: journal.campaignId, batch: index, recipient: m.to } };
    journal.note({ t: 'delivery', i: index, e }).catch(() => undefined);
  }
}

/** Fields of a send that name recipients: an issue there concerns some numbers, not the message. */
const RECIPIENT_FIELDS = new Set(['to', 'destinations', 'recipients', 'numbers']);

/** True for an error no later batch can escape: bad credentials, no permission, or a message (sender, text) the rules refuse. */
export function stopsCampaign(error: unknown): boolean {
  if (error instanceof ValidationError) return error.issues.some((i) => !RECIPIENT_FIELDS.has(String(i.path[0])));
  const status = (error as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
}

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

/** True for an error that stopped the campaign from msgkit's side (not the vendor's answer): the batch was not sent. */
export const localFailure = (error: unknown) => error instanceof JournalWriteError || error instanceof ResultsWriteError || unreadable(error);

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
  const summary: CampaignSummary = { tally, recipients: { sent: 0, refused: 0, unknown: 0 }, sentEarlier: 0, batches: [], notStarted: 0 };
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
  const resultRow = (row: ClassifiedRow, status: ResultStatus, extra: Pick<ResultRow, 'vendorId' | 'error'> = {}): ResultRow => ({
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

  const settleRows = (index: number, outcome: BatchOutcome, earlier: boolean) => {
    const rows = pending.get(index) ?? [];
    pending.delete(index);
    const view = fromOutcome(outcome);
    const status = view.status as 'sent' | 'refused' | 'unknown';
    summary.recipients[status] += rows.length;
    if (earlier && status === 'sent') summary.sentEarlier += rows.length;
    summary.batches.push({ index, size: rows.length, status, earlier, ...(view.vendorId && { id: view.vendorId }), ...(view.error && { error: view.error }) });
    const extra = { ...(view.vendorId && { vendorId: view.vendorId }), ...(view.error && { error: view.error }) };
    results?.batch(
      index,
      rows.map((item) => ({ seq: item.seq, row: resultRow(item.row, status, extra) })),
    );
    written();
  };

  // Batches this run did not start: what an earlier run recorded for them stands; the rest were not sent.
  const notSent = (reason: string, below = Number.POSITIVE_INFINITY) => {
    const error = `not_sent: ${reason}`;
    for (const [index, rows] of pending) {
      if (index >= below) continue;
      const earlier = run.journal?.batch(index);
      if (earlier?.outcome) {
        settleRows(index, earlier.outcome, true);
        continue;
      }
      summary.notStarted += rows.length;
      summary.recipients.refused += rows.length;
      results?.batch(
        index,
        rows.map((item) => ({ seq: item.seq, row: resultRow(item.row, 'refused', { error }) })),
      );
      pending.delete(index);
    }
  };

  let done = 0;
  const tick = () => run.progress(`sending: ${done}/${readAll ? Math.ceil(validSeen / batchSize) : '?'} batches, ${tally.rows} rows read`);
  const timer = setInterval(tick, 1000);
  timer.unref();

  const onSettled = (r: JournaledBatchResult<Item, SendOutcome>) => {
    done++;
    if (r.ok === 'skipped') return settleRows(r.index, r.previous.outcome ?? interruptedOutcome, true);
    if (r.ok === true) {
      settleRows(r.index, { status: 'sent', ids: r.result.id ? [r.result.id] : [] }, false);
      // Sent, but the journal could not record it: the journal holds it as unknown, and nothing more is sent.
      if (r.unrecorded) stop(r.unrecorded);
      return;
    }
    if (controller.signal.aborted && r.error === controller.signal.reason) {
      // Never started: its rows stay pending and are reported as not sent below.
      done--;
      return;
    }
    if (localFailure(r.error)) {
      // Not sent (its journal record, the results or its rows failed): reported with the others not sent.
      done--;
      stop(r.error);
      return;
    }
    settleRows(r.index, outcomeOfError(r.error), false);
    if (r.unrecorded) stop(r.unrecorded);
    if (stopsCampaign(r.error) && !controller.signal.aborted) stop(r.error);
  };

  const common = {
    size: batchSize,
    concurrency: run.concurrency,
    signal: controller.signal,
    retain: false,
    onSettled,
    send: async (batch: Item[], index: number, context: { dedupeKey?: string }) => {
      const outcome = await run.client.send(
        batch.map((i) => i.e164),
        batch[0]?.text === undefined ? run.message : { ...run.message, text: batch[0].text },
        undefined,
        context.dedupeKey,
        run.callback?.(index),
      );
      if (run.journal && outcome.messages?.length) recordAnswer(run.journal, run.provider.name, index, outcome.messages);
      return outcome;
    },
  };
  try {
    if (run.journal) {
      await sendInBatches(valid(), {
        ...common,
        journal: {
          store: run.journal,
          deduplicates: run.provider.deduplicates,
          clientIds: run.provider.clientIds === true,
          resendUnknown: run.resendUnknown,
          describe: (batch) => ({ recipients: batch.map((i) => i.e164), rows: batch.map((i) => i.row.row) }),
          ids: (result) => [result.id],
        },
      });
    } else {
      await sendInBatches(valid(), common);
    }
    if (pending.size > 0 || !readAll) {
      const reason = summary.stoppedBy
        ? `the campaign stopped: ${stopReason(summary.stoppedBy)}`
        : controller.signal.aborted
          ? 'interrupted before this batch started'
          : 'the campaign stopped';
      // Batches formed and never started, then every row not read yet: each gets its line.
      // Whole batches are reported as they complete, so a journaled one is looked up once.
      if (!unreadable(summary.stoppedBy)) {
        for await (const _ of valid()) notSent(reason, Math.floor((validSeen - 1) / batchSize));
      }
      notSent(reason);
    }
  } finally {
    clearInterval(timer);
  }
  tick();
  return summary;
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
