import { ValidationError } from '@msgkit/core';

export const DEFAULT_PREFIX = 'msgkit';

// BullMQ refuses ':' in queue names and job ids; a plain word keeps ids readable in any Redis tool.
const WORD = /^[A-Za-z0-9._-]{1,100}$/;

export function checkWord(path: string, value: unknown): string {
  if (typeof value !== 'string' || !WORD.test(value)) {
    throw new ValidationError([{ path: [path], code: 'invalid_id', message: 'must be 1 to 100 letters, digits, ".", "_" or "-"' }]);
  }
  return value;
}

/** One queue per provider account: BullMQ's limiter paces a queue, so this paces an account. */
export function queueName(provider: string, account: string): string {
  return `msgkit-${checkWord('provider', provider)}-${checkWord('account', account)}`;
}

/**
 * The name a chain of senders goes by (its queue, its jobs' `provider`): the senders' names in
 * order, joined with `.` (`smsworks.smscx`). A single sender keeps its own name.
 */
export function chainName(names: readonly string[]): string {
  return names.join('.');
}

/** Batch `index` of a campaign, as a BullMQ job id: the same campaign added twice adds nothing twice. */
export function batchJobId(campaignId: string, index: number): string {
  return `${campaignId}-b${index}`;
}

/** The Redis keys of one campaign; the hash tag keeps them in one cluster slot for the scripts. */
export function campaignKeys(prefix: string, campaignId: string) {
  const base = `${prefix}:campaign:{${campaignId}}`;
  return {
    meta: `${base}:meta`,
    begin: `${base}:begin`,
    outcome: `${base}:outcome`,
    counts: `${base}:counts`,
    events: `${base}:events`,
    /** Which Redis process last wrote the campaign's state, whether to an AOF, and whether state was found lost. */
    lineage: `${base}:lineage`,
    /** A chain campaign's attempts per batch (`<index>`: how many; `<index>:<n>`: attempt n; `<index>:<n>:o`: its outcome). */
    attempts: `${base}:attempts`,
    /** Per recipient (E.164): which vendors were tried, how each ended, which one sent (chains, and refusals inside accepted batches). */
    recipients: `${base}:recipients`,
    /** Moves after the send (failoverCampaign): `v:<index>`: the version of the batch's outcome written; `m:<number>`: its moves. */
    failover: `${base}:failover`,
    /** The token of the one `failoverCampaign` call moving this campaign now, with a lease (PX). */
    failoverLease: `${base}:failover:lease`,
  };
}

/** A SCAN pattern for the description keys of every campaign under `prefix`, and the campaign id of a key it matches. */
export function campaignMetaPattern(prefix: string): { match: string; idOf(key: string): string | undefined } {
  const { meta } = campaignKeys(prefix, '\u0000');
  const [head, tail] = meta.split('\u0000') as [string, string];
  // The prefix is the user's: its glob characters must match themselves.
  const glob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  return {
    match: `${glob(head)}*${glob(tail)}`,
    idOf: (key) => {
      if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
      const id = key.slice(head.length, key.length - tail.length);
      return WORD.test(id) ? id : undefined;
    },
  };
}

/** What happened to a provider account's queue as a whole (paused on a refused credential, rate limited). */
export function accountKey(prefix: string, queue: string): string {
  return `${prefix}:account:${queue}`;
}
