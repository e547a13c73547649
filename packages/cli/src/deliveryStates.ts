/**
 * What became of every recipient of a journaled campaign, read from the journal: the batch's
 * outcome at send time, then the delivery reports and reconcile answers recorded after it. One
 * answer per recipient: delivered, failed, pending or unknown, each with its reason. It is also
 * the journal's `ReconcileStore`, so `msgkit reconcile` asks only about what is still open and
 * records each answer (with its proof) in the same file.
 *
 * A chain's journal (v2) is read per recipient: each one is asked about at the provider where it
 * stands (the attempt that sent it, or whose outcome is unknown), with that attempt's key and time;
 * the batch's recipients are grouped into one part per such attempt.
 */
import type { BatchOutcome, DeliveryEvent } from '@msgkit/core';
import { interruptedOutcome, planChain, recipientStanding, type StandingLookup } from '@msgkit/core/internal';
import { readJournal, ticketUnknown, type CampaignHeader, type FileJournal, type JournalContents, type RecordedAttempt, type StateLine } from '@msgkit/journal';
import { compareDeliveryEvents, type PendingMessage, type ReconcileRecord, type ReconcileStore, type RecipientVerdict, type UnknownBatch } from '@msgkit/webhooks';
import { readSpool, spoolPath, UNPLACED } from './dlrReceiver';

export type FinalState = 'delivered' | 'failed' | 'pending' | 'unknown';
export const FINAL_STATES: readonly FinalState[] = ['delivered', 'failed', 'pending', 'unknown'];

export interface RecipientState {
  batch: number;
  row?: number;
  e164: string;
  /** The provider it stands at (sent it, or may have). */
  provider: string;
  state: FinalState;
  /** The vendor's status in msgkit's vocabulary, where a report or a lookup gave one. */
  status?: string;
  /** Every provider tried for it, in order (a chain's journal): `sender:outcome`, `:moved-<proof>` where it moved on from one that sent it, `:ticket_unknown` where that one accepted it without naming the send. */
  tries?: string;
  /**
   * Delivered by more than one provider (it reached the phone more than once, each send paid for):
   * those other than the one it stands at, space separated (core's rule, the queue's too).
   */
  lateDelivered?: string;
  /** Why it is in this state, in one short clause (a code first). */
  reason: string;
  messageId?: string;
}

/** Recipients of a batch that stand at one provider by one request (a v1 batch is one part). */
interface Part {
  sender: string;
  /** A chain's attempt it stands by (its batch and attempt name the request to the vendor). */
  attempt?: number;
  to: readonly string[];
  rows?: readonly number[];
  dedupeKey?: string;
  /** When its request began (ISO 8601), where the journal recorded it. */
  at?: string;
  outcome: BatchOutcome;
  /** The vendor's message id per recipient, where the answer gave them (a chain's attempts). */
  messageIds?: ReadonlyMap<string, string>;
  /** Sent by an attempt its vendor accepted without naming it (`ticket_unknown`: Octopush's code 120 to a resend). */
  ticketUnknown?: true;
}

interface Batch {
  parts: Part[];
  /** Per provider and recipient (`eventKey`): the greatest event seen (reports and lookups, one order); per recipient the latest lookup verdict. */
  events: Map<string, DeliveryEvent>;
  verdicts: Map<string, KeptVerdict>;
  /** A chain's: each recipient's tries (`RecipientState.tries`). */
  tries?: Map<string, string>;
}

/** A lookup's verdict, with the provider it asked: one of a provider the recipient moved on from decides nothing. */
type KeptVerdict = RecipientVerdict & { sender: string };

/** A recipient's reports are kept per provider: after a failover two vendors report on it. */
const eventKey = (vendor: string, to: string) => `${vendor}\u0000${to}`;

const unsettled = (v: RecipientVerdict | undefined) => v === undefined || v.outcome === 'unknown';

export class JournalStates implements ReconcileStore {
  readonly batches = new Map<number, Batch>();
  private constructor(
    readonly header: CampaignHeader,
    private readonly journal?: FileJournal,
  ) {}

