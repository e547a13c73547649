/**
 * What happens to a provider account's queue as a whole, for every worker of every process: paused
 * when the vendor refuses the credentials, rate limited when it answers 429. Kept in Redis beside
 * the queue so that `campaignStatus` and `msgkit campaign status` can say why nothing moves.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisConnection } from './connection';
import { accountKey, campaignKeys, DEFAULT_PREFIX, queueName } from './names';

/**
 * The longest pause a vendor's Retry-After (or SMS.CX X-Rate-Limit-Reset) can impose on an account:
 * 10 minutes, the longest window any of the four vendors documents (Infobip throttles scenario
 * writes per 10 minutes, specs/infobip.yaml; the others document none longer). A larger value is a
 * vendor or proxy fault, or a hostile answer; after the capped pause the next request asks again,
 * so a vendor that really needs longer costs one request per 10 minutes, not 31 years of silence.
 */
export const MAX_RATE_LIMIT_PAUSE_MS = 600_000;

/** The account's queue is paused: the vendor refused its credentials (401) or their rights (403). */
export interface AccountPause {
  code: 'authentication_error' | 'permission_denied';
  status?: number;
  vendorCode?: string | number;
  /** The error's message (msgkit errors carry no secret). */
  message: string;
  at: string;
  /** The batch whose request was refused; it stays pending, like every other batch of the account. */
  campaignId: string;
  index: number;
}

/** The last 429 of the account: how long the vendor asked for and how long every worker paused. */
export interface RateLimitNotice {
  at: string;
  until: string;
  /** What the vendor asked for, when it said (Retry-After, X-Rate-Limit-Reset). */
  askedMs?: number;
  pausedMs: number;
  /** True when the vendor asked for more than MAX_RATE_LIMIT_PAUSE_MS (or the worker's own cap). */
  capped: boolean;
  campaignId: string;
  index: number;
}

/** A provider account's queue as the status shows it: paused on refused credentials, and its last 429. */
export interface AccountState {
  queue: string;
  paused?: AccountPause;
  rateLimited?: RateLimitNotice;
}

export class AccountRecord {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #key: string;
  readonly queue: string;

  constructor(redis: Redis, prefix: string, queue: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#key = accountKey(prefix, queue);
    this.queue = queue;
  }

  async #write(field: 'paused' | 'rateLimited', value: AccountPause | RateLimitNotice, event: Record<string, string>): Promise<void> {
    // Two commands, not one MULTI: the account key and the campaign's stream live in different
    // cluster slots, and neither write depends on the other.
    await this.#redis.hset(this.#key, field, JSON.stringify(value));
    await this.#redis.xadd(campaignKeys(this.#prefix, value.campaignId).events, 'MAXLEN', '~', '10000', '*', ...Object.entries(event).flat());
  }

  async paused(pause: AccountPause): Promise<void> {
    await this.#write('paused', pause, { type: 'paused', index: String(pause.index), code: pause.code, message: pause.message });
  }

  async rateLimited(notice: RateLimitNotice): Promise<void> {
    const event: Record<string, string> = { type: 'rate_limited', index: String(notice.index), pausedMs: String(notice.pausedMs), capped: notice.capped ? '1' : '0' };
    if (notice.askedMs !== undefined) event.askedMs = String(notice.askedMs);
    await this.#write('rateLimited', notice, event);
  }

  async read(): Promise<AccountState> {
    const raw = await this.#redis.hgetall(this.#key);
    return {
      queue: this.queue,
      ...(raw.paused !== undefined && { paused: JSON.parse(raw.paused) as AccountPause }),
      ...(raw.rateLimited !== undefined && { rateLimited: JSON.parse(raw.rateLimited) as RateLimitNotice }),
    };
  }

  async clearPause(): Promise<void> {
    await this.#redis.hdel(this.#key, 'paused');
  }
}

/** Options of `resumeAccount`: the Redis and the provider account whose queue to resume. */
export interface ResumeAccountOptions {
  connection: RedisConnection;
  /** The sender's name (`smscx`, …): the queue is `msgkit-<provider>-<account>`. */
  provider: string;
  account?: string;
  prefix?: string;
  connectTimeoutMs?: number;
}

/**
 * Resumes a provider account's queue after its credentials were fixed: every worker takes its
 * batches again, those held back by the refusal first among them (they never left `pending`).
 * Start the workers with the new credentials before, or right after, calling this.
 */
export async function resumeAccount(options: ResumeAccountOptions): Promise<AccountState> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = queueName(options.provider, options.account ?? 'default');
  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  const queue = new Queue(name, { connection: redis, prefix });
  try {
    const record = new AccountRecord(redis, prefix, name);
    const before = await record.read();
    await queue.resume();
    await record.clearPause();
    return before;
  } finally {
    await queue.close();
    await release();
  }
}
