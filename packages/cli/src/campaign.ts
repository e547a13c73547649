/**
 * One `msgkit send` run over a streamed recipient list: rows are normalized as they are read,
 * batches form as they come, each batch goes through sendInBatches (with the journal when given),
 * and every input row gets its line in the results file, whatever happens to its batch.
 */
import { outcomeOfError, sendInBatches, ValidationError, type BatchOutcome, type JournaledBatchResult } from '@msgkit/core';
import type { FileJournal } from '@msgkit/journal';
import { classify, newTally, type ClassifiedRow, type Tally } from './classify';
import { describeError } from './errors';
import type { Message, Provider, SendingClient, SendOutcome } from './providers';
import type { Row } from './recipients';
import { fromOutcome, type ResultRow, type ResultsWriter, type ResultStatus } from './results';

export interface CampaignRun {
  provider: Provider;
  client: SendingClient;
  message: Message;
  rows: AsyncIterable<Row>;
  country: string | undefined;
  /** Send to numbers whose type is not mobile too (see classify's NOT_MOBILE). */
  allowLandline?: boolean;
  batchSize: number;
  concurrency: number;
  journal?: FileJournal;
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
  /** The error that stopped the campaign (a 401/403, or a message the vendor can never accept). */
  stoppedBy?: unknown;
  /** Valid recipients of batches never started (stopped or interrupted). */
  notStarted: number;
}

/** Fields of a send that name recipients: an issue there concerns some numbers, not the message. */
const RECIPIENT_FIELDS = new Set(['to', 'destinations', 'recipients', 'numbers']);

/** True for an error no later batch can escape: bad credentials, no permission, or a message (sender, text) the rules refuse. */
export function stopsCampaign(error: unknown): boolean {
  if (error instanceof ValidationError) return error.issues.some((i) => !RECIPIENT_FIELDS.has(String(i.path[0])));
  const status = (error as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
}

interface Item {
  e164: string;
  row: ClassifiedRow;
}

const label = (row: Row) => (row.arg ? `arg ${row.row}` : String(row.row));

export async function runCampaign(run: CampaignRun): Promise<CampaignSummary> {
  const { results, controller, batchSize } = run;
  const tally = newTally();
  const summary: CampaignSummary = { tally, recipients: { sent: 0, refused: 0, unknown: 0 }, sentEarlier: 0, batches: [], notStarted: 0 };
  // Rows of batches handed to sendInBatches and not yet settled, by batch index.
  const pending = new Map<number, ClassifiedRow[]>();
  let validSeen = 0;
  let readAll = false;

  const writeRow = (row: ClassifiedRow, status: ResultStatus, extra: Pick<ResultRow, 'vendorId' | 'error'> = {}) =>
    results?.write({ row: label(row), input: row.input, ...(row.e164 && { e164: row.e164 }), ...(row.type && { type: row.type }), status, ...extra });

  const classified = classify(run.rows, run.country, tally, { allowLandline: run.allowLandline === true });
  async function* valid(): AsyncGenerator<Item> {
    for await (const row of classified) {
      if (row.status === 'invalid') writeRow(row, 'invalid', { error: row.code! });
      else if (row.status === 'duplicate') writeRow(row, 'duplicate');
      else {
        const index = Math.floor(validSeen++ / batchSize);
        let rows = pending.get(index);
        if (!rows) pending.set(index, (rows = []));
        rows.push(row);
        yield { e164: row.e164!, row };
      }
    }
    readAll = true;
  }

  const settleRows = (index: number, outcome: BatchOutcome | undefined, earlier: boolean) => {
    const rows = pending.get(index) ?? [];
    pending.delete(index);
    const view = fromOutcome(outcome);
    const status = view.status as 'sent' | 'refused' | 'unknown';
    summary.recipients[status] += rows.length;
    if (earlier && status === 'sent') summary.sentEarlier += rows.length;
    summary.batches.push({ index, size: rows.length, status, earlier, ...(view.vendorId && { id: view.vendorId }), ...(view.error && { error: view.error }) });
    for (const row of rows) writeRow(row, status, { ...(view.vendorId && { vendorId: view.vendorId }), ...(view.error && { error: view.error }) });
  };

  // Batches this run did not start: what an earlier run recorded for them stands; the rest were not sent.
  const notSent = (reason: string, below = Number.POSITIVE_INFINITY) => {
    const error = `not_sent: ${reason}`;
    for (const [index, rows] of pending) {
      if (index >= below) continue;
      const earlier = run.journal?.batch(index);
      if (earlier) {
        settleRows(index, earlier.outcome, true);
        continue;
      }
      summary.notStarted += rows.length;
      summary.recipients.refused += rows.length;
      for (const row of rows) writeRow(row, 'refused', { error });
      pending.delete(index);
    }
  };

  let done = 0;
  const tick = () => run.progress(`sending: ${done}/${readAll ? Math.ceil(validSeen / batchSize) : '?'} batches, ${tally.rows} rows read`);
  const timer = setInterval(tick, 1000);
  timer.unref();

  const onSettled = (r: JournaledBatchResult<Item, SendOutcome>) => {
    done++;
    if (r.ok === 'skipped') return settleRows(r.index, r.previous.outcome, true);
    if (r.ok === true) return settleRows(r.index, { status: 'sent', ids: r.result.id ? [r.result.id] : [] }, false);
    if (controller.signal.aborted && r.error === controller.signal.reason) {
      // Never started: its rows stay pending and are reported as not sent below.
      done--;
      return;
    }
    settleRows(r.index, outcomeOfError(r.error), false);
    if (stopsCampaign(r.error) && !controller.signal.aborted) {
      summary.stoppedBy = r.error;
      controller.abort(r.error);
    }
  };

  const common = {
    size: batchSize,
    concurrency: run.concurrency,
    signal: controller.signal,
    retain: false,
    onSettled,
    send: (batch: Item[], _index: number, context: { dedupeKey?: string }) =>
      run.client.send(
        batch.map((i) => i.e164),
        run.message,
        undefined,
        context.dedupeKey,
      ),
  };
  try {
    if (run.journal) {
      await sendInBatches(valid(), {
        ...common,
        journal: {
          store: run.journal,
          deduplicates: run.provider.deduplicates,
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
        ? `the campaign stopped: ${describeError(summary.stoppedBy)}`
        : controller.signal.aborted
          ? 'interrupted before this batch started'
          : 'the campaign stopped: the journal could not be written';
      // Batches formed and never started, then every row not read yet: each gets its line.
      // Whole batches are reported as they complete, so a journaled one is looked up once.
      for await (const _ of valid()) notSent(reason, Math.floor((validSeen - 1) / batchSize));
      notSent(reason);
    }
  } finally {
    clearInterval(timer);
  }
  tick();
  return summary;
}
