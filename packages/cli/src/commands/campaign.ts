import { connect } from 'node:net';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';

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
      throw new CliError('msgkit campaign needs the @msgkit/queue package: npm i @msgkit/queue', 2);
    }
    throw error;
  }
}

function redisUrl(given: string | undefined, io: Io): string {
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

/** How long to wait for Redis to accept a connection before saying it cannot be reached. */
const REDIS_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Fails fast when nothing answers at the Redis address: the queue's clients retry forever (BullMQ
 * needs `maxRetriesPerRequest: null`), so without this a status command would hang on a wrong URL.
 */
function assertReachable(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port || 6379) });
    const fail = (why: string) => {
      socket.destroy();
      reject(new CliError(`cannot reach Redis at ${new URL(url).host} (${why})`, 1));
    };
    socket.setTimeout(REDIS_CONNECT_TIMEOUT_MS, () => fail(`no answer within ${REDIS_CONNECT_TIMEOUT_MS / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'connection failed'));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

export function campaignCommand(program: Command, io: Io, load?: () => Promise<Queue>): void {
  const campaign = program.command('campaign').description('campaigns run on @msgkit/queue workers over Redis (needs: npm i @msgkit/queue)');
  campaign
    .command('status')
    .description('print a queue campaign\'s totals (sent, refused, unknown, pending) and its refused and unknown batches; exit 0 when every batch was sent, 1 otherwise, 2 for an unknown campaign id')
    .argument('<id>', 'the campaign id given to enqueueCampaign')
    .option('--redis <url>', `Redis URL (default: MSGKIT_REDIS_URL, else ${DEFAULT_REDIS})`)
    .option('--prefix <prefix>', 'key prefix the campaign was enqueued with (default: the queue\'s own)')
    .option('--follow', 'print each batch event until every batch has an outcome, then the status')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { redis?: string; prefix?: string; follow?: boolean; json?: boolean }) => {
      const url = redisUrl(options.redis, io);
      const queue = await loadQueue(load);
      await assertReachable(url);
      const statusOptions = options.prefix ? { prefix: options.prefix } : {};
      if (options.follow) {
        // An unknown id would make the follow wait for events that never come.
        if (!(await queue.campaignStatus(url, id, statusOptions))) throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
        for await (const event of queue.followCampaign(url, id, { ...statusOptions, from: '0' })) {
          if (options.json) line(io.stdout, JSON.stringify(event));
          else line(io.stdout, event.type === 'begin' ? `batch ${event.index} ${event.state === 'resumed' ? 'resumed' : 'begun'}` : `batch ${event.index} ${event.outcome} (${event.count})`);
        }
      }
      const status = await queue.campaignStatus(url, id, statusOptions);
      if (!status) throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
      line(io.stdout, options.json ? JSON.stringify(status) : queue.formatCampaignStatus(status));
      if (status.sent.batches !== status.batches) io.exitCode = 1;
    });
}
