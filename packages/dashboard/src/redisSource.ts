/**
 * The campaigns of a queue's Redis (@msgkit/queue), read through the queue's own API:
 * `listCampaigns` finds them, `campaignStatus` gives each one's totals and its refused and unknown
 * batches with their recipients. The queue keeps no recipients of sent batches, so those count
 * under no country (`NOT_RECORDED`).
 *
 * Delivery reports and reconcile answers (`CampaignStatus.deliveries`) decide their recipients by
 * the rules of `msgkit report` (and of this dashboard's journal source): a final report makes them
 * delivered or failed (by the vendor's words), a lookup proving nothing was sent failed, a lookup
 * that proves nothing unknown (by its reason), a report that is not final sent. Every other
 * recipient stands by its batch's outcome, as before.
 */
import type { CampaignStatus } from '@msgkit/queue';
import { countriesOf, failureOf, type Campaign, type CampaignInfo, type UnknownPage, type UnknownRecipient } from './campaign';
import { maskNumber, maskText } from './mask';
import { CampaignTotals, type Part } from './totals';

export type QueueModule = typeof import('@msgkit/queue');

/** A dashboard of a queue's Redis was asked for, but the optional peer `@msgkit/queue` is not installed. */
export class MissingQueuePackageError extends Error {
  override name = 'MissingQueuePackageError';
  readonly code = 'missing_queue_package';
}

/** Loads @msgkit/queue, an optional peer: a dashboard of journal files alone never needs it. */
export async function loadQueue(load: () => Promise<QueueModule> = () => import('@msgkit/queue')): Promise<QueueModule> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new MissingQueuePackageError('a dashboard of a queue\'s Redis needs the @msgkit/queue package: npm i @msgkit/queue');
    throw error;
  }
}

export class RedisCampaign implements Campaign {
  readonly id: string;
  readonly totals = new CampaignTotals();
  #status: CampaignStatus;
  #seen = '';

  constructor(
    private readonly queue: QueueModule,
    private readonly url: string,
    private readonly options: { prefix?: string; connectTimeoutMs?: number },
    status: CampaignStatus,
  ) {
    this.id = `r${status.campaignId}`;
    this.#status = status;
    this.#apply(status);
  }

  get status(): CampaignStatus {
    return this.#status;
  }

  info(): CampaignInfo {
    const s = this.#status;
    const notes: string[] = [];
    if (s.stateLost) notes.push(`Redis restarted without an append-only file (${s.stateLost.at}): batches without an outcome then are unknown`);
    if (s.queueState.paused) notes.push(`the account's queue is paused: ${s.queueState.paused.code}: ${maskText(s.queueState.paused.message)}`);
    if (s.queueState.rateLimited) notes.push(`last 429 at ${s.queueState.rateLimited.at}: every worker paused ${s.queueState.rateLimited.pausedMs} ms`);
    return { id: this.id, source: 'redis', name: s.campaignId, campaignId: s.campaignId, provider: s.provider, created: s.createdAt, running: !s.done || s.inFlight.length > 0, canReveal: false, notes };
  }

