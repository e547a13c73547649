import { createHash } from 'node:crypto';
import { MissingCredentialsError, type CampaignSender } from '@msgkit/core';
import { reopenFileJournal } from '@msgkit/journal';
import { reconcile, type ReconcileSummary } from '@msgkit/webhooks';
import type { Command } from 'commander';
import { parseBaseUrls } from '../chain';
import { JournalStates } from '../deliveryStates';
import { CliError, line, type Io } from '../io';
import { connectTimeoutMs, loadQueue, redisFailure, redisUrl } from './campaign';
import { SENDERS } from '../senders';
import { renderTable } from '../table';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** `15m`, `2h`, `90s` or a number of minutes, as milliseconds. */
export function parseHorizon(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!match) throw new CliError(`--horizon must be a duration such as 15m, 2h or 90s, got "${value}"`, 2);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'm') as 's' | 'm' | 'h'];
}

interface ReconcileCliOptions {
  horizon: string;
  baseUrl: string[];
  from?: string;
  text?: string;
  redis?: string;
  campaign?: string;
  prefix?: string;
  connectTimeout?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function reconcileCommand(program: Command, io: Io): void {
  program
    .command('reconcile')
    .description("ask each provider of the journal what became of every batch of unknown outcome and every message without a final state, and record each answer with its proof in the journal")
    .argument('[journal]', 'the journal file (msgkit send --journal); or a queue campaign: --campaign (and --redis)')
    .requiredOption('--horizon <duration>', 'ask only about sends older than this (15m, 2h): a younger one may still get its answer or report')
    .option('--base-url <[provider=]url>', "a vendor API's base URL (Infobip: your account host; the sandbox's in tests); with a chain, one provider=url per provider (repeatable)", collect, [])
    .option('--from <sender>', 'the sender id the campaign was sent with (checked against the journal): The SMS Works is searched by it')
    .option('--text <text>', 'the text the campaign sent (checked against the journal): The SMS Works is searched by it')
    .option('--campaign <id>', 'a queue campaign (@msgkit/queue) instead of a journal: asked about in its Redis, answers recorded there')
    .option('--redis <url>', `with --campaign: the Redis URL (default: MSGKIT_REDIS_URL, else redis://127.0.0.1:6379)`)
    .option('--prefix <prefix>', "with --campaign: the key prefix it was enqueued with (default: the queue's own)")
    .option('--connect-timeout <seconds>', 'with --campaign: how long connecting to Redis may take before exit 1 (default 10)')
    .action(async (path: string | undefined, options: ReconcileCliOptions) => {
      const horizon = parseHorizon(options.horizon);
      if ((path === undefined) === (options.campaign === undefined)) throw new CliError('give a journal file, or --campaign <id> of a queue campaign: one of them', 2);
      if (options.campaign !== undefined) return reconcileQueueCampaign(options.campaign, options, horizon, io);
      if (options.redis !== undefined) throw new CliError('--redis goes with --campaign: a journal keeps its own answers', 2);
      const file = path!;
      const journal = await reopenFileJournal(file).catch((error: NodeJS.ErrnoException) => {
        if (error instanceof Error && error.name === 'JournalLockedError') throw new CliError(error.message);
        throw new CliError(`cannot open the journal ${file}: ${error.code ?? error.message}`, error.code === 'ENOENT' ? 2 : 1);
      });
      try {
        const states = await JournalStates.read(file, journal);
        const { header } = states;
        // The journal keeps hashes only: what is given must be what was sent, or the search would find another campaign's messages.
        if (options.from !== undefined && sha256(options.from) !== header.parts.sender) throw new CliError(`--from is not the sender this journal's campaign was sent with`, 2);
        if (options.text !== undefined && sha256(options.text) !== header.parts.text) throw new CliError(`--text is not the text this journal's campaign sent`, 2);
        if (options.text !== undefined) states.message = { text: options.text, ...(options.from !== undefined && { from: options.from }) };
        // A chain's journal records the provider of every attempt: each recipient is asked about where it stands.
        const providers = header.chain ?? [header.provider];
        const unknown = providers.filter((p) => !(p in SENDERS));
        if (unknown.length > 0) throw new CliError(`the journal's provider ${unknown.join(', ')} is not one msgkit can ask`);
        const problems: string[] = [];
        const urls = parseBaseUrls(options.baseUrl, providers, `this journal's chain (${providers.join(', ')})`, problems);
        if (problems.length > 0) throw new CliError(problems.join('\n'), 2);
        const senders: Record<string, CampaignSender> = {};
        for (const name of providers) {
          // Loaded on demand, like send's: only the journal's vendors are imported.
          const factory = await SENDERS[name as keyof typeof SENDERS]();
          try {
            senders[name] = factory.fromEnv(io.env, { ...(urls[name] !== undefined && { baseUrl: urls[name] }) });
          } catch (error) {
            if (error instanceof MissingCredentialsError) throw new CliError(error.message, 2);
            throw error;
          }
        }
        const pace = (name: string) => {
          const lookup = senders[name]!.statusLookup;
          const limit = lookup ? lookup.rateLimit : undefined;
          return limit ? `at most ${limit.requests} requests per ${limit.periodSeconds} s (${limit.published ? "the vendor's published limit" : 'a pace msgkit decided: the vendor publishes none'})` : undefined;
        };
        const noRead = (name: string) => `${name} has no read of a send's state`;
        if (providers.length === 1) {
          const [name] = providers as [string];
          line(io.stdout, `campaign ${header.campaignId} (${name}): asking about sends older than ${options.horizon}` + (pace(name) ? `, ${pace(name)}` : `: ${noRead(name)}`));
        } else {
          line(io.stdout, [`campaign ${header.campaignId} (${providers.join(' → ')}): asking each provider about its sends older than ${options.horizon}`, ...providers.map((name) => `  ${name}: ${pace(name) ?? noRead(name)}`)].join('\n'));
        }
        const summary = await reconcile({ store: states, senders, horizons: Object.fromEntries(providers.map((p) => [p, horizon])) });
        printSummary(summary, providers, `in ${file}`, io);
      } finally {
        await journal.close();
      }
    });
}

/** The answers per provider as a table, the requests made, and what is still unknown (exit 1). */
function printSummary(summary: ReconcileSummary, providers: readonly string[], where: string, io: Io): void {
  const rows = providers.flatMap((name) => {
    const s = summary.senders[name]!;
    const who = providers.length > 1 ? `${name}: ` : '';
    return [
      [`${who}batches (recipients)`, s.batches.recipients, s.batches.sent, s.batches.notSent, '', '', s.batches.unknown],
      [`${who}messages`, s.messages.looked, '', '', s.messages.final, s.messages.notFinal, s.messages.unknown],
    ];
  });
  line(io.stdout, renderTable(['looked up', 'count', 'sent', 'not sent (resendable)', 'final', 'not final', 'unknown'], rows));
  const requests = providers.reduce((n, name) => n + summary.senders[name]!.requests, 0);
  line(io.stdout, `${requests} requests, ${summary.records} answer(s) recorded ${where} with their proof`);
  const reasons = new Map<string, number>();
  for (const name of providers) for (const [reason, n] of Object.entries(summary.senders[name]!.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
  if (reasons.size > 0) {
    line(io.stdout, `still unknown: ${[...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
    io.exitCode = 1;
  }
}

/** `msgkit reconcile --campaign`: a queue campaign, asked about and recorded in its Redis. */
async function reconcileQueueCampaign(campaignId: string, options: ReconcileCliOptions, horizon: number, io: Io): Promise<void> {
  if (options.from !== undefined || options.text !== undefined) throw new CliError("--from and --text are for a journal: a queue campaign's jobs hold what was sent", 2);
  const url = redisUrl(options.redis, io);
  const timeout = connectTimeoutMs(options.connectTimeout);
  const queue = await loadQueue();
  const where = { ...(options.prefix !== undefined && { prefix: options.prefix }), ...(timeout !== undefined && { connectTimeoutMs: timeout }) };
  const status = await queue.campaignStatus(url, campaignId, where).catch(redisFailure);
  if (!status) throw new CliError(`no campaign ${campaignId} in ${new URL(url).host}`, 2);
  // A chain campaign names its vendors in the order tried: each is asked about the recipients it holds.
  const providers = status.chain ?? [status.provider];
  for (const name of providers) if (!(name in SENDERS)) throw new CliError(`the campaign's provider ${name} is not one msgkit can ask`);
  const problems: string[] = [];
  const urls = parseBaseUrls(options.baseUrl, providers, status.chain ? `this campaign's chain (${providers.join(', ')})` : `this campaign's provider (${providers[0]})`, problems);
  if (problems.length > 0) throw new CliError(problems.join('\n'), 2);
  const senders: CampaignSender[] = [];
  for (const name of providers) senders.push(await senderFromEnv(name, urls[name], io));
  const noRead = (name: string) => `${name} has no read of a send's state`;
  if (!status.chain) {
    const sender = senders[0]!;
    line(io.stdout, `campaign ${campaignId} (${sender.name}, queue): asking about sends older than ${options.horizon}` + (pace(sender) ? `, ${pace(sender)}` : `: ${noRead(sender.name)}`));
  } else {
    line(io.stdout, [`campaign ${campaignId} (${providers.join(' → ')}, queue): asking each provider about its sends older than ${options.horizon}`, ...senders.map((s) => `  ${s.name}: ${pace(s) ?? noRead(s.name)}`)].join('\n'));
  }
  const asked = { connection: url, campaignId, horizonMs: horizon, ...where };
  const summary = await queue.reconcileCampaign(status.chain ? { ...asked, senders } : { ...asked, sender: senders[0]! }).catch(redisFailure);
  if (!summary) throw new CliError(`no campaign ${campaignId} in ${new URL(url).host}`, 2);
  printSummary(summary, providers, `in Redis at ${new URL(url).host}`, io);
}

/** A provider's campaign sender from its credentials in the environment (exit 2 without them). */
export async function senderFromEnv(name: string, baseUrl: string | undefined, io: Io): Promise<CampaignSender> {
  // Loaded on demand, like send's: only the campaign's vendors are imported.
  const factory = await SENDERS[name as keyof typeof SENDERS]();
  try {
    return factory.fromEnv(io.env, { ...(baseUrl !== undefined && { baseUrl }) });
  } catch (error) {
    if (error instanceof MissingCredentialsError) throw new CliError(error.message, 2);
    throw error;
  }
}

/** The pace a sender's lookups are held to, and whose it is. */
function pace(sender: CampaignSender): string | undefined {
  const limit = sender.statusLookup ? sender.statusLookup.rateLimit : undefined;
  return limit ? `at most ${limit.requests} requests per ${limit.periodSeconds} s (${limit.published ? "the vendor's published limit" : 'a pace msgkit decided: the vendor publishes none'})` : undefined;
}
