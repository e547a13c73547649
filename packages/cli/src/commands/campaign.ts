import type { CampaignSender } from '@msgkit/core';
import type { Command } from 'commander';
import { parseBaseUrls } from '../chain';
import { DLR_SECRET_ENV } from '../dlrUrl';
import { parseDuration } from '../failoverPlan';
import { CliError, line, type Io } from '../io';
import { campaignResultsCommand } from './campaignResults';
import { SENDERS } from '../senders';
import { senderFromEnv } from './reconcile';

type Queue = typeof import('@msgkit/queue');
type FailoverPlan = import('@msgkit/queue').FailoverPlan;
type FailoverPassSummary = import('@msgkit/queue').FailoverPassSummary;
type FailoverWatchOptions = import('@msgkit/queue').FailoverWatchOptions;

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
  campaign
    .command('failover')
    .description(
      "move the recipients of a chain campaign that its first vendors sent on to the next vendor of the chain, once each: on a final negative delivery report (--on-report: undelivered, expired or failed, not rejected, not permanent) and/or no final report after a duration you name (--after-no-report); says what moves before sending; with --watch --every, pass after pass until nothing is left that could move; exit 0 when every moved recipient was taken, 1 when any is unknown or refused or Redis cannot be reached, 2 for a usage error or an unknown campaign, 130/143 for a watch stopped by SIGINT/SIGTERM",
    )
    .argument('<id>', 'the campaign id given to enqueueCampaign (enqueued with a chain of senders)')
    .option('--on-report', 'move a recipient whose vendor reported it finally undelivered, expired or failed (recorded by msgkit webhooks serve --redis)')
    .option('--after-no-report <duration>', 'move a recipient with no final report this long after its send (30m, 2h; no default): it may get the message twice, and campaign status counts every late delivered report')
    .option('--dry-run', 'say what would move, send nothing')
    .option('--watch', 'keep going: a pass every --every until nothing is left that could move (every recipient delivered, failed in a way that does not move, at the last provider, or unknown/refused after its move; every batch sent), then exit; waits while another run holds the campaign; SIGINT/SIGTERM stop it at its next batch (between passes, or in a pass: the batch being sent is recorded first, none after it is begun), and a run killed mid-pass is resumed by the next without sending twice')
    .option('--every <duration>', 'with --watch: the wait after each pass (30s, 5m; no default)')
    .option('--base-url <provider=url>', "a vendor API's base URL, one provider=url per provider whose URL you set (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--dlr-url <url>', `the receiver the workers send reports to (msgkit webhooks serve --redis): the next vendor's reports go there too (needs ${DLR_SECRET_ENV})`)
    .option('--lease <duration>', 'how long this run holds the campaign against other movers unless it renews (default 30s); a killed run is resumed once it lapsed')
    .option('--redis <url>', `Redis URL (default: MSGKIT_REDIS_URL, else ${DEFAULT_REDIS})`)
    .option('--prefix <prefix>', "key prefix the campaign was enqueued with (default: the queue's own)")
    .option('--json', 'print the result as JSON')
    .option('--connect-timeout <seconds>', 'how long connecting to Redis may take before exit 1 (default 10)')
    .action(async (id: string, options: FailoverCliOptions) => failoverAction(id, options, io, load));
  campaignResultsCommand(campaign, io, load);
}

interface FailoverCliOptions {
  onReport?: boolean;
  afterNoReport?: string;
  dryRun?: boolean;
  watch?: boolean;
  every?: string;
  baseUrl: string[];
  dlrUrl?: string;
  lease?: string;
  redis?: string;
  prefix?: string;
  json?: boolean;
  connectTimeout?: string;
}

