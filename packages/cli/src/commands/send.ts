import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { countSegments, JournalMismatchError, JournalWriteError, ValidationError } from '@msgkit/core';
import { campaignIdOf, openFileJournal, type CampaignIdentity, type FileJournal } from '@msgkit/journal';
import { createCallbackUrl } from '@msgkit/webhooks';
import type { Command } from 'commander';
import { InputReadError, runCampaign, type CampaignSummary } from '../campaign';
import { Classifier, knownCountry } from '../classify';
import { describeError } from '../errors';
import { CliError, line, type Io } from '../io';
import { checkResultsPath, type ProtectedFile } from '../outputPath';
import { missingCredentials, PROVIDERS, providerHelp, type Callback, type Message, type Provider, type ProviderName } from '../providers';
import { checkPersonalization, failureMessage, personalization } from '../personalize';
import { openRecipientsFile, RecipientsFileError, type RecipientsFile, type Row } from '../recipients';
import { campaignTag, RESULT_COLUMNS, ResultsWriteError, ResultsWriter } from '../results';
import { renderTable } from '../table';
import { countryNote, landlineNote, progressLine, readSoFar, sourceBatches, sourceRows } from './shared';

interface SendOptions {
  provider: string;
  from?: string;
  to?: string[];
  toFile?: string;
  column?: string;
  text: string;
  type?: string;
  dryRun?: boolean;
  baseUrl?: string;
  country?: string;
  allowLandline?: boolean;
  batchSize?: string;
  concurrency?: string;
  journal?: string;
  campaignId?: string;
  resendUnknown?: boolean;
  results?: string;
  dlrUrl?: string;
  json?: boolean;
}

/** Exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it. */
export const INTERRUPTED = 130;
const OCTOPUSH_TYPES = ['sms_premium', 'sms_low_cost'];
/** Where `--dlr-url` reads the secret its callback URLs are signed with (the default of `msgkit webhooks serve --secret-env`). */
const DLR_SECRET_ENV = 'MSGKIT_WEBHOOK_SECRET';
/** How long a send's callback URLs are taken (createCallbackUrl's default): reports come within days, not weeks. */
const DLR_TTL_DAYS = 14;