  /** Reads `path` whole; with `journal` (the same file, reopened) `record` appends to it. */
  static async read(path: string, journal?: FileJournal): Promise<JournalStates> {
    const begins = new Map<number, Part>();
    const states: StateLine[] = [];
    const contents = await readJournal(
      path,
      (b) => begins.set(b.i, { sender: '', to: b.to, ...(b.rows && { rows: b.rows }), ...(b.k && { dedupeKey: b.k }), ...(b.at && { at: b.at }), outcome: interruptedOutcome }),
      (s) => states.push(s),
    );
    const out = new JournalStates(contents.header, journal);
    out.contents = contents;
    out.path = path;
    if (contents.header.v === 2) {
      for (const i of [...contents.attempts.keys()].sort((a, b) => a - b)) out.batches.set(i, { ...chainParts(contents, path, i), events: new Map(), verdicts: new Map() });
    } else {
      for (const [i, batch] of contents.batches) {
        const begin = begins.get(i)!;
        out.batches.set(i, { parts: [{ ...begin, sender: contents.header.provider, outcome: batch.outcome! }], events: new Map(), verdicts: new Map() });
      }
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
      batch.verdicts.set(verdict.to, { ...verdict, sender: record.sender });
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
    const key = eventKey(event.vendor, to);
    const kept = batch.events.get(key);
    if (!kept || compareDeliveryEvents(event, kept) > 0) batch.events.set(key, event);
  }

  /** The providers that may have sent its recipients something: the chain's, or the one. */
  get vendors(): readonly string[] {
    return this.header.chain ?? [this.header.provider];
  }

  /** The journal as read (its header, and where each batch's attempts lie). */
  contents!: JournalContents;
  path!: string;

  /** The providers other than `holder` that delivered `to` of batch `batch`, where more than one provider did (core's rule): it got it twice. */
  deliveredTwiceBy(batch: number, to: string, holder: string): string[] {
    const b = this.batches.get(batch);
    return b ? (recipientStanding({ reports: reportsOf(b, this.vendors, to), holder })?.deliveredTwiceBy ?? []) : [];
  }

  /** The greatest report `vendor` gave of its message to `to` in batch `batch`, if any. */
  eventOf(batch: number, vendor: string, to: string): DeliveryEvent | undefined {
    return this.batches.get(batch)?.events.get(eventKey(vendor, to));
  }

  /** Every recipient's state, batch by batch in the journal's order. */
  *recipients(): Generator<RecipientState> {
    for (const [i, batch] of [...this.batches].sort(([a], [b]) => a - b)) {
      const rows: RecipientState[] = [];
      for (const part of batch.parts) {
        part.to.forEach((e164, k) => {
          const tries = batch.tries?.get(e164);
          rows.push({ batch: i, ...(part.rows && { row: part.rows[k] }), e164, provider: part.sender, ...stateOf(batch, this.vendors, part, e164), ...(tries !== undefined && { tries }) });
        });
      }
      // A chain's parts come by attempt: in the input's order again where the rows are known.
      if (batch.parts.length > 1) rows.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      yield* rows;
    }
  }

  /** When a part's request began (an invalid date where an older journal did not record it). */
  private sentAt(part: Part): Date {
    return new Date(part.at ?? Number.NaN);
  }

  private due(part: Part, sender: string, before: Date): boolean {
    if (part.sender !== sender) return false;
    const at = this.sentAt(part);
    // A send of unknown time is asked about: the lookup then says what it cannot prove, and why.
    return Number.isNaN(at.getTime()) || at < before;
  }

  unknownBatches(sender: string, before: Date): UnknownBatch[] {
    const out: UnknownBatch[] = [];
    for (const [i, batch] of this.batches) {
      for (const part of batch.parts) {
        if (part.outcome.status !== 'unknown' || !this.due(part, sender, before)) continue;
        if (part.to.every((to) => !unsettled(batch.verdicts.get(to)))) continue;
        out.push({ campaign: this.header.campaignId, batch: i, ...(part.attempt !== undefined && { attempt: part.attempt }), sender, recipients: part.to, ...(part.dedupeKey && { dedupeKey: part.dedupeKey }), sentAt: this.sentAt(part), ...(this.message && { message: this.message }) });
      }
    }
    return out;
  }

  pendingMessages(sender: string, before: Date): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const [i, batch] of this.batches) {
      for (const part of batch.parts) {
        if (part.outcome.status === 'refused' || !this.due(part, sender, before)) continue;
        const ids = part.outcome.status === 'sent' ? part.outcome.ids.filter(Boolean) : [];
        for (const to of part.to) {
          const event = batch.events.get(eventKey(sender, to));
          if (event?.final) continue;
          // An unknown batch's recipient is a message only once a lookup found it at the vendor.
          if (part.outcome.status === 'unknown' && batch.verdicts.get(to)?.outcome !== 'sent') continue;
          const id = event?.messageId ?? part.messageIds?.get(to);
          out.push({
            campaign: this.header.campaignId,
            batch: i,
            ...(part.attempt !== undefined && { attempt: part.attempt }),
            sender,
            to,
            ...(id !== undefined && { id }),
            ...(event && { status: event.status }),
            ...(ids.length > 0 && { groupIds: ids }),
            ...(part.dedupeKey && { dedupeKey: part.dedupeKey }),
            sentAt: this.sentAt(part),
          });
        }
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

function stateOf(batch: Batch, vendors: readonly string[], part: Part, to: string): Pick<RecipientState, 'state' | 'status' | 'reason' | 'messageId' | 'lateDelivered'> {
  // Core's one rule (the queue's and the dashboard's): the provider it stands at decides, a
  // delivered of any provider that sent it counts, a lookup counts only where it was asked.
  const verdict = batch.verdicts.get(to);
  const s = recipientStanding({ reports: reportsOf(batch, vendors, to), holder: part.sender, ...(verdict && { lookup: lookupOf(verdict) }) });
  if (s) return { state: s.state, ...(s.report && { status: s.report.status, messageId: s.report.messageId }), reason: s.reason, ...(s.deliveredTwiceBy.length > 0 && { lateDelivered: s.deliveredTwiceBy.join(' ') }) };
  const { outcome } = part;
  if (outcome.status === 'sent') return { state: 'pending', reason: part.ticketUnknown ? 'ticket_unknown: accepted, no report yet' : 'accepted, no report yet' };
  if (outcome.status === 'refused') return { state: 'failed', reason: outcome.code };
  return { state: 'unknown', reason: outcome.code };
}

/** The greatest report of each provider that sent `to` something. */
function reportsOf(batch: Batch, vendors: readonly string[], to: string): DeliveryEvent[] {
  const out: DeliveryEvent[] = [];
  for (const vendor of vendors) {
    const event = batch.events.get(eventKey(vendor, to));
    if (event) out.push(event);
  }
  return out;
}

const lookupOf = (v: KeptVerdict): StandingLookup => ({ outcome: v.outcome, ...(v.outcome === 'unknown' && { reason: v.reason }), sender: v.sender });

/**
 * Batch `index` of a chain's journal as parts: its recipients grouped by the attempt where each
 * stands (core's planChain, the rule a resume follows). A recipient refused by every provider, or
 * left between providers by a run that stopped, is one refused part at the provider that refused
 * it last: nothing was sent, and a resumed send takes it on.
 */
function chainParts(contents: JournalContents, path: string, index: number): Pick<Batch, 'parts' | 'tries'> {
  const chain = contents.header.chain ?? [];
  const attempts: RecordedAttempt[] = contents.attempts.read(path, index);
  // The first attempt of a batch is sent to the whole batch, with every input row.
  const first = attempts[0]!;
  const rowOf = new Map(first.rows ? first.recipients.map((to, k) => [to, first.rows![k]!]) : []);
  const { states } = planChain(chain, chain.map(() => false), first.recipients, attempts);
  const parts = new Map<string, Part & { to: string[]; rows: number[] }>();
  const add = (key: string, make: () => Omit<Part, 'to' | 'rows'>, to: string) => {
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { ...make(), to: [], rows: [] }));
    part.to.push(to);
    part.rows.push(rowOf.get(to) ?? 0);
  };
  for (const [to, state] of states) {
    if (state.status === 'sent' || state.status === 'unknown') {
      const attempt = attempts[state.attempt]!;
      // A resend of an unknown attempt carries that attempt's key: the ids a lookup derives are the same.
      const outcome: BatchOutcome = state.status === 'sent' ? sentOutcome(attempt) : attempt.outcome?.status === 'unknown' ? failure('unknown', attempt.outcome) : { ...interruptedOutcome };
      add(`${state.status}@${state.attempt}`, () => ({
        sender: attempt.sender,
        attempt: state.attempt,
        ...(attempt.dedupeKey !== undefined && { dedupeKey: attempt.dedupeKey }),
        ...(attempt.at !== undefined && { at: attempt.at }),
        outcome,
        ...(attempt.outcome?.status === 'sent' && attempt.outcome.messages && { messageIds: new Map(attempt.outcome.messages.map((m) => [m.to, m.id])) }),
        ...(state.status === 'sent' && ticketUnknown(attempt.outcome) && { ticketUnknown: true as const }),
      }), to);
    } else {
      const at = state.status === 'refused' ? state.attempt : state.last;
      const attempt = at === undefined ? undefined : attempts[at];
      const refusal = refusalOf(attempt, to);
      const pending = state.status === 'pending';
      add(`refused@${at ?? -1}:${pending ? 'pending' : refusal.code}`, () => ({
        sender: attempt?.sender ?? chain[0] ?? '',
        outcome: pending ? { status: 'refused', code: 'not_sent', message: 'the run stopped before the next provider of the chain; a resumed send sends it' } : { status: 'refused', ...refusal },
      }), to);
    }
  }
  for (const part of parts.values()) if (!first.rows) delete (part as Partial<Part>).rows;
  return { parts: [...parts.values()], ...triesOf(attempts) };
}

/** Each recipient's tries in the attempts' order. */
function triesOf(attempts: readonly RecordedAttempt[]): Pick<Batch, 'tries'> {
  const moved = new Map<string, string>();
  for (const a of attempts) {
    for (const p of a.proofs ?? []) {
      moved.set(`${p.attempt}\u0000${p.to}`, p.kind === 'report' ? `moved-report-${p.status}` : 'moved-timer');
    }
  }
  const tries = new Map<string, string[]>();
  for (const a of attempts) {
    const outcome = a.outcome;
    const refused = outcome?.status === 'sent' ? new Set((outcome.refused ?? []).map((r) => r.to)) : undefined;
    for (const to of a.recipients) {
      const status = !outcome ? 'unknown' : refused?.has(to) ? 'refused' : outcome.status;
      const mark = moved.get(`${a.attempt}\u0000${to}`) ?? (status === 'sent' && ticketUnknown(outcome) ? 'ticket_unknown' : undefined);
      let list = tries.get(to);
      if (!list) tries.set(to, (list = []));
      list.push(`${a.sender}:${status}${mark ? `:${mark}` : ''}`);
    }
  }
  return { tries: new Map([...tries].map(([to, list]) => [to, list.join(' ')])) };
}

function sentOutcome(attempt: RecordedAttempt): BatchOutcome {
  return { status: 'sent', ids: attempt.outcome?.status === 'sent' ? attempt.outcome.ids : [] };
}

function failure(status: 'unknown' | 'refused', f: { code: string; message: string; vendorCode?: string | number; reason?: string }): BatchOutcome {
  return { status, code: f.code, message: f.message, ...(f.vendorCode !== undefined && { vendorCode: f.vendorCode }), ...(f.reason !== undefined && { reason: f.reason }) };
}

/** Why `attempt` refused `to` (the whole request, or this recipient in its answer). */
function refusalOf(attempt: RecordedAttempt | undefined, to: string): { code: string; message: string } {
  const outcome = attempt?.outcome;
  if (outcome?.status === 'refused') return { code: outcome.code, message: outcome.message };
  const refused = outcome?.status === 'sent' ? outcome.refused?.find((r) => r.to === to) : undefined;
  if (refused) return { code: refused.code, message: refused.reason ?? refused.code };
  return { code: 'refused', message: 'refused' };
}
