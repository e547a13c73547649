import { countSegments, normalizeRecipients, sendInBatches, ValidationError, type BatchResult } from '@msgkit/core';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { describeError } from '../errors';
import { PROVIDERS, providerHelp, type ProviderName, type SendOutcome } from '../providers';
import { readRecipientsFile } from '../recipients';
import { renderTable } from '../table';

interface SendOptions {
  provider: string;
  from?: string;
  to?: string[];
  toFile?: string;
  text: string;
  dryRun?: boolean;
  baseUrl?: string;
  country?: string;
  batchSize?: string;
  concurrency?: string;
  json?: boolean;
}

const positiveInt = (value: string | undefined, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive whole number, got "${value}"`, 2);
  return n;
};

export function sendCommand(program: Command, io: Io): void {
  program
    .command('send')
    .description('send one text to many recipients through a provider, in batches, with a per-batch summary')
    .requiredOption('-p, --provider <name>', `one of ${Object.keys(PROVIDERS).join(', ')}`)
    .option('--from <sender>', 'sender ID or number (Infobip: set in the OMNI scenario instead)')
    .option('--to <numbers...>', 'recipients')
    .option('--to-file <path>', 'recipients from a CSV (phone column) or one-per-line file')
    .requiredOption('--text <text>', 'message text')
    .option('--dry-run', 'validate and report segments and recipients; send nothing')
    .option('--base-url <url>', "the vendor API's base URL (e.g. the sandbox's)")
    .option('-c, --country <XX>', 'ISO 3166 country for numbers in national format')
    .option('--batch-size <n>', "recipients per request (default: the vendor's maximum)")
    .option('--concurrency <n>', 'requests in flight at once', '2')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `\nCredentials are read from the environment:\n${providerHelp()}`)
    .action(async (options: SendOptions) => {
      const provider = PROVIDERS[options.provider as ProviderName];
      if (!provider) throw new CliError(`unknown provider "${options.provider}"; use one of ${Object.keys(PROVIDERS).join(', ')}`, 2);
      if (!options.from && provider.name !== 'infobip') throw new CliError(`${provider.name} needs a sender: --from`, 2);
      const inputs = [...(options.to ?? []), ...(options.toFile ? readRecipientsFile(options.toFile) : [])];
      if (inputs.length === 0) throw new CliError('give recipients with --to or --to-file', 2);
      const batchSize = positiveInt(options.batchSize, 'batch-size', provider.maxRecipients);
      if (batchSize > provider.maxRecipients) throw new CliError(`--batch-size ${batchSize} is over ${provider.name}'s maximum of ${provider.maxRecipients} per request`, 2);
      const concurrency = positiveInt(options.concurrency, 'concurrency', 2);
      const country = (options.country ?? provider.defaultCountry).toUpperCase();

      const recipients = normalizeRecipients(inputs, { defaultCountry: country });
      const segments = countSegments(options.text);
      const client = provider.create(io.env, options.baseUrl);
      const message = { ...(options.from && { from: options.from }), text: options.text };
      const report = (extra: Record<string, unknown>) => {
        const summary = {
          provider: provider.name,
          inputs: inputs.length,
          recipients: recipients.valid.length,
          duplicates: recipients.duplicates,
          invalid: recipients.invalid,
          encoding: segments.encoding,
          segments: segments.segments,
          ...extra,
        };
        if (options.json) line(io.stdout, JSON.stringify(summary));
        return summary;
      };

      if (!options.json) {
        line(io.stdout, `${provider.name}: ${inputs.length} inputs -> ${recipients.valid.length} recipients (${recipients.duplicates} duplicates, ${recipients.invalid.length} invalid)`);
        line(io.stdout, `text: ${segments.encoding}, ${segments.units} units, ${segments.segments} segment(s) each, ${segments.segments * recipients.valid.length} segments in all`);
        for (const bad of recipients.invalid.slice(0, 20)) line(io.stdout, `  invalid #${bad.index} "${bad.input}": ${bad.code}`);
        if (recipients.invalid.length > 20) line(io.stdout, `  … and ${recipients.invalid.length - 20} more invalid`);
      }
      if (recipients.invalid.length > 0) io.exitCode = 1;

      if (options.dryRun) {
        // The client runs every check it would run before a real send; the pre-aborted signal then
        // stops it before any request is made.
        const firstBatch = recipients.valid.slice(0, batchSize);
        try {
          if (firstBatch.length > 0) await client.send(firstBatch, message, AbortSignal.abort('dry run'));
        } catch (error) {
          if (error instanceof ValidationError) {
            report({ dryRun: true, valid: false, issues: error.issues });
            if (!options.json) line(io.stderr, describeError(error));
            io.exitCode = 1;
            return;
          }
          if (!(error instanceof Error && error.name === 'AbortError')) throw error;
        }
        const batches = Math.ceil(recipients.valid.length / batchSize);
        report({ dryRun: true, valid: true, batches });
        if (!options.json) line(io.stdout, `dry run: valid; would send ${batches} request(s) of up to ${batchSize} recipients. Nothing was sent.`);
        return;
      }

      const bar = new SingleBar({ format: 'sending [{bar}] {value}/{total} batches', stream: io.stderr, noTTYOutput: true, notTTYSchedule: 1000 });
      const total = Math.ceil(recipients.valid.length / batchSize);
      bar.start(total, 0);
      const results: Array<BatchResult<string, SendOutcome>> = await sendInBatches(recipients.valid, {
        size: batchSize,
        concurrency,
        send: (batch) => client.send(batch, message),
        onProgress: (done) => bar.update(done),
      });
      bar.stop();

      const sent = results.filter((r) => r.ok).reduce((n, r) => n + r.items.length, 0);
      const failed = recipients.valid.length - sent;
      if (failed > 0) io.exitCode = 1;
      const rows = results.map((r) => [r.index + 1, r.items.length, r.ok ? 'sent' : 'FAILED', r.ok ? r.result.id ?? '' : describeError(r.error)]);
      if (options.json) {
        report({ sent, failed, batches: results.map((r) => ({ index: r.index, size: r.items.length, ok: r.ok, ...(r.ok ? { id: r.result.id } : { error: describeError(r.error) }) })) });
        return;
      }
      line(io.stdout, renderTable(['batch', 'recipients', 'result', 'id / error'], rows));
      line(io.stdout, `${recipients.valid.length} recipients: ${sent} sent, ${failed} failed; ${recipients.invalid.length} inputs invalid, ${recipients.duplicates} duplicates merged`);
    });
}