const positiveInt = (value: string | undefined, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive whole number, got "${value}"`, 2);
  return n;
};

/** A digest of the recipient input (file bytes and --to numbers), streamed: part of the journal's identity. */
async function inputDigest(args: string[], file: string | undefined): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(args));
  if (file) for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sendCommand(program: Command, io: Io): void {
  program
    .command('send')
    .description('send one text to many recipients through a provider, in batches; with --journal a killed run resumes without sending twice')
    .requiredOption('-p, --provider <name>', `one of ${Object.keys(PROVIDERS).join(', ')}`)
    .option('--from <sender>', 'sender ID or number (not for infobip: its sender is set in the OMNI scenario)')
    .option('--to <numbers...>', 'recipients')
    .option('--to-file <path>', 'recipients from a CSV (`,` `;` or tab; a phone column, optional country column) or one number per line')
    .option('--column <name>', 'the phone column of --to-file (a header name, or a 1-based number for a file without header)')
    .requiredOption('--text <text>', 'message text')
    .option('--type <type>', `octopush only, required: ${OCTOPUSH_TYPES.join(' or ')} (price and sender rules differ)`)
    .option('--dry-run', 'validate and report segments and recipients; send nothing (no credentials needed)')
    .option('--base-url <url>', "the vendor API's base URL (e.g. the sandbox's)")
    .option('-c, --country <XX>', 'ISO 3166 country for numbers in national format (none is assumed otherwise)')
    .option('--allow-landline', 'send to numbers whose type is not mobile too (landline, VoIP, toll-free, …); they are refused as not_mobile otherwise')
    .option('--batch-size <n>', "recipients per request (default: the vendor's maximum)")
    .option('--concurrency <n>', 'requests in flight at once', '2')
    .option('--journal <file>', 'record every batch before it is sent and its outcome after; run the same command again to resume')
    .option('--campaign-id <id>', 'with --journal: the campaign id the vendor dedupe keys derive from (default: derived from the content)')
    .option('--resend-unknown', 'with --journal: resend batches whose outcome is unknown at vendors that cannot deduplicate (The SMS Works, Infobip): may bill twice')
    .option('--results <file.csv>', 'write one row per input row, in input order: row, input, e164, status (sent/invalid/refused/unknown/duplicate), vendor_id, error, type, campaign, then the input file\'s own columns')
    .option('--dlr-url <url>', `with --journal: the public URL of \`msgkit webhooks serve --journal\` the vendor posts delivery reports to; each batch gets it signed with ${DLR_SECRET_ENV} (campaign, batch, ${DLR_TTL_DAYS}-day expiry)`)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `\nCredentials are read from the environment:\n${providerHelp()}\n\n` +
        'Resuming: with --journal, Ctrl-C (or a crash) leaves the journal consistent; the same command sends only what was\n' +
        'not sent. SMS.CX and Octopush batches of unknown outcome are resent with the same dedupe key (the vendor drops the\n' +
        'duplicate); The SMS Works and Infobip ones are not resent unless --resend-unknown. `msgkit report <journal>` prints totals.\n' +
        'Exit codes: 0 all sent, 1 something not sent or invalid, 2 usage error, 130 interrupted (run the same command to resume).',
    )
    .action(async (options: SendOptions) => {
      // What is sent is not the pipe's to decide: a reader leaving early loses the summary, not the campaign.
      io.whenStdoutCloses = 'carry-on';
      const provider = PROVIDERS[options.provider as ProviderName];
      if (!provider) throw new CliError(`unknown provider "${options.provider}"; use one of ${Object.keys(PROVIDERS).join(', ')}`, 2);
      if (provider.name === 'infobip' && options.from) {
        throw new CliError('infobip takes its sender from the OMNI scenario (INFOBIP_SCENARIO_KEY), not --from: set it in the scenario and leave --from out', 2);
      }
      if (!options.from && provider.name !== 'infobip') throw new CliError(`${provider.name} needs a sender: --from`, 2);
      if (provider.name === 'octopush' && !OCTOPUSH_TYPES.includes(options.type ?? '')) {
        throw new CliError(`octopush needs --type ${OCTOPUSH_TYPES.join(' or ')} (they differ in price and sender rules; none is assumed)`, 2);
      }
      if (provider.name !== 'octopush' && options.type) throw new CliError(`--type is for octopush only`, 2);
      if (!options.to?.length && !options.toFile) throw new CliError('give recipients with --to or --to-file', 2);
      const batchSize = positiveInt(options.batchSize, 'batch-size', provider.maxRecipients);
      if (batchSize > provider.maxRecipients) throw new CliError(`--batch-size ${batchSize} is over ${provider.name}'s maximum of ${provider.maxRecipients} per request`, 2);
      const concurrency = positiveInt(options.concurrency, 'concurrency', 2);
      const country = options.country?.toUpperCase();
      if (country !== undefined && !knownCountry(country)) throw new CliError(`--country ${options.country}: not an ISO 3166 country code msgkit knows`, 2);
      if (!options.journal && (options.resendUnknown || options.campaignId)) throw new CliError('--resend-unknown and --campaign-id need --journal', 2);
      const dlr = options.dlrUrl === undefined ? undefined : dlrSettings(provider, options.dlrUrl, io.env[DLR_SECRET_ENV], options.journal !== undefined || options.dryRun === true);

      const file = options.toFile ? await openRecipientsFile(options.toFile, options.column) : undefined;
      const rows = () => sourceRows(options.to ?? [], file);
      const personal = personalization(options.text, file, options.to ?? []);
      const segments = countSegments(options.text);
      // A dry run sends nothing, so it needs no credentials: the client checks the request with stand-ins.
      const client = await provider.create(io.env, options.baseUrl, { dryRun: options.dryRun === true });
      let message: Message = { ...(options.from && { from: options.from }), text: options.text, ...(options.type && { type: options.type }) };
      const say = (text: string) => !options.json && line(io.stdout, text);
      const progress = progressLine(io);

      if (options.dryRun) {
        const classifier = new Classifier(country, { allowLandline: options.allowLandline === true });
        const { tally } = classifier;
        const firstBatch: string[] = [];
        const invalid: Array<{ row: string; input: string; code: string; type?: string }> = [];
        const perRow = { total: 0, min: Infinity, max: 0 };
        const timer = setInterval(() => progress(`reading: ${readSoFar(tally.rows, file)}`), 1000);
        timer.unref();
        for await (const batch of sourceBatches(options.to ?? [], file)) {
          for (const row of batch) {
            const r = classifier.classify(row);
            const text = personal?.fill(row);
            if (text !== undefined && typeof text !== 'string') {
              if (invalid.length < 20) invalid.push({ row: rowLabel(r), input: r.input, code: failureMessage(row, text) });
              tally.invalid++;
              if (r.status === 'valid') tally.valid--;
              continue;
            }
            if (r.status === 'valid' && text !== undefined) {
              const count = countSegments(text).segments;
              perRow.total += count;
              perRow.min = Math.min(perRow.min, count);
              perRow.max = Math.max(perRow.max, count);
              if (firstBatch.length === 0) message = { ...message, text };
            }
            if (r.status === 'valid' && firstBatch.length < (personal ? 1 : batchSize)) firstBatch.push(r.e164!);
            if (r.status === 'invalid' && invalid.length < 20) invalid.push({ row: rowLabel(r), input: r.input, code: r.code!, ...(r.type && { type: r.type }) });
          }
        }
        clearInterval(timer);
        progress(`reading: ${tally.rows} rows`);
        const missing = missingCredentials(provider, io.env, options.baseUrl);
        say(`${provider.name}: ${tally.rows} inputs -> ${tally.valid} recipients (${tally.duplicates} duplicates, ${tally.invalid} invalid); ${countryNote(country, tally)}`);
        say(`numbers: ${landlineNote(tally, options.allowLandline)}`);
        if (personal) say(`text: personalized, each row counted with its own text: ${perRow.total} segments in all (${tally.valid > 0 ? `${perRow.min} to ${perRow.max}` : 'none'} per recipient); one request per recipient`);
        else say(`text: ${segments.encoding}, ${segments.units} units, ${segments.segments} segment(s) each, ${segments.segments * tally.valid} segments in all`);
        for (const bad of invalid) say(`  invalid row ${bad.row} "${bad.input}": ${bad.code}${bad.type ? ` (${bad.type})` : ''}`);
        if (tally.invalid > invalid.length) say(`  … and ${tally.invalid - invalid.length} more invalid`);
        if (missing.length > 0) say(`credentials: ${missing.join(' and ')} not set; a dry run needs none, a real send does`);
        if (tally.invalid > 0) io.exitCode = 1;
        const base = {
          provider: provider.name,
          inputs: tally.rows,
          recipients: tally.valid,
          duplicates: tally.duplicates,
          invalid: tally.invalid,
          notMobile: tally.notMobile,
          invalidRows: invalid,
          ...(personal ? { personalized: true, segments: { total: perRow.total, min: tally.valid > 0 ? perRow.min : 0, max: perRow.max } } : { encoding: segments.encoding, segments: segments.segments }),
          missingCredentials: missing,
          dryRun: true,
        };
        // The client runs every check it would run before a real send; the pre-aborted signal then stops it before any request.
        try {
          if (firstBatch.length > 0) await client.send(firstBatch, message, AbortSignal.abort('dry run'));
        } catch (error) {
          if (error instanceof ValidationError) {
            if (options.json) line(io.stdout, JSON.stringify({ ...base, valid: false, issues: error.issues }));
            else line(io.stderr, describeError(error));
            io.exitCode = 1;
            return;
          }
          if (!(error instanceof Error && error.name === 'AbortError')) throw error;
        }
        const batches = personal ? tally.valid : Math.ceil(tally.valid / batchSize);
        if (options.json) line(io.stdout, JSON.stringify({ ...base, valid: true, batches }));
        say(`dry run: valid; would send ${batches} request(s) of up to ${personal ? 1 : batchSize} recipients. Nothing was sent.`);
        return;
      }

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
          provider: provider.name,
          sender: options.from ?? '',
          text: options.text,
          options: { batchSize, country, type: options.type, column: options.column, baseUrl: options.baseUrl, texts: check?.digest },
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
          journal = await openFileJournal(options.journal, identity!, options.campaignId ? { campaignId: options.campaignId } : {});
        } catch (error) {
          if (error instanceof JournalMismatchError) throw new CliError(`refusing to resume: ${error.message}`);
          if (error instanceof JournalWriteError) throw new CliError(`the journal ${options.journal} could not be written (${error.systemCode ?? error.message}); nothing was sent`);
          throw new CliError(`cannot use the journal ${options.journal}: ${(error as Error).message}`);
        }
        const earlier = journal.all();
        if (earlier.length > 0) {
          progress(`resuming campaign ${journal.campaignId} from ${options.journal}: ${earlier.filter((b) => b.outcome?.status === 'sent').length} of the batches begun so far were sent`);
        }
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
        if (interrupted) {
          // A second Ctrl-C: leave now. The journal is consistent at every instant, so nothing is lost.
          process.exit(INTERRUPTED);
        }
        interrupted = true;
        progress('interrupted: starting no more batches, waiting for those in flight (Ctrl-C again to leave now)');
        controller.abort(new Error('interrupted'));
      };
      process.on('SIGINT', onSigint);
      let summary: CampaignSummary | undefined;
      try {
        const callback = dlr && journal && dlr.callback(provider.name, journal.campaignId);
        if (callback) say(`delivery reports: to ${dlr!.where}, signed for campaign ${journal!.campaignId} until ${dlr!.expiresAt.toISOString()} (msgkit webhooks serve --journal ${options.journal} takes them)`);
        summary = await runCampaign({ provider, client, message, rows: rows(), country, allowLandline: options.allowLandline === true, batchSize: personal ? 1 : batchSize, ...(personal && { textOf: personal.fill }), concurrency, ...(journal && { journal }), ...(callback && { callback }), resendUnknown: options.resendUnknown === true, ...(results && { results }), controller, progress });
      } finally {
        process.off('SIGINT', onSigint);
        // A run that failed unexpectedly would leave rows out: the previous results file then stays as it was.
        if (summary) results?.finish();
        else results?.discard();
        await journal?.close();
      }
      // The results file is written last: a failure there is reported like any other stop.
      if (results?.failure) summary.stoppedBy ??= results.failure;
      report(io, options, provider.name, summary, { segments, personalized: personal !== undefined, country, interrupted, journal: options.journal, results: options.results, deduplicates: provider.deduplicates });
    });
}

