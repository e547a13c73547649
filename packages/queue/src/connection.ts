import { Redis, type RedisOptions } from 'ioredis';

/** A Redis URL (`redis://127.0.0.1:6379`), ioredis options, or an ioredis client you own (created with `maxRetriesPerRequest: null`, as BullMQ workers require). */
export type RedisConnection = string | RedisOptions | Redis;

export interface OwnedRedis {
  redis: Redis;
  /** Quits the client if this module created it; a client passed in stays open. */
  release(): Promise<void>;
}

/**
 * An ioredis client for `connection`. BullMQ's blocking calls need `maxRetriesPerRequest: null`,
 * so clients created here use it; a client passed in is used as it is.
 */
export function openRedis(connection: RedisConnection): OwnedRedis {
  if (connection instanceof Redis) return { redis: connection, release: async () => {} };
  const redis =
    typeof connection === 'string'
      ? new Redis(connection, { maxRetriesPerRequest: null })
      : new Redis({ ...connection, maxRetriesPerRequest: null });
  return {
    redis,
    release: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
