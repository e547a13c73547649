/**
 * Every campaign the dashboard shows, from all its sources, refreshed on one timer: a refresh reads
 * what changed in each store, samples the totals of the campaigns that changed for their timeline,
 * and tells the listeners (the page's event streams) which ones did.
 */
import type { Campaign, CampaignInfo, CampaignSummary } from './campaign';
import { JournalCampaign, JournalFolder } from './journalSource';
import type { QueueBoard } from './board';
import type { RedisCampaigns } from './redisSource';
import type { Counts } from './totals';

export interface CampaignListEntry extends CampaignInfo {
  totals: Counts;
}

export class Registry {
  #files: JournalCampaign[];
  #folders: JournalFolder[];
  #redis: RedisCampaigns | undefined;
  #board: QueueBoard | undefined;
  #campaigns = new Map<string, Campaign>();
  #listeners = new Set<(changed: ReadonlySet<string>) => void>();
  #running: Promise<void> | undefined;
  /** The last refresh's failure, shown on the page (a journal that became unreadable, Redis gone). */
  problem: string | undefined;

  constructor(sources: { journals: string[]; folders: string[]; redis?: RedisCampaigns; board?: QueueBoard }) {
    this.#files = sources.journals.map((path) => new JournalCampaign(path));
    this.#folders = sources.folders.map((dir) => new JournalFolder(dir));
    this.#redis = sources.redis;
    this.#board = sources.board;
  }

  get hasQueues(): boolean {
    return this.#board !== undefined;
  }

  list(): CampaignListEntry[] {
    return [...this.#campaigns.values()].map((c) => ({ ...c.info(), totals: c.totals.counts() }));
  }

  get(id: string): Campaign | undefined {
    return this.#campaigns.get(id);
  }

  summary(campaign: Campaign): CampaignSummary {
    return { campaign: campaign.info(), ...campaign.totals.summary(), updated: new Date().toISOString() };
  }

  onChange(listener: (changed: ReadonlySet<string>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One refresh at a time: a call while one runs waits for it. */
  refresh(): Promise<void> {
    this.#running ??= this.#refresh().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #refresh(): Promise<void> {
    const changed = new Set<string>();
    const found = new Map<string, Campaign>();
    const problems: string[] = [];
    const journals = [...this.#files];
    for (const folder of this.#folders) {
      try {
        journals.push(...(await folder.refresh()));
      } catch (error) {
        problems.push(`cannot read the folder ${folder.dir}: ${describe(error)}`);
      }
    }
    for (const journal of journals) {
      try {
        if (await journal.refresh()) changed.add(journal.id);
      } catch (error) {
        problems.push(`cannot read ${journal.path}: ${describe(error)}`);
      }
      found.set(journal.id, journal);
    }
    if (this.#redis) {
      try {
        const { campaigns } = await this.#redis.refresh();
        for (const campaign of campaigns) {
          const known = this.#campaigns.get(campaign.id);
          if (known !== campaign || campaign.totals.version !== versions.get(campaign)) changed.add(campaign.id);
          versions.set(campaign, campaign.totals.version);
          found.set(campaign.id, campaign);
        }
        this.#board?.show(campaigns.map((c) => c.status.queue));
      } catch (error) {
        problems.push(`cannot read Redis: ${describe(error)}`);
      }
    }
    for (const id of this.#campaigns.keys()) if (!found.has(id)) changed.add(id);
    this.#campaigns = found;
    const now = Date.now();
    for (const id of changed) this.#campaigns.get(id)?.totals.timeline.sample(now, this.#campaigns.get(id)!.totals.counts());
    const problem = problems.length > 0 ? problems.join('; ') : undefined;
    if (problem !== this.problem) {
      this.problem = problem;
      changed.add('');
    }
    if (changed.size > 0) for (const listener of this.#listeners) listener(changed);
  }

  async close(): Promise<void> {
    await this.#running?.catch(() => undefined);
    await this.#board?.close();
  }
}

const versions = new WeakMap<Campaign, number>();

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? `${e.code}${typeof e.message === 'string' ? `: ${e.message}` : ''}` : String(e?.message ?? error);
}