/** `--dlr-url` checked before anything is sent: the vendor must take a callback per send, and the secret must sign. */
function dlrSettings(provider: Provider, url: string, secret: string | undefined, journaled: boolean) {
  if (provider.noCallbackField) throw new CliError(`--dlr-url: ${provider.noCallbackField}`, 2);
  if (!journaled) throw new CliError('--dlr-url needs --journal: the reports are recorded in the journal (msgkit webhooks serve --journal)', 2);
  if (secret === undefined) throw new CliError(`--dlr-url needs ${DLR_SECRET_ENV} in the environment (at least 32 bytes; msgkit webhooks serve checks the URLs with it)`, 2);
  const expiresAt = new Date(Date.now() + DLR_TTL_DAYS * 24 * 3600 * 1000);
  const sign = (vendor: string, campaign: string, batch: number) => createCallbackUrl({ baseUrl: url, secret, vendor, campaign, batch, expiresAt });
  try {
    sign(provider.name, 'check', 0);
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`--dlr-url: ${error.issues.map((i) => i.message).join('; ')}`, 2);
    throw error;
  }
  const parsed = new URL(url);
  return {
    expiresAt,
    where: `${parsed.origin}${parsed.pathname}`,
    callback: (vendor: string, campaign: string) => (batch: number): Callback => ({ url: sign(vendor, campaign, batch), reference: `msgkit:${campaign}:${batch}` }),
  };
}

