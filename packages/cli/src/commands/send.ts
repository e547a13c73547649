import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { countSegments, JournalMismatchError, JournalWriteError, MissingCredentialsError, type SenderFactory } from '@msgkit/core';
import { campaignIdOf, openFileJournal, type CampaignIdentity, type FileJournal } from '@msgkit/journal';
import type { Command } from 'commander';
import { runCampaign, type CampaignSummary } from '../campaign';
import { buildChain, describeChainIssues, planChainArgs } from '../chain';
import { knownCountry } from '../classify';
import { DLR_SECRET_ENV, DLR_TTL_DAYS, planDlr } from '../dlrUrl';
import { parseDuration, planMoves, type MovePlan, type MoveRules } from '../failoverPlan';
import { CliError, line, type Io } from '../io';
import { checkResultsPath, type ProtectedFile } from '../outputPath';
import { checkPersonalization, failureMessage, personalization } from '../personalize';
import { openRecipientsFile, type RecipientsFile } from '../recipients';
import { campaignTag, RESULT_COLUMNS, ResultsWriter } from '../results';
import { optionFlags, SENDER_NAMES, sendersHelp } from '../senders';
import { dryRun } from './sendDryRun';
import { report } from './sendReport';
import { sourceRows } from './shared';

export interface SendOptions {
  provider: string;
  from?: string;
  to?: string[];
  toFile?: string;
  column?: string;
  text: string;
  dryRun?: boolean;
  baseUrl: string[];
  timeout?: string;
  retries?: string;
  country?: string;
  allowLandline?: boolean;
  batchSize?: string;
  concurrency?: string;
  journal?: string;
  campaignId?: string;
  resendUnknown?: boolean;
  results?: string;
  dlrUrl?: string;
  failoverOnReport?: boolean;
  failoverAfterNoReport?: string;
  json?: boolean;
  [vendorOption: string]: unknown;
}

/** Exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
export const INTERRUPTED = 130;

const positiveInt = (value: string | undefined, name: string, fallback: number, problems: string[]): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1) return n;
  problems.push(`--${name} must be a positive whole number, got "${value}"`);
  return fallback;
};

/** A digest of the recipient input (file bytes and --to numbers), streamed: part of the journal's identity. */
async function inputDigest(args: string[], file: string | undefined): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(args));
  if (file) for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `msgkit send`. `factories` is the one list of senders, loaded when the command line asks for
 * `send` (see program.ts); without it the command is listed, with msgkit's own flags only.
 */
