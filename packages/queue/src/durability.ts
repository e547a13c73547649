/**
 * Whether Redis keeps what the queue writes across a restart. The begin marker of a batch is the
 * only proof that its request may have left; Redis without an append-only file loses every write
 * since its last snapshot when it restarts, and a vendor that cannot deduplicate would then be sent
 * those batches again. `appendfsync everysec` loses at most the last second on a power cut, and
 * nothing on a crash of the Redis process alone (acknowledged writes are in the kernel by then);
 * `always` loses nothing; `no` leaves flushing to the OS (typically 30 s), so it does not count.
 */
import type { Redis } from 'ioredis';
import { RedisNotDurableError, type RedisPersistence } from './errors';

export const DURABLE_FSYNC: readonly string[] = ['everysec', 'always'];

/** What a check says a lost write costs, and how to run anyway: a worker's words by default, a report receiver's its own. */
export interface DurabilityWords {
  /** What a Redis that forgets writes would cost, after "a restart can …". */
  loss: string;
  /** How to run anyway, and what that then means. */
  override: string;
}

export const WORKER_WORDS: DurabilityWords = {
  loss: 'forget that a batch was begun, and this vendor cannot drop a resend',
  override: "pass redisPersistence: 'accept-loss' to run anyway (a restart that loses writes is then found where it can be, and its batches are recorded unknown)",
};

/** What Redis said of its persistence (CONFIG GET, or INFO when CONFIG is refused); empty when nothing was read ('accept-loss'). */
export interface PersistenceFound {
  appendonly?: string;
  appendfsync?: string;
  /** INFO persistence `aof_enabled`, read when CONFIG cannot be. */
  aofEnabled?: string;
}

async function configGet(redis: Redis, name: string): Promise<string | undefined> {
  const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
  return reply[1];
}

async function infoAofEnabled(redis: Redis): Promise<string | undefined> {
  try {
    return /aof_enabled:(\d)/.exec(await redis.info('persistence'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Resolves when Redis at `address` is durable enough for `mode`; throws RedisNotDurableError,
 * naming the setting and the option that overrides the check, when it is not or cannot be read.
 */
export async function checkDurability(redis: Redis, mode: RedisPersistence, address: string, words: DurabilityWords = WORKER_WORDS): Promise<PersistenceFound> {
  if (mode === 'accept-loss') return {};
  const OVERRIDE = words.override;
  let appendonly: string | undefined;
  let appendfsync: string | undefined;
  let unreadable: string | undefined;
  try {
    appendonly = await configGet(redis, 'appendonly');
    appendfsync = await configGet(redis, 'appendfsync');
  } catch (error) {
    // Managed Redis often disables or renames CONFIG, or an ACL forbids it.
    unreadable = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
  if (unreadable === undefined) {
    if (appendonly === 'yes' && DURABLE_FSYNC.includes(appendfsync ?? '')) return { appendonly, appendfsync: appendfsync! };
    throw new RedisNotDurableError(
      `Redis at ${address} has appendonly ${appendonly ?? '(unset)'}, appendfsync ${appendfsync ?? '(unset)'}: a restart can ${words.loss}. ` +
        `Set appendonly yes and appendfsync everysec (or always) in redis.conf, or ${OVERRIDE}`,
      { appendonly: appendonly ?? '', appendfsync: appendfsync ?? '' },
    );
  }
  const aofEnabled = await infoAofEnabled(redis);
  if (mode === 'trust-aof') {
    if (aofEnabled !== '0') return aofEnabled === undefined ? {} : { aofEnabled };
    throw new RedisNotDurableError(`Redis at ${address} reports aof_enabled:0 (INFO persistence), although redisPersistence is 'trust-aof'. Enable the append-only file, or ${OVERRIDE}`, {
      config: unreadable,
      aof_enabled: '0',
    });
  }
  throw new RedisNotDurableError(
    `cannot read the persistence settings of Redis at ${address} (CONFIG GET: ${unreadable}). If it writes an append-only file fsynced every second or always, pass redisPersistence: 'trust-aof'; otherwise ${OVERRIDE}`,
    { config: unreadable, ...(aofEnabled !== undefined && { aof_enabled: aofEnabled }) },
  );
}