const rowLabel = (row: Row) => (row.arg ? `arg ${row.row}` : String(row.row));

/** The input file's own columns for the results file (none for a one-column file without header: its cell is `input`). */
function inputColumns(file: RecipientsFile | undefined): string[] {
  if (!file || (!file.layout.header && file.layout.columns.length <= 1)) return [];
  return file.layout.columns.map((name) => (RESULT_COLUMNS.includes(name) ? `${name} (input)` : name));
}

/** What stopped the campaign, and what to do next. */
function stopMessage(error: unknown, s: CampaignSummary, c: ReportContext): string {
  const notSent = `${s.notStarted} recipients were not sent`;
  const resume = c.journal ? 'run the same command to resume' : 'run again';
  if (error instanceof JournalWriteError) {
    return `the journal ${error.path ?? c.journal} could not be written (${error.systemCode ?? error.message}); ${notSent}. Make room (or raise the file-size limit), then ${resume}.`;
  }
  if (error instanceof ResultsWriteError) {
    const sent = c.journal ? ` \`msgkit report ${c.journal}\` says what was sent.` : '';
    return `${error.message}; ${notSent}.${sent} Make room (or raise the file-size limit), then ${resume}.`;
  }
  if (error instanceof RecipientsFileError || error instanceof InputReadError) return `${error.message} (${notSent})`;
  return `no later batch can succeed: ${describeError(error)}`;
}

