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
 * overtaking the answer) is kept in Redis under its ticket, counted, and placed by `flush` once its
 * key exists: the write of the key marks the ticket's kept reports ready in the same step (a
 * script), so a flush reads only those, never the whole kept set (which holds every report of the
 * account's other sends too). A ticket still unknown `keptWindowMs` after its first report moves
 * its reports to a capped, counted aged-out record: never dropped unseen, never read again.
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

/**
 * How long a kept report's ticket may stay unknown before its reports are moved to the aged-out
 * record (24 h). The window runs from the first report of the ticket that reached the account URL,
 * not from the send. A worker indexes a ticket from the answer to the very request that created it,
 * before it records the batch `sent`; a report cannot come before Octopush accepted that request,
 * so a ticket msgkit will ever index is indexed within the time that answer takes (a worker that
 * loses the answer resends, and Octopush refuses the repeat with code 120 and no ticket: that
 * ticket is never indexed). 24 h is Octopush's own bound on a request: "A request_id will expire
 * after 24 hours" (shared/seeds/003, metadata.request_id; shared/vendors/octopush.md §3.1), after
 * which no request of msgkit's is tied to an earlier one. It is far above any request's duration,
 * and it is an option (`DeliveryRecorderOptions.keptWindowMs`, `msgkit webhooks serve
 * --kept-window`), printed when the receiver starts.
 */
export const DEFAULT_KEPT_WINDOW_MS = 24 * 3600 * 1000;
/** How many aged-out reports are kept for proof (the newest); the count counts every one. */
export const DEFAULT_AGED_OUT_CAP = 10_000;
/** How many tickets one flush examines: up to this many newly indexed, and this many old enough to age out. */
export const DEFAULT_KEPT_PER_FLUSH = 100;

/** The key of one vendor message id's place. */
export const vendorIdKey = (prefix: string, vendor: string, id: string) => `${prefix}:dlr:id:${vendor}:${id}`;
/** Where earlier versions kept every report in one hash (digest → event JSON): read only to move its reports to the keys below, a bounded number per flush. */
export const unindexedKey = (prefix: string) => `${prefix}:dlr:unindexed`;
/** The keys of the reports kept on an account URL, by the send id (ticket) they name. */
export const keptKeys = (prefix: string) => ({
  /** The reports of one ticket: digest → event JSON. */
  bucket: (vendor: string, id: string) => `${prefix}:dlr:kept:${vendor}:${id}`,
  /** `<vendor>:<ticket>` → when its first report was kept (ms since the epoch). */
  since: `${prefix}:dlr:kept-since`,
  /** `<vendor>:<ticket>` of kept reports whose ticket a worker indexed since: the next flush places them. */
  ready: `${prefix}:dlr:kept-ready`,
  /** How many reports are kept. */
  count: `${prefix}:dlr:kept-count`,
  /** The newest aged-out reports (JSON, newest first), at most the cap. */
  agedOut: `${prefix}:dlr:aged-out`,
  /** How many reports were ever moved out of the kept set unplaced. */
  agedOutCount: `${prefix}:dlr:aged-out-count`,
});

/** The send's id a report names: Octopush e-mail reports name `<ticket>#<address>`, the ticket is the send's. */
const sendIdOf = (messageId: string) => {
  const hash = messageId.indexOf('#');
  return hash < 0 ? messageId : messageId.slice(0, hash);
};
const memberOf = (vendor: string, id: string) => `${vendor}:${id}`;
const splitMember = (member: string) => {
  const colon = member.indexOf(':');
  return { vendor: member.slice(0, colon), id: member.slice(colon + 1) };
};

/**
 * KEYS: the id's key, its kept bucket, since, count. ARGV: digest, event JSON, member, now (ms).
 * One step: the id's place when a worker indexed it, else the report is kept (once per digest).
 */
const KEEP = `
local place = redis.call('GET', KEYS[1])
if place then return place end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[3])
end
return false
`;

/**
 * KEYS: per id its key and its kept bucket, then ready. ARGV: place JSON, ttl seconds, per id its member.
 * SET NX GET of each id (the place already there, or '' once this one is written); an id with
 * kept reports is marked ready in the same step, so a report kept before it is found by the next flush.
 */
const INDEX = `
local n = (#KEYS - 1) / 2
local out = {}
for i = 1, n do
  local before = redis.call('SET', KEYS[2 * i - 1], ARGV[1], 'NX', 'GET', 'EX', ARGV[2])
  out[i] = before or ''
  if redis.call('EXISTS', KEYS[2 * i]) == 1 then redis.call('SADD', KEYS[#KEYS], ARGV[2 + i]) end
end
return out
`;

/**
 * KEYS: the id's key, its kept bucket, since, count, ready, the earlier version's hash. ARGV:
 * digest, event JSON, member, now (ms). Moves one report of that hash to its ticket's bucket.
 */
const MIGRATE = `
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[3])
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SADD', KEYS[5], ARGV[3]) end
redis.call('HDEL', KEYS[6], ARGV[1])
return 1
`;

/** KEYS: bucket, since, count. ARGV: digest, member. Forgets a kept report once placed (counted once, whoever places it). */
const PLACED = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DECR', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
return 1
`;

/** The entry of one aged-out report; ARGV of the callers: reason, vendor, ticket, keptAt, agedAt. */
const ENTRY = `
local function entry(reason, vendor, ticket, keptAt, agedAt, digest, event)
  return '{"reason":' .. cjson.encode(reason) .. ',"vendor":' .. cjson.encode(vendor) .. ',"ticket":' .. cjson.encode(ticket) .. ',"keptAt":' .. keptAt .. ',"agedAt":' .. agedAt .. ',"digest":' .. cjson.encode(digest) .. ',"event":' .. event .. '}'
end
local function trim(list, cap)
  if cap > 0 then redis.call('LTRIM', list, 0, cap - 1) else redis.call('DEL', list) end
end
`;

/**
 * KEYS: bucket, since, count, agedOut, agedOutCount. ARGV: digest, member, reason, vendor, ticket, now, cap.
 * Moves one kept report its indexed batch cannot place (a number not in it) to the aged-out record.
 */
const UNPLACEABLE = `${ENTRY}
local event = redis.call('HGET', KEYS[1], ARGV[1])
if not event then return 0 end
local since = redis.call('ZSCORE', KEYS[2], ARGV[2]) or ARGV[6]
redis.call('LPUSH', KEYS[4], entry(ARGV[3], ARGV[4], ARGV[5], string.format('%.0f', tonumber(since)), ARGV[6], ARGV[1], event))
trim(KEYS[4], tonumber(ARGV[7]))
redis.call('INCR', KEYS[5])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DECR', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
return 1
`;

/**
 * KEYS: the id's key, bucket, since, count, ready, agedOut, agedOutCount. ARGV: member, vendor,
 * ticket, cutoff (ms), now (ms), cap. A ticket kept since the cutoff or before: indexed now (by a
 * worker that did not mark it ready, or just now) → marked ready, -1; else its reports move to the
 * aged-out record in this one step (no index can slip between the check and the move): how many.
 */
const AGE = `${ENTRY}
local since = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not since or tonumber(since) > tonumber(ARGV[4]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SADD', KEYS[5], ARGV[1])
  return -1
end
local all = redis.call('HGETALL', KEYS[2])
local keptAt = string.format('%.0f', tonumber(since))
for i = 1, #all, 2 do redis.call('LPUSH', KEYS[6], entry('ticket_unknown', ARGV[2], ARGV[3], keptAt, ARGV[5], all[i], all[i + 1])) end
local n = #all / 2
if n > 0 then
  trim(KEYS[6], tonumber(ARGV[6]))
  redis.call('INCRBY', KEYS[7], n)
  redis.call('DECRBY', KEYS[4], n)
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return n
`;

/** A kept report: its digest, the ticket's vendor and id, and the report. */
export interface KeptReport {
  digest: string;
  event: DeliveryEvent;
}

/** One report moved out of the kept set unplaced, kept for proof. */
export interface AgedOutReport {
  /** `ticket_unknown`: no batch indexed its ticket within the window; `not_in_batch`: the batch that sent the ticket does not hold its number (or is gone). */
  reason: 'ticket_unknown' | 'not_in_batch';
  vendor: string;
  ticket: string;
  /** When the ticket's first report was kept, and when this one moved (ms since the epoch). */
  keptAt: number;
  agedAt: number;
  digest: string;
  event: DeliveryEvent;
}

/** The index of vendor message ids under one key prefix, and the reports it could not place yet. */
export class VendorIds {
  readonly #keys: ReturnType<typeof keptKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.#keys = keptKeys(prefix);
  }

  /**
   * Places `ids` of `vendor` in `place`, each once (SET NX with an expiry). Resolves with the place
   * that stands for each id: `place`, or the one an earlier write gave it (which stays). An id with
   * reports kept already is marked for the next flush in the same step.
   */
  async index(vendor: string, ids: readonly string[], place: IdPlace, ttlSeconds = DEFAULT_ID_TTL_SECONDS): Promise<IdPlace[]> {
    if (ids.length === 0) return [];
    const value = JSON.stringify({ campaign: place.campaign, batch: place.batch });
    const keys = ids.flatMap((id) => [vendorIdKey(this.prefix, vendor, id), this.#keys.bucket(vendor, id)]);
    // SET … NX GET (Redis ≥ 7.0): the value already there, or nil once this one is written.
    const replies = (await this.redis.eval(INDEX, keys.length + 1, ...keys, this.#keys.ready, value, String(ttlSeconds), ...ids.map((id) => memberOf(vendor, id)))) as string[];
    return replies.map((before) => (before === '' ? place : (JSON.parse(before) as IdPlace)));
  }

  /** The campaign and batch that sent the message a report names, if a worker indexed its id. */
  async lookup(vendor: string, messageId: string): Promise<IdPlace | undefined> {
    const json = await this.redis.get(vendorIdKey(this.prefix, vendor, sendIdOf(messageId)));
    return json === null ? undefined : (JSON.parse(json) as IdPlace);
  }

  /**
   * In one step: the place of the report's ticket if a worker indexed it, else the report is kept
   * under its ticket (the same report twice is kept once) and undefined. `now`: when (ms), the
   * start of its ticket's window if it is the ticket's first kept report.
   */
  async keep(event: DeliveryEvent, now = Date.now()): Promise<IdPlace | undefined> {
    const id = sendIdOf(event.messageId);
    const digest = createHash('sha256').update(canonicalEvent(event)).digest('base64url');
    const k = this.#keys;
    const place = (await this.redis.eval(KEEP, 4, vendorIdKey(this.prefix, event.vendor, id), k.bucket(event.vendor, id), k.since, k.count, digest, JSON.stringify(event), memberOf(event.vendor, id), String(now))) as string | null;
    return place === null ? undefined : (JSON.parse(place) as IdPlace);
  }

  /** Up to `limit` tickets indexed since their reports were kept: each with its place (undefined when its index expired meanwhile) and its reports. */
  async ready(limit: number): Promise<Array<{ member: string; vendor: string; id: string; place?: IdPlace; reports: KeptReport[] }>> {
    const members = await this.redis.srandmember(this.#keys.ready, limit);
    return Promise.all(
      members.map(async (member) => {
        const { vendor, id } = splitMember(member);
        const [place, raw] = await Promise.all([this.lookup(vendor, id), this.redis.hgetall(this.#keys.bucket(vendor, id))]);
        const reports = Object.entries(raw).map(([digest, json]) => ({ digest, event: JSON.parse(json) as DeliveryEvent }));
        return { member, vendor, id, ...(place && { place }), reports };
      }),
    );
  }

  /** The ticket's kept reports were all handled: it leaves the ready set. */
  async done(member: string): Promise<void> {
    await this.redis.srem(this.#keys.ready, member);
  }

  /** Forgets a kept report once it is in its recipient's record (or parked in its campaign). */
  async placed(vendor: string, id: string, digest: string): Promise<void> {
    const k = this.#keys;
    await this.redis.eval(PLACED, 3, k.bucket(vendor, id), k.since, k.count, digest, memberOf(vendor, id));
  }

  /** Moves a kept report its indexed batch cannot place (its number is not in the batch, or the batch is gone) to the aged-out record. */
  async unplaceable(vendor: string, id: string, digest: string, now: number, cap: number): Promise<void> {
    const k = this.#keys;
    await this.redis.eval(UNPLACEABLE, 5, k.bucket(vendor, id), k.since, k.count, k.agedOut, k.agedOutCount, digest, memberOf(vendor, id), 'not_in_batch', vendor, id, String(now), String(cap));
  }

  /**
   * Ages out up to `limit` tickets kept since `cutoff` (ms) or before: a ticket indexed by now is
   * marked ready instead; the others' reports move to the aged-out record. Resolves with how many
   * reports moved and how many tickets were found indexed.
   */
  async age(cutoff: number, now: number, cap: number, limit: number): Promise<{ moved: number; indexed: number }> {
    const k = this.#keys;
    const members = await this.redis.zrangebyscore(k.since, '-inf', String(cutoff), 'LIMIT', 0, limit);
    let moved = 0;
    let indexed = 0;
    for (const member of members) {
      const { vendor, id } = splitMember(member);
      const n = (await this.redis.eval(AGE, 7, vendorIdKey(this.prefix, vendor, id), k.bucket(vendor, id), k.since, k.count, k.ready, k.agedOut, k.agedOutCount, member, vendor, id, String(cutoff), String(now), String(cap))) as number;
      if (n < 0) indexed++;
      else moved += n;
    }
    return { moved, indexed };
  }

  /**
   * Moves up to `limit` reports of the hash an earlier version kept every report in to the keys by
   * ticket, each in one step (kept as of `now`, marked ready when its ticket is indexed already, so
   * the ready pass places it or records why it cannot be): none is lost between the two. Resolves
   * with how many moved.
   */
  async migrate(now: number, limit: number): Promise<number> {
    const legacy = unindexedKey(this.prefix);
    const [, flat] = await this.redis.hscan(legacy, '0', 'COUNT', limit);
    const k = this.#keys;
    for (let i = 0; i < flat.length; i += 2) {
      const event = JSON.parse(flat[i + 1]!) as DeliveryEvent;
      const id = sendIdOf(event.messageId);
      await this.redis.eval(MIGRATE, 6, vendorIdKey(this.prefix, event.vendor, id), k.bucket(event.vendor, id), k.since, k.count, k.ready, legacy, flat[i]!, flat[i + 1]!, memberOf(event.vendor, id), String(now));
    }
    return flat.length / 2;
  }

  /** How many reports wait for an index to place them. */
  async keptCount(): Promise<number> {
    const [count, legacy] = await Promise.all([this.redis.get(this.#keys.count), this.redis.hlen(unindexedKey(this.prefix))]);
    return Number(count ?? 0) + legacy;
  }

  /** How many reports ever left the kept set unplaced (aged out, or not in their batch). */
  async agedOutCount(): Promise<number> {
    return Number((await this.redis.get(this.#keys.agedOutCount)) ?? 0);
  }

  /** The newest aged-out reports kept for proof (at most the cap the receiver ran with), newest first. */
  async agedOut(limit = DEFAULT_AGED_OUT_CAP): Promise<AgedOutReport[]> {
    if (limit <= 0) return [];
    return (await this.redis.lrange(this.#keys.agedOut, 0, limit - 1)).map((json) => JSON.parse(json) as AgedOutReport);
  }
}

/** A worker's `indexIds`: the ids of a sent batch placed in its campaign and batch. */
export const indexIdsOf = (ids: VendorIds, vendor: string, ttlSeconds?: number) => (campaign: string, batch: number, sent: readonly string[]) => ids.index(vendor, sent, { campaign, batch }, ttlSeconds);

/** A chain worker's `chainIndexIds`: the ids of each sent attempt of a chain sender without a callback field per send. */
export const chainIndexIdsOf = (ids: VendorIds, chain: readonly { name: string; callback: unknown }[], ttlSeconds?: number) => {
  const byAccount = new Set(chain.filter((s) => s.callback === false).map((s) => s.name));
  return (sender: string, campaign: string, batch: number, sent: readonly string[]) => (byAccount.has(sender) ? ids.index(sender, sent, { campaign, batch }, ttlSeconds) : undefined);
};