/** `msgkit campaign failover`: see its description. */
async function failoverAction(id: string, options: FailoverCliOptions, io: Io, load?: () => Promise<Queue>): Promise<void> {
  const problems: string[] = [];
  if (options.onReport !== true && options.afterNoReport === undefined) problems.push('name what moves a recipient on: --on-report (a final negative delivery report) and/or --after-no-report <duration>; nothing is assumed');
  const timerMs = options.afterNoReport === undefined ? undefined : parseDuration(options.afterNoReport);
  if (options.afterNoReport !== undefined && timerMs === undefined) problems.push(`--after-no-report must be a duration with its unit (30m, 2h, 90s), got "${options.afterNoReport}"`);
  const everyMs = options.every === undefined ? undefined : parseDuration(options.every);
  if (options.watch === true && options.every === undefined) problems.push('--watch needs --every <duration>: the wait after each pass (30s, 5m); nothing is assumed');
  if (options.watch !== true && options.every !== undefined) problems.push('--every goes with --watch');
  if (options.every !== undefined && everyMs === undefined) problems.push(`--every must be a duration with its unit (30s, 5m), got "${options.every}"`);
  if (options.watch === true && options.dryRun === true) problems.push('--watch moves: it cannot be a --dry-run (run --dry-run alone to see what would move now)');
  const leaseMs = options.lease === undefined ? undefined : parseDuration(options.lease);
  if (options.lease !== undefined && leaseMs === undefined) problems.push(`--lease must be a duration with its unit (30s, 2m), got "${options.lease}"`);
  const secret = io.env[DLR_SECRET_ENV];
  if (options.dlrUrl !== undefined && secret === undefined) problems.push(`--dlr-url needs ${DLR_SECRET_ENV} in the environment (the secret msgkit webhooks serve checks the URLs with)`);
  if (problems.length > 0) throw new CliError(problems.join('\n'), 2);
  const url = redisUrl(options.redis, io);
  const timeout = connectTimeoutMs(options.connectTimeout);
  const queue = await loadQueue(load);
  const where = { ...(options.prefix !== undefined && { prefix: options.prefix }), ...(timeout !== undefined && { connectTimeoutMs: timeout }) };
  const status = await queue.campaignStatus(url, id, where).catch(redisFailure);
  if (!status) throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
  if (!status.chain) throw new CliError(`campaign ${id} was sent by ${status.provider} alone: there is no next provider to move to`, 2);
  const providers = status.chain;
  for (const name of providers) if (!(name in SENDERS)) throw new CliError(`the campaign's provider ${name} is not one msgkit can send with`, 2);
  const urls = parseBaseUrls(options.baseUrl, providers, `this campaign's chain (${providers.join(', ')})`, problems);
  if (problems.length > 0) throw new CliError(problems.join('\n'), 2);
  const senders: CampaignSender[] = [];
  for (const name of providers) senders.push(await senderFromEnv(name, urls[name], io));
  const head = `campaign ${id} (${providers.join(' → ')}, queue)`;
  const common = {
    connection: url,
    campaignId: id,
    senders,
    ...where,
    ...(options.onReport === true && { onReport: true }),
    ...(timerMs !== undefined && { afterNoReportMs: timerMs }),
    ...(leaseMs !== undefined && { leaseMs }),
    ...(options.dlrUrl !== undefined && secret !== undefined && { deliveryReports: { url: options.dlrUrl, secret } }),
  };
  // What moves is said before anything is sent.
  const onPlan = (plan: FailoverPlan, watching = false) => {
    if (options.json) return;
    if (plan.resumed.length > 0) line(io.stdout, `${head}: resuming the interrupted move of batch ${plan.resumed.join(', ')}`);
    const verb = plan.dryRun ? 'would move now' : 'move now';
    // A watch says each pass's result on its own line: only a move is said before it is sent.
    if (watching && plan.moves.length === 0) return;
    line(io.stdout, plan.moves.length === 0 ? `${head}: none moves now` : `${head}: ${plan.moves.length} recipient(s) ${verb}: ${plan.steps.join('; ')}`);
  };
  if (options.watch === true) return watchAction(queue, { ...common, every: everyMs!, onPlan: (plan) => onPlan(plan, true) }, { head, url, json: options.json === true, leaseGiven: leaseMs !== undefined, dlr: options.dlrUrl !== undefined }, io);
  const result = await queue
    .failoverCampaign({ ...common, ...(options.dryRun === true && { dryRun: true }), onPlan: (plan) => onPlan(plan) })
    .catch((error: { code?: unknown; message?: string; issues?: Array<{ message: string }> }) => {
      if (error?.code === 'failover_busy') throw new CliError(error.message ?? 'another mover holds this campaign', 1);
      if (error?.code === 'validation_error') throw new CliError(`${error.issues?.map((i) => i.message).join('; ') ?? error.message}`, 2);
      return redisFailure(error);
    });
  if (!result) throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
  if (options.json) {
    line(io.stdout, JSON.stringify(result));
  } else if (!result.dryRun && result.moves.length + result.resumed.length > 0) {
    line(io.stdout, `${head}: moved: ${result.sent} sent by the next provider, ${result.unknown} unknown (it may have them: check before resending), ${result.refused} refused${result.takenByAnother.length > 0 ? `; batch ${result.takenByAnother.join(', ')} moved by another run` : ''}`);
  }
  if (result.unknown > 0 || result.refused > 0) io.exitCode = 1;
}