interface ReportContext {
  segments: ReturnType<typeof countSegments>;
  personalized: boolean;
  country: string | undefined;
  interrupted: boolean;
  journal: string | undefined;
  results: string | undefined;
  deduplicates: boolean;
}

function report(io: Io, options: SendOptions, provider: string, s: CampaignSummary, c: ReportContext): void {
  const { tally, recipients } = s;
  const failed = recipients.refused + recipients.unknown;
  if (failed > 0 || tally.invalid > 0) io.exitCode = 1;
  if (c.interrupted) io.exitCode = 130;
  const batches = [...s.batches].sort((a, b) => a.index - b.index);
  if (options.json) {
    line(
      io.stdout,
      JSON.stringify({
        provider,
        inputs: tally.rows,
        recipients: tally.valid,
        duplicates: tally.duplicates,
        invalid: tally.invalid,
        notMobile: tally.notMobile,
        ...(c.personalized ? { personalized: true } : { encoding: c.segments.encoding, segments: c.segments.segments }),
        sent: recipients.sent,
        sentEarlier: s.sentEarlier,
        refused: recipients.refused,
        unknown: recipients.unknown,
        failed,
        interrupted: c.interrupted,
        ...(s.stoppedBy !== undefined && { stoppedBy: describeError(s.stoppedBy) }),
        batches: batches.map((b) => ({ index: b.index, size: b.size, status: b.status, ok: b.status === 'sent', earlier: b.earlier, ...(b.id && { id: b.id }), ...(b.error && { error: b.error }) })),
      }),
    );
  } else {
    const shown = batches.length <= 50 ? batches : batches.filter((b) => b.status !== 'sent');
    if (shown.length > 0) {
      line(io.stdout, renderTable(['batch', 'recipients', 'result', 'id / error'], shown.map((b) => [b.index + 1, b.size, b.status === 'sent' ? (b.earlier ? 'sent earlier' : 'sent') : b.status === 'refused' ? 'FAILED' : 'UNKNOWN', b.status === 'sent' ? (b.id ?? '') : (b.error ?? '')])));
    }
    line(io.stdout, `${tally.valid} recipients: ${recipients.sent} sent, ${failed} failed; ${tally.invalid} inputs invalid, ${tally.duplicates} duplicates merged`);
    line(io.stdout, `${countryNote(c.country, tally)}; ${landlineNote(tally, options.allowLandline)}${s.sentEarlier > 0 ? `; ${s.sentEarlier} of the sent were sent by an earlier run` : ''}`);
    if (recipients.unknown > 0) {
      line(
        io.stdout,
        `${recipients.unknown} recipients have an unknown outcome: the vendor may have sent them. ` +
          (c.deduplicates ? 'Run the same command to resend them with the same dedupe key.' : 'They are not resent (this vendor cannot deduplicate); --resend-unknown sends them again, which may bill twice.') +
          (c.results ? ` They are listed in ${c.results}.` : ' --results <file.csv> lists them.'),
      );
    }
  }
  if (s.stoppedBy !== undefined) {
    io.exitCode = Math.max(io.exitCode, 1);
    line(io.stderr, `msgkit: campaign stopped: ${stopMessage(s.stoppedBy, s, c)}`);
  }
  if (c.interrupted) line(io.stderr, `msgkit: interrupted; ${c.journal ? 'run the same command to resume' : 'without --journal a rerun starts over'} (${s.notStarted} recipients not sent)`);
}
