import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { campaignResultsCommand } from './campaignResults';

type Queue = typeof import('@msgkit/queue');

/** The queue's own default (msgkit-queue status documents the same): MSGKIT_REDIS_URL, else a local Redis. */
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/**
 * Loads @msgkit/queue, an optional peer dependency: a CLI user who never runs queue campaigns does
 * not install bullmq and ioredis. `load` is a parameter so a test can name a module that is missing.
 */
export async function loadQueue(load: () => Promise<Queue> = () => import('@msgkit/queue')): Promise<Queue> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError('queue campaigns need the @msgkit/queue package: npm i @msgkit/queue', 2);
    }
    throw error;
  }
}

export function redisUrl(given: string | undefined, io: Io): string {
  const url = given ?? io.env.MSGKIT_REDIS_URL ?? DEFAULT_REDIS;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--redis must be a redis:// or rediss:// URL, got "${url}"`, 2);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new CliError(`--redis must be a redis:// or rediss:// URL, got a ${parsed.protocol} URL`, 2);
  return url;
}

/** Reads --connect-timeout (seconds, as a person types it); the queue's own default when absent. */
export function connectTimeoutMs(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const seconds = Number(given);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--connect-timeout must be a positive number of seconds, got "${given}"`, 2);
  return seconds * 1000;
}

/** The queue's RedisUnavailableError (known by its code) as one line, exit 1: where and why, never the URL's password. */
export function redisFailure(error: unknown): never {
  const e = error as { code?: unknown; address?: unknown; why?: unknown } | null;
  if (e?.code === 'redis_unavailable') throw new CliError(`cannot reach Redis at ${String(e.address)} (${String(e.why)})`, 1);
  throw error;
}

export function campaignCommand(program: Command, io: Io, load?: () => Promise<Queue>): void {
  const campaign = program.command('campaign').description('campaigns run on @msgkit/queue workers over Redis (needs: npm i @msgkit/queue)');
  campaign
    .command('status')
    .description('print a queue campaign\'s totals (sent, refused, unknown, pending), the recipients each vendor sent (a chain\'s too), and its refused and unknown batches and recipients; exit 0 when every batch was sent, 1 otherwise or when Redis cannot be reached, 2 for an unknown campaign id')
    .argument('<id>', 'the campaign id given to enqueueCampaign')
    .option('--redis <url>', `Redis URL (default: MSGKIT_REDIS_URL, else ${DEFAULT_REDIS})`)
    .option('--prefix <prefix>', 'key prefix the campaign was enqueued with (default: the queue\'s own)')
    .option('--follow', 'print each batch event until every batch has an outcome, then the status')
    .option('--json', 'print JSON')
    .option('--connect-timeout <seconds>', 'how long connecting to Redis may take before exit 1 (default 10)')
    .action(async (id: string, options: { redis?: string; prefix?: string; follow?: boolean; json?: boolean; connectTimeout?: string }) => {
      const url = redisUrl(options.redis, io);
      const timeout = connectTimeoutMs(options.connectTimeout);
      const queue = await loadQueue(load);
      const statusOptions = { ...(options.prefix && { prefix: options.prefix }), ...(timeout !== undefined && { connectTimeoutMs: timeout }) };
      const read = () => queue.campaignStatus(url, id, statusOptions).catch(redisFailure);
      let status = await read();
      // An unknown id would also make --follow wait for events that never come.
      if (!status) throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
      if (options.follow) {
        for await (const event of queue.followCampaign(url, id, { ...statusOptions, from: '0' })) line(io.stdout, options.json ? JSON.stringify(event) : queue.formatCampaignEvent(event));
        status = (await read()) ?? status;
      }
      line(io.stdout, options.json ? JSON.stringify(status) : queue.formatCampaignStatus(status));
      if (status.sent.batches !== status.batches) io.exitCode = 1;
    });
  campaignResultsCommand(campaign, io, load);
}
