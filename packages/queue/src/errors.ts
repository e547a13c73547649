import { MsgkitError } from '@msgkit/core';

/**
 * Why no Redis answered: `refused` (nothing listens), `timeout` (no Redis answer within the connect
 * timeout: a firewall that drops packets, or a server that accepts and says nothing), `not_redis`
 * (something answered that does not speak Redis, e.g. an HTTP server), `auth` (Redis refused the
 * password or user), `not_found` (the host name does not resolve), `other`.
 */
export type RedisUnavailableReason = 'refused' | 'timeout' | 'not_redis' | 'auth' | 'not_found' | 'other';

const WHY: Record<RedisUnavailableReason, (timeoutMs: number) => string> = {
  refused: () => 'connection refused',
  timeout: (ms) => `no Redis answer within ${ms / 1000} s`,
  not_redis: () => 'what answered does not speak the Redis protocol',
  auth: () => 'Redis refused the credentials',
  not_found: () => 'host not found',
  other: () => 'connection failed',
};

/** Redis could not be reached within the connect timeout; nothing was read or written. */
export class RedisUnavailableError extends MsgkitError {
  /** host:port, never the URL's password. */
  readonly address: string;
  readonly reason: RedisUnavailableReason;
  readonly timeoutMs: number;
  /** The reason in a few words, for a one-line message. */
  readonly why: string;

  constructor(address: string, reason: RedisUnavailableReason, timeoutMs: number, options: { cause?: unknown } = {}) {
    const why = WHY[reason](timeoutMs);
    super('redis_unavailable', `${address} (${why})`, options);
    this.address = address;
    this.reason = reason;
    this.timeoutMs = timeoutMs;
    this.why = why;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), address: this.address, reason: this.reason, timeoutMs: this.timeoutMs };
  }
}

/** How a worker treats Redis's persistence; see `CampaignWorkerOptions.redisPersistence`. */
export type RedisPersistence = 'require-aof' | 'trust-aof' | 'accept-loss';

/**
 * A worker for a vendor that cannot deduplicate would run on a Redis that can forget a batch was
 * begun (no append-only file, or one fsynced less than every second), or whose settings it cannot
 * read. The message names the option that overrides the check.
 */
export class RedisNotDurableError extends MsgkitError {
  /** What Redis reported (`appendonly`, `appendfsync`, `aof_enabled`), or why it could not be read. */
  readonly found: Readonly<Record<string, string>>;

  constructor(detail: string, found: Record<string, string>) {
    super('redis_not_durable', detail);
    this.found = found;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), found: this.found };
  }
}