  async refresh(): Promise<boolean> {
    const status = await this.queue.campaignStatus(this.url, this.#status.campaignId, this.options);
    if (!status) return false;
    this.#status = status;
    return this.#apply(status);
  }

  #apply(s: CampaignStatus): boolean {
    // Outcomes only ever get added (or an unknown becomes sent), reports only decide more: the tallies and the lists' lengths say whether anything moved.
    const seen = JSON.stringify([s.sent, s.refused, s.unknown, s.pending, s.inFlight.length, s.unknownBatches.length, s.refusedBatches.length, s.deliveries.reported, s.deliveries.reportedReasons]);
    if (seen === this.#seen) return false;
    this.#seen = seen;
    const vendor = s.provider;
    const d = s.deliveries;
    const byBatch = d.reportedByBatch;
    const reportedIn = (index: number) => byBatch[index] ?? 0;
    const settledIndexes = new Set([...s.refusedBatches, ...s.unknownBatches].map((b) => b.index));
    // Reports come for batches the vendor took: those of unknown and refused batches leave them, the rest leave the sent ones.
    let inSent = 0;
    for (const [index, n] of Object.entries(byBatch)) if (!settledIndexes.has(Number(index))) inSent += n;
    const next = new Map<string, Part[]>([
      ['sent', [{ vendor, state: 'sent', count: Math.max(0, s.sent.recipients - inSent) + d.reported.pending }]],
      ['pending', [{ vendor, state: 'pending', count: s.pending.recipients }]],
      ['delivered', [{ vendor, state: 'delivered', count: d.reported.delivered }]],
    ]);
    for (const r of d.reportedReasons) {
      next.set(`r:${r.state}:${r.reason}`, [{ vendor, state: r.state, count: r.recipients, failure: r.reason.startsWith('not_sent') ? { code: 'not_sent', reason: maskText(r.reason) } : { code: r.state === 'unknown' ? r.reason : r.reason.split(' ')[0]!, reason: maskText(r.reason) } }]);
    }
    for (const b of s.refusedBatches) next.set(`b${b.index}`, [{ vendor, state: 'failed', count: b.count, countries: countriesOf(b.recipients), failure: failureOf(b), refused: true }]);
    for (const b of s.unknownBatches) {
      // Recipients a lookup or report decided are counted above; the countries stay exact only for a batch none was decided in.
      const rest = b.count - reportedIn(b.index);
      if (rest > 0) next.set(`b${b.index}`, [{ vendor, state: 'unknown', count: rest, ...(rest === b.count && { countries: countriesOf(b.recipients) }), failure: failureOf({ ...b, code: b.code ?? b.reason }) }]);
    }
    for (const key of [...this.totals.keys()]) if (!next.has(key)) this.totals.delete(key);
    for (const [key, parts] of next) this.totals.set(key, parts);
    return true;
  }

  async unknown(offset: number, limit: number): Promise<UnknownPage> {
    // A shared Redis holds other people's campaigns: their numbers are never shown whole.
    const batches = this.#status.unknownBatches;
    const total = batches.reduce((n, b) => n + b.recipients.length, 0);
    const recipients: UnknownRecipient[] = [];
    let start = 0;
    for (const b of batches) {
      for (let k = Math.max(0, offset - start); k < b.recipients.length && recipients.length < limit; k++) {
        recipients.push({ number: maskNumber(b.recipients[k]!), batch: b.index, vendor: this.#status.provider, code: b.code ?? b.reason, reason: maskText(b.message ?? b.reason) });
      }
      start += b.recipients.length;
      if (recipients.length >= limit) break;
    }
    return { total, offset, recipients };
  }

  async close(): Promise<void> {}
}

/** Every campaign under a prefix of one Redis, found again on every refresh. */
export class RedisCampaigns {
  #campaigns = new Map<string, RedisCampaign>();

  private constructor(
    readonly queue: QueueModule,
    readonly url: string,
    readonly options: { prefix?: string; connectTimeoutMs?: number },
  ) {}

  /** Connects once to check that Redis answers (RedisUnavailableError otherwise). */
  static async open(url: string, options: { prefix?: string; connectTimeoutMs?: number; load?: () => Promise<QueueModule> } = {}): Promise<RedisCampaigns> {
    const queue = await loadQueue(options.load);
    const { load: _load, ...rest } = options;
    await queue.listCampaigns(url, rest);
    return new RedisCampaigns(queue, url, rest);
  }

  /** The campaigns, each refreshed; a new one is read whole the first time. Returns them and whether any changed. */
  async refresh(): Promise<{ campaigns: RedisCampaign[]; changed: boolean }> {
    const ids = await this.queue.listCampaigns(this.url, this.options);
    let changed = false;
    for (const id of ids) {
      const known = this.#campaigns.get(id);
      if (known) {
        // A finished campaign changes no more, but for an unknown batch a resend may still settle.
        if (await known.refresh()) changed = true;
        continue;
      }
      const status = await this.queue.campaignStatus(this.url, id, this.options);
      if (!status) continue;
      this.#campaigns.set(id, new RedisCampaign(this.queue, this.url, this.options, status));
      changed = true;
    }
    for (const id of [...this.#campaigns.keys()]) {
      if (!ids.includes(id)) {
        this.#campaigns.delete(id);
        changed = true;
      }
    }
    return { campaigns: [...this.#campaigns.values()], changed };
  }
}
