/**
 * What became of every recipient of a journaled campaign, read from the journal: the batch's
 * outcome at send time, then the delivery reports and reconcile answers recorded after it. One
 * answer per recipient: delivered, failed, pending or unknown, each with its reason. It is also
 * the journal's `ReconcileStore`, so `msgkit reconcile` asks only about what is still open and
 * records each answer (with its proof) in the same file.
 */
import { isFinalDeliveryStatus, type BatchOutcome, type DeliveryEvent } from '@msgkit/core';
import { readJournal, type BeginLine, type CampaignHeader, type FileJournal, type StateLine } from '@msgkit/journal';
import { compareDeliveryEvents, type PendingMessage, type ReconcileRecord, type ReconcileStore, type RecipientVerdict, type UnknownBatch } from '@msgkit/webhooks';
import { readSpool, spoolPath, UNPLACED } from './dlrReceiver';

export type FinalState = 'delivered' | 'failed' | 'pending' | 'unknown';
export const FINAL_STATES: readonly FinalState[] = ['delivered', 'failed', 'pending', 'unknown'];

export interface RecipientState {
  batch: number;
  row?: number;
  e164: string;
  state: FinalState;
  /** The vendor's status in msgkit's vocabulary, where a report or a lookup gave one. */
  status?: string;
  /** Why it is in this state, in one short clause (a code first). */
  reason: string;
  messageId?: string;
}

interface Batch {
  begin: BeginLine;
  outcome: BatchOutcome;
  /** Per recipient: the greatest event seen (reports and lookups, one order) and the latest lookup verdict. */
  events: Map<string, DeliveryEvent>;
  verdicts: Map<string, RecipientVerdict>;
}

const unsettled = (v: RecipientVerdict | undefined) => v === undefined || v.outcome === 'unknown';

export class JournalStates implements ReconcileStore {
  readonly batches = new Map<number, Batch>();
  private constructor(
    readonly header: CampaignHeader,
    private readonly journal?: FileJournal,
  ) {}

  /** Reads `path` whole; with `journal` (the same file, reopened) `record` appends to it. */
  static async read(path: string, journal?: FileJournal): Promise<JournalStates> {
    const begins = new Map<number, BeginLine>();
    const states: StateLine[] = [];
    const contents = await readJournal(
      path,
      (b) => begins.set(b.i, b),
      (s) => states.push(s),
    );
    const out = new JournalStates(contents.header, journal);
    for (const [i, batch] of contents.batches) {
      const begin = begins.get(i)!;
      out.batches.set(i, { begin, outcome: batch.outcome!, events: new Map(), verdicts: new Map() });
    }
    // Reports `msgkit webhooks serve` spooled while another run held the journal count as recorded.
    const unplaced: DeliveryEvent[] = [];
    for (const s of [...states, ...(await readSpool(spoolPath(path))).lines]) {
      if (s.t === 'reconcile') out.apply(s.r as unknown as ReconcileRecord);
      else if (s.i === UNPLACED) unplaced.push(s.e as unknown as DeliveryEvent);
      else out.event(s.i, s.e as unknown as DeliveryEvent);
    }
    // A report that overtook the send's answer: the answer (recorded since) names its recipient.
    for (const e of unplaced) {
      const at = out.byMessage.get(`${e.vendor}\u0000${e.messageId}`);
      if (at) out.event(at.i, { ...e, reference: { ...e.reference, recipient: at.to } });
    }
    return out;
  }

  private apply(record: ReconcileRecord): void {
    const batch = this.batches.get(record.batch);
    if (!batch) return;
    for (const verdict of record.recipients) {
      batch.verdicts.set(verdict.to, verdict);
      if (verdict.outcome === 'sent') this.keep(batch, verdict.to, verdict.event);
    }
  }

  /** Each message the journal names a recipient for (send answers and reports), by vendor and id. */
  private readonly byMessage = new Map<string, { i: number; to: string }>();

  private event(index: number, event: DeliveryEvent): void {
    const batch = this.batches.get(index);
    const to = event.reference?.recipient ?? event.to;
    if (!batch || to === undefined) return;
    this.byMessage.set(`${event.vendor}\u0000${event.messageId}`, { i: index, to });
    this.keep(batch, to, event);
  }