export function sendCommand(program: Command, io: Io, factories?: SenderFactory[]): void {
  const command = program
    .command('send')
    .description('send one text to many recipients through a provider, or a chain of providers tried in order (-p a,b); with --journal a killed run resumes without sending twice')
    .requiredOption('-p, --provider <names>', `one of ${SENDER_NAMES.join(', ')}; several, comma-separated (-p smsworks,smscx), are tried in that order: a recipient moves on only when a vendor proves it sent nothing`)
    .option('--from <sender>', 'sender ID or number (at infobip the OMNI scenario names it: see --infobip-from)')
    .option('--to <numbers...>', 'recipients')
    .option('--to-file <path>', 'recipients from a CSV (`,` `;` or tab; a phone column, optional country column) or one number per line')
    .option('--column <name>', 'the phone column of --to-file (a header name, or a 1-based number for a file without header)')
    .requiredOption('--text <text>', 'message text')
    .option('--dry-run', 'validate for every provider of the chain and report segments and recipients; send nothing (no credentials needed)')
    .option('--base-url <[provider=]url>', "a vendor API's base URL (e.g. the sandbox's); with a chain, one provider=url per provider (repeatable)", collect, [])
    .option('--timeout <seconds>', "how long one request may take; after it the outcome is unknown (default: each client's own, 30 s)")
    .option('--retries <n>', "how often a client retries what its vendor deduplicates (default: each client's own)")
    .option(
      '--dlr-url <url>',
      `with --journal: the public URL of \`msgkit webhooks serve --journal\` the vendors post delivery reports to; each batch gets it signed with ${DLR_SECRET_ENV} for each provider of the chain (provider, campaign, batch, ${DLR_TTL_DAYS}-day expiry)`,
    )
    .option('-c, --country <XX>', 'ISO 3166 country for numbers in national format (none is assumed otherwise)')
    .option('--allow-landline', 'send to numbers whose type is not mobile too (landline, VoIP, toll-free, …); they are refused as not_mobile otherwise')
    .option('--batch-size <n>', "recipients per request (default: the smallest maximum of the chain's providers)")
    .option('--concurrency <n>', 'requests in flight at once', '2')
    .option('--journal <file>', 'record every attempt before it is sent and its outcome after; run the same command again to resume')
    .option('--campaign-id <id>', 'with --journal: the campaign id the vendor dedupe keys derive from (default: derived from the content)')
    .option('--resend-unknown', 'with --journal: resend recipients whose outcome is unknown at vendors that cannot deduplicate (The SMS Works, Infobip): may bill twice')
    .option(
      '--failover-on-report',
      'with --journal and a chain: recipients a provider sent whose final delivery report in the journal says undelivered, expired or failed (not rejected, not permanent) are sent once through the next provider',
    )
    .option(
      '--failover-after-no-report <duration>',
      'with --journal, --dlr-url and a chain: recipients a provider sent with no final delivery report after <duration> (30m, 2h; no default) are sent through the next provider; one may get the message twice: msgkit report counts every late delivered report',
    )
    .option(
      '--results <file.csv>',
      "write one row per input row, in input order: row, input, e164, status (sent/invalid/refused/unknown/duplicate), provider, vendor_id, error, tries, type, campaign, then the input file's own columns",
    )
    .option('--json', 'print the summary as JSON');
  const ownFlags = new Set(command.options.map((o) => o.long!.slice(2)));
  if (factories) {
    const { flags, bare } = optionFlags(factories, ownFlags);
    for (const f of flags) command.option(`--${f.long} <value>`, `${f.sender} only${f.fact.required ? ', required' : ''}: ${f.fact.values ? `${f.fact.values.join(' or ')}: ` : ''}${f.fact.what}`);
    for (const [name, list] of bare) command.option(`--${name} <value>`, `the ${name} of every provider of the chain that has one (${list.map((f) => f.sender).join(', ')}); same as --${list.map((f) => f.long).join(' / --')}`);
  }
  command.addHelpText(
    'after',
    () =>
      `\nProviders: their facts and the credentials each reads from the environment:\n${factories ? sendersHelp(factories) : '  (run msgkit send --help)'}\n\n` +
      'Failover: with -p a,b,c a recipient goes to the next provider only when the one before proved it sent nothing (credentials\n' +
      'refused, no route, invalid number, no credit, connection refused before sending, its own rules); a timeout, a 5xx, a 429 or\n' +
      'an unreadable answer leaves it unknown where it is, never sent twice. The message is checked for every provider first.\n' +
      'After sending, only when asked: --failover-on-report sends a recipient whose provider reported a final undelivered,\n' +
      'expired or failed (not rejected, not permanent) once through the next provider; --failover-after-no-report <duration>\n' +
      'does so when no final report came within it (a late delivered report then means twice: msgkit report counts them).\n\n' +
      'Resuming: with --journal, Ctrl-C (or a crash) leaves the journal consistent; the same command sends only what was not sent,\n' +
      'each chain going on where it stopped. Unknown attempts at SMS.CX and Octopush are resent with the same dedupe key (the\n' +
      'vendor drops the duplicate); at The SMS Works and Infobip not unless --resend-unknown. `msgkit report <journal>` prints totals.\n' +
      'Exit codes: 0 all sent, 1 something not sent or invalid, 2 usage error, 130 interrupted (run the same command to resume).',
  );
  command.action(async (options: SendOptions) => {
    // What is sent is not the pipe's to decide: a reader leaving early loses the summary, not the campaign.
    io.whenStdoutCloses = 'carry-on';
    await send(io, options, factories!, ownFlags);
  });
}