/** Exit codes of a watch stopped by a signal: 128 + its number, as shells report it. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** A duration as a person reads it: `50 ms`, `30 s`, `5 min`, `2 h`. */
function spoken(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${ms / 1000} s`;
  if (ms < 3_600_000 || ms % 3_600_000 !== 0) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

const laterOf = (p: Pick<FailoverPassSummary, 'awaitingReport' | 'unsentBatches'>) => `${p.awaitingReport} awaiting a final report, ${p.unsentBatches} batch(es) without an outcome`;
const takenOf = (p: { sent: number; unknown: number; refused: number }) => `${p.sent} sent by the next provider, ${p.unknown} unknown (it may have them: check before resending), ${p.refused} refused`;

/** `msgkit campaign failover --watch --every`: queue's watchFailover, each pass said as it ends, stopped at its next batch by SIGINT/SIGTERM. */
async function watchAction(queue: Queue, watch: FailoverWatchOptions, how: { head: string; url: string; json: boolean; leaseGiven: boolean; dlr: boolean }, io: Io): Promise<void> {
  // The watch's work is the campaign: a reader of its output leaving stops nothing.
  io.whenStdoutCloses = 'carry-on';
  const say = (text: string) => {
    if (!how.json) line(io.stdout, text);
  };
  const rules = [watch.onReport === true && 'moves a recipient on a final negative delivery report', watch.afterNoReportMs !== undefined && `moves a recipient with no final report ${spoken(watch.afterNoReportMs)} after its send (it may get the message twice)`].filter(Boolean).join(' and ');
  const lease = `lease ${spoken(watch.leaseMs ?? queue.DEFAULT_FAILOVER_LEASE_MS)}${how.leaseGiven ? '' : ' (the default)'}`;
  const assumed = [`a pass every ${spoken(watch.every)}`, rules, watch.afterNoReportMs === undefined ? 'no timer' : 'the timer judged at each pass by this machine\'s clock', lease, how.dlr ? "the next provider's reports requested (--dlr-url)" : "the next provider's reports not requested (no --dlr-url)", 'SIGINT/SIGTERM stop it at its next batch (a batch being sent is recorded first)'];
  say(`watching ${how.head}: ${assumed.join('; ')}`);
  const controller = new AbortController();
  let stoppedBy: keyof typeof SIGNAL_EXIT | undefined;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    // A second signal: leave now. A pass cut off is resumed by the next run from Redis, never sent twice.
    if (stoppedBy) process.exit(SIGNAL_EXIT[signal]);
    stoppedBy = signal;
    say(`${how.head}: ${signal}: stopping at the next batch: a batch being sent is recorded first, none after it is begun (${signal} again to leave now)`);
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let lastJudged: FailoverPassSummary | undefined;
  let result;
  try {
    result = await queue
      .watchFailover({
        ...watch,
        signal: controller.signal,
        onPass: (p) => {
          if (!p.busy) lastJudged = p;
          if (how.json) return void line(io.stdout, JSON.stringify(p));
          if (p.busy) return say(`pass ${p.pass}: another run holds the campaign (for ${p.busy.retryAfterMs} ms more unless it renews): this pass sent nothing; next pass in ${spoken(watch.every)}`);
          const moved = p.moved === 0 ? 'none moved' : `${p.moved} moved (${p.steps.join('; ')}): ${takenOf(p)}`;
          const others = [
            p.resumed.length > 0 && `resumed batch ${p.resumed.join(', ')}`,
            p.takenByAnother.length > 0 && `batch ${p.takenByAnother.join(', ')} moved by another run`,
            p.notStarted.length > 0 && `stopped before batch ${p.notStarted.join(', ')} (nothing of them sent: the next run moves them)`,
          ].filter(Boolean);
          const later = p.done ? 'nothing could move later' : `could move later: ${laterOf(p)}`;
          say(`pass ${p.pass}: ${[moved, ...others, later].join('; ')}`);
        },
      })
      .catch((error: { code?: unknown; reason?: unknown; pass?: unknown; message?: string; cause?: { issues?: Array<{ message: string }> } }) => {
        if (error?.code !== 'failover_watch_failed') throw error;
        if (error.reason === 'validation_error') throw new CliError(`${error.cause?.issues?.map((i) => i.message).join('; ') ?? error.message}`, 2);
        if (error.reason === 'redis_unavailable') return redisFailure(error.cause);
        throw new CliError(`failover_watch_failed (${String(error.reason)}) at pass ${String(error.pass)}: ${error.message ?? ''}`, 1);
      });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  if (!result) throw new CliError(`no campaign ${watch.campaignId} in ${new URL(how.url).host}`, 2);
  const n = result.passes.length;
  if (how.json) line(io.stdout, JSON.stringify({ campaignId: result.campaignId, stopped: result.stopped === 'aborted' ? stoppedBy ?? 'aborted' : 'done', passes: n, moved: result.moved, sent: result.sent, unknown: result.unknown, refused: result.refused }));
  if (result.stopped === 'done') {
    say(`failover of campaign ${result.campaignId} is done after ${n} pass(es): nothing is left that could move; moved ${result.moved}: ${takenOf(result)}`);
    if (result.unknown > 0 || result.refused > 0) io.exitCode = 1;
    return;
  }
  const notDone = lastJudged ? `not done (${laterOf(lastJudged)})` : 'not done (not judged: another run held the campaign at every pass)';
  const cut = result.passes.at(-1)?.notStarted ?? [];
  const where = cut.length > 0 ? `during pass ${n}, before batch ${cut.join(', ')} (nothing of them sent: the next run moves them)` : `between passes after ${n} pass(es)`;
  say(`campaign ${result.campaignId}: stopped by ${stoppedBy ?? 'its signal'} ${where}: ${notDone}; moved ${result.moved}: ${takenOf(result)}`);
  io.exitCode = SIGNAL_EXIT[stoppedBy ?? 'SIGINT'];
}