  private keep(batch: Batch, to: string, event: DeliveryEvent): void {
    const kept = batch.events.get(to);
    if (!kept || compareDeliveryEvents(event, kept) > 0) batch.events.set(to, event);
  }

  /** Every recipient's state, batch by batch in the journal's order. */
  *recipients(): Generator<RecipientState> {
    for (const [i, batch] of [...this.batches].sort(([a], [b]) => a - b)) {
      const { to, rows } = batch.begin;
      for (let k = 0; k < to.length; k++) {
        const e164 = to[k]!;
        yield { batch: i, ...(rows && { row: rows[k] }), e164, ...stateOf(batch, e164) };
      }
    }
  }

  /** When batch `batch` was begun (an invalid date where an older journal did not record it). */
  private sentAt(batch: Batch): Date {
    return new Date(batch.begin.at ?? Number.NaN);
  }

  private due(batch: Batch, sender: string, before: Date): boolean {
    if (sender !== this.header.provider) return false;
    const at = this.sentAt(batch);
    // A send of unknown time is asked about: the lookup then says what it cannot prove, and why.
    return Number.isNaN(at.getTime()) || at < before;
  }

  unknownBatches(sender: string, before: Date): UnknownBatch[] {
    const out: UnknownBatch[] = [];
    for (const [i, batch] of this.batches) {
      if (batch.outcome.status !== 'unknown' || !this.due(batch, sender, before)) continue;
      if (batch.begin.to.every((to) => !unsettled(batch.verdicts.get(to)))) continue;
      out.push({ campaign: this.header.campaignId, batch: i, sender, recipients: batch.begin.to, ...(batch.begin.k && { dedupeKey: batch.begin.k }), sentAt: this.sentAt(batch), ...(this.message && { message: this.message }) });
    }
    return out;
  }

  pendingMessages(sender: string, before: Date): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const [i, batch] of this.batches) {
      if (batch.outcome.status === 'refused' || !this.due(batch, sender, before)) continue;
      const ids = batch.outcome.status === 'sent' ? batch.outcome.ids.filter(Boolean) : [];
      for (const to of batch.begin.to) {
        const event = batch.events.get(to);
        if (event?.final) continue;
        // An unknown batch's recipient is a message only once a lookup found it at the vendor.
        if (batch.outcome.status === 'unknown' && batch.verdicts.get(to)?.outcome !== 'sent') continue;
        out.push({
          campaign: this.header.campaignId,
          batch: i,
          sender,
          to,
          ...(event && { id: event.messageId, status: event.status }),
          ...(ids.length > 0 && { groupIds: ids }),
          ...(batch.begin.k && { dedupeKey: batch.begin.k }),
          sentAt: this.sentAt(batch),
        });
      }
    }
    return out;
  }

  /** What was sent, where the caller gave it (the journal keeps only its hash): The SMS Works searches by it. */
  message?: { from?: string; text: string };

  async record(entry: ReconcileRecord): Promise<void> {
    if (!this.journal) throw new Error('these journal states were read without a journal to record to');
    await this.journal.note({ t: 'reconcile', i: entry.batch, r: entry as unknown as Record<string, unknown> });
    this.apply(entry);
  }
}

function stateOf(batch: Batch, to: string): Pick<RecipientState, 'state' | 'status' | 'reason' | 'messageId'> {
  const event = batch.events.get(to);
  const verdict = batch.verdicts.get(to);
  const id = event ? { messageId: event.messageId } : {};
  if (event?.final && isFinalDeliveryStatus(event.status)) {
    const why = [event.raw.status, event.raw.code, event.raw.error].filter((x) => x !== undefined && x !== '').join(' ');
    return { state: event.status === 'delivered' ? 'delivered' : 'failed', status: event.status, reason: why || event.status, ...id };
  }
  if (verdict?.outcome === 'not_sent') return { state: 'failed', reason: 'not_sent: the vendor proves it never sent it (resendable)' };
  if (verdict?.outcome === 'unknown') return { state: 'unknown', ...(event && { status: event.status }), reason: verdict.reason, ...id };
  if (event) return { state: 'pending', status: event.status, reason: 'no final report yet', ...id };
  const { outcome } = batch;
  if (outcome.status === 'sent') return { state: 'pending', reason: 'accepted, no report yet' };
  if (outcome.status === 'refused') return { state: 'failed', reason: outcome.code };
  return { state: 'unknown', reason: outcome.code };
}
