import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError, type RedisUnavailableReason } from './errors';

/** A Redis URL (`redis://127.0.0.1:6379`), ioredis options, or an ioredis client you own (created with `maxRetriesPerRequest: null`, as BullMQ workers require). */
export type RedisConnection = string | RedisOptions | Redis;

/**
 * How long connecting to Redis may take, first answer included, before it fails with
 * RedisUnavailableError (10 s). A Redis on the same network answers in milliseconds; ten seconds
 * leave room for a loaded machine, a TLS handshake or a far region, and no more: ioredis on its own
 * would retry for ever, and a producer or a status command would hang on a wrong address.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface OwnedRedis {
  redis: Redis;
  /** Quits the client if this module created it; a client passed in stays open. */
  release(): Promise<void>;
}

export interface ConnectOptions {
  connectTimeoutMs?: number | undefined;
  /**
   * For BullMQ workers: once connected, commands wait through reconnections (`maxRetriesPerRequest:
   * null`, which BullMQ requires). Otherwise a command fails after one reconnection attempt.
   */
  waitThroughReconnects?: boolean;
}

/** host:port of a connection, never its password. */
export function redisAddress(connection: RedisConnection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || '6379'}`;
    } catch {
      return 'an unreadable Redis URL';
    }
  }
  const options = connection instanceof Redis ? connection.options : connection;
  if (options.path) return options.path;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

function reasonOf(error: unknown): RedisUnavailableReason {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'not_found';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (/protocol error/i.test(message)) return 'not_redis';
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) return 'auth';
  return 'other';
}

/**
 * Connects (or checks the client given) and waits for Redis to answer PING, for at most the
 * connect timeout; fails with RedisUnavailableError otherwise, and stops the client it created
 * from retrying in the background.
 */
export async function connectRedis(connection: RedisConnection, options: ConnectOptions = {}): Promise<OwnedRedis> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`connectTimeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  const owned = !(connection instanceof Redis);
  const settings: RedisOptions = { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: options.waitThroughReconnects ? null : 1 };
  const redis = connection instanceof Redis ? connection : typeof connection === 'string' ? new Redis(connection, settings) : new Redis({ ...connection, ...settings });
  let last: unknown;
  // ioredis reports connection trouble here and retries; without a listener it prints each one.
  const onError = (error: unknown) => (last = error);
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = (async () => {
      if (redis.status === 'wait') await redis.connect();
      await redis.ping();
    })();
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([answered.then(() => 'ok' as const), timedOut]);
    // The losing branch may still reject later; it has been decided already.
    answered.catch(() => undefined);
    if (result === 'timeout') throw new RedisUnavailableError(redisAddress(connection), last === undefined ? 'timeout' : reasonOf(last), timeoutMs, { cause: last });
  } catch (error) {
    if (owned) redis.disconnect();
    if (error instanceof RedisUnavailableError) throw error;
    throw new RedisUnavailableError(redisAddress(connection), reasonOf(last ?? error), timeoutMs, { cause: last ?? error });
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
  if (!owned) return { redis, release: async () => {} };
  // Later trouble: ioredis reconnects on its own; the commands waiting say what failed.
  redis.on('error', () => undefined);
  return {
    redis,
    release: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
