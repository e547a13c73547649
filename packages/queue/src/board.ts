import { Queue } from 'bullmq';
import { connectRedis, type RedisConnection } from './connection';
import { DEFAULT_PREFIX } from './names';
import type { StatusOptions } from './status';

/** The BullMQ queues of provider accounts, over one Redis connection. */
export interface AccountQueues {
  /** The queue named `name` (a campaign's `queue`), opened on first use. */
  get(name: string): Queue;
  /** Closes every queue opened and the connection. */
  close(): Promise<void>;
}

/**
 * Opens the account queues for a viewer of their jobs (the dashboard hands them to bull-board), so
 * that it needs to know neither BullMQ's connection rules nor the key prefix. Nothing is added,
 * changed or removed through it by msgkit.
 */
export async function openAccountQueues(connection: RedisConnection, options: StatusOptions = {}): Promise<AccountQueues> {
  const { redis, release } = await connectRedis(connection, { connectTimeoutMs: options.connectTimeoutMs, waitThroughReconnects: true });
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queues = new Map<string, Queue>();
  return {
    get(name) {
      let queue = queues.get(name);
      if (!queue) queues.set(name, (queue = new Queue(name, { connection: redis, prefix })));
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      await release();
    },
  };
}
