import { createHash } from 'node:crypto';
import { MissingCredentialsError, type CampaignSender, type SenderFactory } from '@msgkit/core';
import { reopenFileJournal } from '@msgkit/journal';
import { reconcile } from '@msgkit/webhooks';
import type { Command } from 'commander';
import { JournalStates } from '../deliveryStates';
import { CliError, line, type Io } from '../io';
import { renderTable } from '../table';

// Loaded on demand, like the send clients: only the journal's vendor is imported.
const FACTORIES: Record<string, () => Promise<SenderFactory>> = {
  smscx: async () => (await import('@msgkit/smscx')).smscxSenderFactory,
  smsworks: async () => (await import('@msgkit/smsworks')).smsworksSenderFactory,
  octopush: async () => (await import('@msgkit/octopush')).octopushSenderFactory,
  infobip: async () => (await import('@msgkit/infobip')).infobipSenderFactory,
};

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** `15m`, `2h`, `90s` or a number of minutes, as milliseconds. */
export function parseHorizon(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!match) throw new CliError(`--horizon must be a duration such as 15m, 2h or 90s, got "${value}"`, 2);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'm') as 's' | 'm' | 'h'];
}

interface ReconcileCliOptions {
  horizon: string;
  baseUrl?: string;
  from?: string;
  text?: string;
}

export function reconcileCommand(program: Command, io: Io): void {
  program
    .command('reconcile')
    .description("ask the journal's vendor what became of every batch of unknown outcome and every message without a final state, and record each answer with its proof in the journal")
    .argument('<journal>', 'the journal file (msgkit send --journal)')
    .requiredOption('--horizon <duration>', 'ask only about sends older than this (15m, 2h): a younger one may still get its answer or report')
    .option('--base-url <url>', "the vendor API's base URL (Infobip: your account host; the sandbox's in tests)")
    .option('--from <sender>', 'the sender id the campaign was sent with (checked against the journal): The SMS Works is searched by it')
    .option('--text <text>', 'the text the campaign sent (checked against the journal): The SMS Works is searched by it')
    .action(async (path: string, options: ReconcileCliOptions) => {
      const horizon = parseHorizon(options.horizon);
      const journal = await reopenFileJournal(path).catch((error: NodeJS.ErrnoException) => {
        if (error instanceof Error && error.name === 'JournalLockedError') throw new CliError(error.message);
        throw new CliError(`cannot open the journal ${path}: ${error.code ?? error.message}`, error.code === 'ENOENT' ? 2 : 1);
      });
      try {
        const states = await JournalStates.read(path, journal);
        const { header } = states;
        // The journal keeps hashes only: what is given must be what was sent, or the search would find another campaign's messages.
        if (options.from !== undefined && sha256(options.from) !== header.parts.sender) throw new CliError(`--from is not the sender this journal's campaign was sent with`, 2);
        if (options.text !== undefined && sha256(options.text) !== header.parts.text) throw new CliError(`--text is not the text this journal's campaign sent`, 2);
        if (options.text !== undefined) states.message = { text: options.text, ...(options.from !== undefined && { from: options.from }) };
        const factory = FACTORIES[header.provider];
        if (!factory) throw new CliError(`the journal's provider ${header.provider} is not one msgkit can ask`);
        let sender: CampaignSender;
        try {
          sender = (await factory()).fromEnv(io.env, { ...(options.baseUrl && { baseUrl: options.baseUrl }) });
        } catch (error) {
          if (error instanceof MissingCredentialsError) throw new CliError(error.message, 2);
          throw error;
        }
        const limit = sender.statusLookup ? sender.statusLookup.rateLimit : undefined;
        line(io.stdout, `campaign ${header.campaignId} (${header.provider}): asking about sends older than ${options.horizon}` + (limit ? `, at most ${limit.requests} requests per ${limit.periodSeconds} s (${limit.published ? "the vendor's published limit" : 'a pace msgkit decided: the vendor publishes none'})` : `: ${header.provider} has no read of a send's state`));
        const summary = await reconcile({ store: states, senders: { [header.provider]: sender }, horizons: { [header.provider]: horizon } });
        const s = summary.senders[header.provider]!;
        line(io.stdout, renderTable(['looked up', 'count', 'sent', 'not sent (resendable)', 'final', 'not final', 'unknown'], [
          ['batches (recipients)', s.batches.recipients, s.batches.sent, s.batches.notSent, '', '', s.batches.unknown],
          ['messages', s.messages.looked, '', '', s.messages.final, s.messages.notFinal, s.messages.unknown],
        ]));
        line(io.stdout, `${s.requests} requests, ${summary.records} answer(s) recorded in ${path} with their proof`);
        const reasons = Object.entries(s.reasons);
        if (reasons.length > 0) {
          line(io.stdout, `still unknown: ${reasons.map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
          io.exitCode = 1;
        }
      } finally {
        await journal.close();
      }
    });
}