async function send(io: Io, options: SendOptions, factories: SenderFactory[], ownFlags: ReadonlySet<string>): Promise<void> {
  const plan = planChainArgs(
    { provider: options.provider, text: options.text, baseUrl: options.baseUrl, flags: options, ...pick(options, ['from', 'timeout', 'retries', 'dlrUrl']) },
    factories,
    io.env,
    { reference: options.journal !== undefined, ownFlags },
  );
  const problems = [...plan.problems];
  if (!options.to?.length && !options.toFile) problems.push('give recipients with --to or --to-file');
  const batchSize = positiveInt(options.batchSize, 'batch-size', plan.maxBatch, problems);
  const smallest = plan.factories.reduce<SenderFactory | undefined>((min, f) => (min && min.maxRecipients <= f.maxRecipients ? min : f), undefined);
  if (smallest && batchSize > plan.maxBatch) problems.push(`--batch-size ${batchSize} is over ${smallest.name}'s maximum of ${smallest.maxRecipients} per request`);
  const concurrency = positiveInt(options.concurrency, 'concurrency', 2, problems);
  const country = options.country?.toUpperCase();
  if (country !== undefined && !knownCountry(country)) problems.push(`--country ${options.country}: not an ISO 3166 country code msgkit knows`);
  if (!options.journal && (options.resendUnknown || options.campaignId)) problems.push('--resend-unknown and --campaign-id need --journal');
  const moveRules = moveRulesOf(options, plan.factories.length, problems);
  const dlr = options.dlrUrl === undefined ? undefined : planDlr(options.dlrUrl, plan.factories, io.env[DLR_SECRET_ENV], options.journal !== undefined || options.dryRun === true);
  if (dlr) problems.push(...dlr.problems);
  if (!options.dryRun) {
    for (const [name, missing] of Object.entries(plan.missing)) problems.push(`${name} needs ${missing.join(' and ')} in the environment (see msgkit send --help)`);
    const issues = describeChainIssues(plan.issues, factories, ownFlags);
    if (issues.length > 0) problems.push(`the chain ${plan.factories.map((f) => f.name).join(', ')} cannot carry this message; nothing was sent:`, ...issues.map((i) => `  ${i}`));
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'), 2);

  const file = options.toFile ? await openRecipientsFile(options.toFile, options.column) : undefined;
  const personal = personalization(options.text, file, options.to ?? []);
  const segments = countSegments(options.text);
  const moves = moveRules && options.journal ? await planMoves(options.journal, plan.factories.map((f) => f.name), moveRules) : undefined;
  if (moves) sayMoves(io, options, moveRules!, moves);
  if (options.dryRun) return dryRun(io, options, plan, file, { segments, country, batchSize, ...(personal && { personal }) });

  let chain;
  try {
    chain = buildChain(plan, io.env);
  } catch (error) {
    if (error instanceof MissingCredentialsError) throw new CliError(`${error.message} (see msgkit send --help)`, 2);
    throw error;
  }
  const names = chain.map((s) => s.name);
  const progress = (text: string) => line(io.stderr, text);

  // Every row is filled once before anything is sent: a row that cannot be is refused with the campaign.
  const check = personal && file ? await checkPersonalization(file, personal) : undefined;
  if (check && check.failed > 0) {
    for (const { row, failure } of check.failures) line(io.stderr, `msgkit: ${failureMessage(row, failure)}`);
    if (check.failed > check.failures.length) line(io.stderr, `msgkit: … and ${check.failed - check.failures.length} more rows`);
    throw new CliError(`${check.failed} row(s) cannot be personalized; nothing was sent`);
  }
  if (personal) progress('personalized text: each recipient gets its own text, one request per recipient');
  let identity: CampaignIdentity | undefined;
  if (options.journal || options.results) {
    identity = {
      // The chain in its order: another order is another campaign, with other keys.
      provider: names.join(','),
      sender: options.from ?? '',
      text: options.text,
      options: {
        batchSize,
        country,
        column: options.column,
        baseUrl: Object.keys(plan.baseUrls).length > 0 ? JSON.stringify(plan.baseUrls) : undefined,
        vendorOptions: plan.message.options ? JSON.stringify(plan.message.options) : undefined,
        dlrUrl: options.dlrUrl,
        // Every row's own text, where the text is personalized: a value changed is another campaign.
        texts: check?.digest,
      },
      recipients: await inputDigest(options.to ?? [], options.toFile),
    };
  }
  // Checked before the journal is opened or anything is sent: an output never overwrites an input.
  let resultsTarget: string | undefined;
  const tag = identity && campaignTag(`${options.campaignId ?? ''}:${campaignIdOf(identity)}`);
  if (options.results) {
    const inputs: ProtectedFile[] = [
      ...(options.toFile ? [{ path: options.toFile, what: 'the recipient list' }] : []),
      ...(options.journal ? [{ path: options.journal, what: 'the journal' }, { path: `${options.journal}.lock`, what: "the journal's lock" }] : []),
    ];
    resultsTarget = checkResultsPath(options.results, inputs, tag!);
  }

  let journal: FileJournal | undefined;
  if (options.journal) {
    try {
      journal = await openFileJournal(options.journal, identity!, {
        chain: names,
        ...(options.campaignId && { campaignId: options.campaignId }),
        onWaiting: (pid) => progress(`msgkit: waiting for the delivery-report receiver (process ${pid}) to finish writing into ${options.journal}`),
      });
    } catch (error) {
      if (error instanceof JournalMismatchError) throw new CliError(`refusing to resume: ${error.message}`);
      if (error instanceof JournalWriteError) throw new CliError(`the journal ${options.journal} could not be written (${error.systemCode ?? error.message}); nothing was sent`);
      throw new CliError(`cannot use the journal ${options.journal}: ${(error as Error).message}`);
    }
    if (journal.begunBatches > 0) progress(`resuming campaign ${journal.campaignId} from ${options.journal}: ${journal.begunBatches} batches were begun by an earlier run`);
  }

  let results: ResultsWriter | undefined;
  if (resultsTarget) {
    try {
      results = new ResultsWriter(resultsTarget, inputColumns(file), tag!);
    } catch (error) {
      await journal?.close();
      throw new CliError(`${(error as Error).message}; nothing was sent`);
    }
  }
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    // A second Ctrl-C: leave now. The journal is consistent at every instant, so nothing is lost.
    if (interrupted) process.exit(INTERRUPTED);
    interrupted = true;
    progress('interrupted: starting no more batches, waiting for those in flight (Ctrl-C again to leave now)');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  let summary: CampaignSummary | undefined;
  const signing = journal ? dlr?.signing : undefined;
  const callbacks = signing && journal ? signing.callbacks(journal.campaignId) : undefined;
  if (signing && journal && !options.json) {
    line(io.stdout, `delivery reports: to ${signing.where}, signed for campaign ${journal.campaignId}, per provider (${names.join(', ')}), until ${signing.expiresAt.toISOString()} (msgkit webhooks serve --journal ${options.journal} takes them)`);
  }
  try {
    summary = await runCampaign({
      chain,
      message: plan.message,
      rows: sourceRows(options.to ?? [], file),
      country,
      allowLandline: options.allowLandline === true,
      // A personalized text is one request per recipient: each carries its own text.
      batchSize: personal ? 1 : batchSize,
      ...(personal && { textOf: personal.fill }),
      concurrency,
      ...(journal && { journal }),
      resendUnknown: options.resendUnknown === true,
      ...(moves && moves.total > 0 && { moveOn: (index: number) => moves.byBatch.get(index) }),
      ...(callbacks && { callbacks }),
      ...(results && { results }),
      controller,
      progress,
    });
  } finally {
    process.off('SIGINT', onSigint);
    // A run that failed unexpectedly would leave rows out: the previous results file then stays as it was.
    if (summary) results?.finish();
    else results?.discard();
    await journal?.close();
  }
  // The results file is written last: a failure there is reported like any other stop.
  if (results?.failure) summary.stoppedBy ??= results.failure;
  report(io, options, chain, summary, { segments, personalized: personal !== undefined, country, interrupted, journal: options.journal, results: options.results });
}

/** The failover after sending the command line asks for, by name; every misuse is a problem (exit 2). */
function moveRulesOf(options: SendOptions, chainLength: number, problems: string[]): MoveRules | undefined {
  const timer = options.failoverAfterNoReport;
  if (!options.failoverOnReport && timer === undefined) return undefined;
  const flags = [options.failoverOnReport && '--failover-on-report', timer !== undefined && '--failover-after-no-report'].filter(Boolean).join(' and ');
  if (!options.journal) problems.push(`${flags} need --journal: the recipients that move are read from the journal's delivery reports`);
  if (chainLength < 2) problems.push(`${flags} need a chain of at least two providers (-p a,b): there is no next provider to move to`);
  const timerMs = timer === undefined ? undefined : parseDuration(timer);
  if (timer !== undefined && timerMs === undefined) problems.push(`--failover-after-no-report ${timer}: give a duration with its unit, e.g. 30m, 2h, 90s, 1d`);
  // Without reports every recipient would time out and be sent twice.
  if (timer !== undefined && options.dlrUrl === undefined) problems.push('--failover-after-no-report needs --dlr-url: without delivery reports every recipient would be sent again');
  return { onReport: options.failoverOnReport === true, ...(timerMs !== undefined && { timerMs }) };
}

/** What the failover after sending will do, said before anything is sent (on stderr with --json). */
function sayMoves(io: Io, options: SendOptions, rules: MoveRules, moves: MovePlan): void {
  const out = options.json ? io.stderr : io.stdout;
  const how = [
    rules.onReport && 'on a final undelivered, expired or failed delivery report (--failover-on-report)',
    rules.timerMs !== undefined && `after no final delivery report within ${options.failoverAfterNoReport} (--failover-after-no-report; a late delivered report means the recipient got it twice, and msgkit report counts each)`,
  ].filter(Boolean);
  line(out, `failover after sending: a recipient a provider sent moves to the next provider ${how.join(', or ')}`);
  line(out, moves.total === 0 ? `  none moves now (from the journal ${options.journal})` : `  ${moves.total} recipient(s) ${options.dryRun ? 'would move' : 'move'} now: ${moves.steps.join('; ')}`);
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]])) as Partial<Pick<T, K>>;
}

/** The input file's own columns for the results file (none for a one-column file without header: its cell is `input`). */
function inputColumns(file: RecipientsFile | undefined): string[] {
  if (!file || (!file.layout.header && file.layout.columns.length <= 1)) return [];
  return file.layout.columns.map((name) => (RESULT_COLUMNS.includes(name) ? `${name} (input)` : name));
}
