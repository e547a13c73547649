/**
 * Reports of vendors that post every report of an account to one URL and echo nothing msgkit
 * chooses (Octopush: `callback_url_for_deliveries` is set per account; its reports carry
 * `message_id`, the ticket of the send, and `number`; shared/vendors/octopush.md §5 and DEV
 * `callbacks/acknowledge-receipt`: "message_id: Ticket of the original message").
 *
 * The worker writes, for every id a batch's send answer gave (Octopush's `sms_ticket`), one key
 * naming the campaign and batch, before it records the batch's `sent` outcome: when the outcome is
 * visible, its ids are placed. Each key is written with SET NX, so a message id has one place only,
 * the first written: a report is never placed in two batches. The receiver (`createDeliveryRecorder`)
 * places a report that reached the account URL (a token with no campaign) by that key and its
 * recipient by the number it names; a report whose id no key holds (not sent by a queue worker, or
 * overtaking the answer) is kept in Redis, counted, and placed by `flush` once its key exists.
 */
import { createHash } from 'node:crypto';
import type { DeliveryEvent } from '@msgkit/core';
import { canonicalEvent } from '@msgkit/webhooks';
import type { Redis } from 'ioredis';

/** Where one message id of a vendor was sent from. */
export interface IdPlace {
  campaign: string;
  batch: number;
}

/** How long a message id stays placed after its batch is sent (as `DeliveryReportOptions.ttlSeconds`: 14 days). */
export const DEFAULT_ID_TTL_SECONDS = 14 * 24 * 3600;

/** The key of one vendor message id's place. */
export const vendorIdKey = (prefix: string, vendor: string, id: string) => `${prefix}:dlr:id:${vendor}:${id}`;
/** Reports that reached an account URL and name an id no key holds: digest → event JSON. */
export const unindexedKey = (prefix: string) => `${prefix}:dlr:unindexed`;

/** The send's id a report names: Octopush e-mail reports name `<ticket>#<address>`, the ticket is the send's. */
const sendIdOf = (messageId: string) => {
  const hash = messageId.indexOf('#');
  return hash < 0 ? messageId : messageId.slice(0, hash);
};

/** The index of vendor message ids under one key prefix, and the reports it could not place yet. */
export class VendorIds {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * Places `ids` of `vendor` in `place`, each once (SET NX with an expiry). Resolves with the place
   * that stands for each id: `place`, or the one an earlier write gave it (which stays).
   */
  async index(vendor: string, ids: readonly string[], place: IdPlace, ttlSeconds = DEFAULT_ID_TTL_SECONDS): Promise<IdPlace[]> {
    if (ids.length === 0) return [];
    const value = JSON.stringify({ campaign: place.campaign, batch: place.batch });
    const multi = this.redis.multi();
    // SET … NX GET (Redis ≥ 7.0): the value already there, or nil once this one is written.
    for (const id of ids) multi.call('SET', vendorIdKey(this.prefix, vendor, id), value, 'NX', 'GET', 'EX', String(ttlSeconds));
    const replies = (await multi.exec()) ?? [];
    return replies.map(([error, before]) => {
      if (error) throw error;
      return before === null ? place : (JSON.parse(before as string) as IdPlace);
    });
  }

  /** The campaign and batch that sent the message a report names, if a worker indexed its id. */
  async lookup(vendor: string, messageId: string): Promise<IdPlace | undefined> {
    const json = await this.redis.get(vendorIdKey(this.prefix, vendor, sendIdOf(messageId)));
    return json === null ? undefined : (JSON.parse(json) as IdPlace);
  }

  /** Keeps a report no index places (yet); the same report twice is kept once. */
  async keep(event: DeliveryEvent): Promise<void> {
    const digest = createHash('sha256').update(canonicalEvent(event)).digest('base64url');
    await this.redis.hset(unindexedKey(this.prefix), digest, JSON.stringify(event));
  }

  /** The reports kept, by digest. */
  async kept(): Promise<Array<{ digest: string; event: DeliveryEvent }>> {
    const raw = await this.redis.hgetall(unindexedKey(this.prefix));
    return Object.entries(raw).map(([digest, json]) => ({ digest, event: JSON.parse(json) as DeliveryEvent }));
  }

  /** How many reports wait for an index to place them. */
  keptCount(): Promise<number> {
    return this.redis.hlen(unindexedKey(this.prefix));
  }

  /** Forgets a kept report once it is in its recipient's record. */
  async placed(digest: string): Promise<void> {
    await this.redis.hdel(unindexedKey(this.prefix), digest);
  }
}

/** A worker's `indexIds`: the ids of a sent batch placed in its campaign and batch. */
export const indexIdsOf = (ids: VendorIds, vendor: string, ttlSeconds?: number) => (campaign: string, batch: number, sent: readonly string[]) => ids.index(vendor, sent, { campaign, batch }, ttlSeconds);

/** A chain worker's `chainIndexIds`: the ids of each sent attempt of a chain sender without a callback field per send. */
export const chainIndexIdsOf = (ids: VendorIds, chain: readonly { name: string; callback: unknown }[], ttlSeconds?: number) => {
  const byAccount = new Set(chain.filter((s) => s.callback === false).map((s) => s.name));
  return (sender: string, campaign: string, batch: number, sent: readonly string[]) => (byAccount.has(sender) ? ids.index(sender, sent, { campaign, batch }, ttlSeconds) : undefined);
};
