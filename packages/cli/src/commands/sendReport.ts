/** What `msgkit send` prints when a run ends: totals, per provider and per failover class, and what to do next. */
import { JournalWriteError, type CampaignSender, type countSegments } from '@msgkit/core';
import { ChainRefusedError, InputReadError, type CampaignSummary } from '../campaign';
import { describeError } from '../errors';
import { line, type Io } from '../io';
import { RecipientsFileError } from '../recipients';
import { ResultsWriteError } from '../results';
import { renderTable } from '../table';
import type { SendOptions } from './send';
import { TICKET_UNKNOWN_NOTE } from './reportChain';
import { countryNote, landlineNote, summaryJson } from './shared';

export interface ReportContext {
  segments: ReturnType<typeof countSegments>;
  personalized: boolean;
  country: string | undefined;
  interrupted: boolean;
  journal: string | undefined;
  results: string | undefined;
}

/** `smscx 900 sent (3 unknown), smsworks 90 sent`. */
const bySender = (s: CampaignSummary) =>
  Object.entries(s.senders)
    .map(([name, t]) => `${name} ${t.sent} sent${t.unknown > 0 ? ` (${t.unknown} unknown)` : ''}`)
    .join(', ');

const byClass = (s: CampaignSummary) =>
  Object.entries(s.failovers)
    .map(([cls, n]) => `${cls} ${n}`)
    .join(', ');

export function report(io: Io, options: SendOptions, chain: readonly CampaignSender[], s: CampaignSummary, c: ReportContext): void {
  const { tally, recipients } = s;
  const failed = recipients.refused + recipients.unknown;
  if (failed > 0 || tally.invalid > 0) io.exitCode = 1;
  if (c.interrupted) io.exitCode = 130;
  const batches = [...s.batches].sort((a, b) => a.index - b.index);
  const names = chain.map((x) => x.name);
  if (options.json) {
    line(
      io.stdout,
      JSON.stringify({
        ...summaryJson(names, tally, c.segments, c.personalized ? true : undefined),
        sent: recipients.sent,
        sentEarlier: s.sentEarlier,
        ticketUnknown: s.ticketUnknown,
        refused: recipients.refused,
        unknown: recipients.unknown,
        failed,
        notStarted: s.notStarted,
        interrupted: c.interrupted,
        senders: s.senders,
        failovers: s.failovers,
        moved: s.moved,
        ...(s.stoppedBy !== undefined && { stoppedBy: describeError(s.stoppedBy) }),
        batches: batches.map((b) => ({
          index: b.index,
          size: b.size,
          status: b.status,
          ok: b.status === 'sent',
          earlier: b.earlier,
          ...b.counts,
          sentBy: b.sentBy,
          ...(b.ticketUnknown > 0 && { ticketUnknown: b.ticketUnknown }),
          ...(b.id && { id: b.id }),
          ...(b.error && { error: b.error }),
        })),
      }),
    );
  } else {
    const shown = batches.length <= 50 ? batches : batches.filter((b) => b.status !== 'sent');
    if (shown.length > 0) {
      const result = (b: (typeof batches)[number]) => {
        if (b.status === 'sent') return `${b.earlier ? 'sent earlier' : 'sent'}${b.ticketUnknown > 0 ? ` (${b.ticketUnknown === b.size ? '' : `${b.ticketUnknown} `}ticket_unknown)` : ''}`;
        const word = b.status === 'refused' ? 'FAILED' : 'UNKNOWN';
        return b.counts.sent > 0 ? `${word} (${b.counts.sent} sent)` : word;
      };
      const via = (b: (typeof batches)[number]) => (names.length > 1 && Object.keys(b.sentBy).length > 0 ? ` via ${Object.keys(b.sentBy).join(', ')}` : '');
      line(io.stdout, renderTable(['batch', 'recipients', 'result', 'id / error'], shown.map((b) => [b.index + 1, b.size, `${result(b)}${via(b)}`, b.status === 'sent' ? (b.id ?? '') : (b.error ?? '')])));
    }
    line(io.stdout, `${tally.valid} recipients: ${recipients.sent} sent, ${failed} failed; ${tally.invalid} inputs invalid, ${tally.duplicates} duplicates merged`);
    line(io.stdout, `${countryNote(c.country, tally)}; ${landlineNote(tally, options.allowLandline)}${s.sentEarlier > 0 ? `; ${s.sentEarlier} of the sent were sent by an earlier run` : ''}`);
    if (names.length > 1) line(io.stdout, `by provider: ${bySender(s)}`);
    if (Object.keys(s.failovers).length > 0) line(io.stdout, `moved to the next provider (refused with proof that nothing was sent): ${byClass(s)}`);
    const moved = Object.entries(s.moved);
    if (moved.length > 0) line(io.stdout, `moved to the next provider after sending: ${moved.map(([name, m]) => `${name} ${m.report} on a final negative report, ${m.timer} on the timer`).join('; ')}`);
    if (s.ticketUnknown > 0) line(io.stdout, TICKET_UNKNOWN_NOTE(s.ticketUnknown));
    if (recipients.unknown > 0) line(io.stdout, unknownNote(s, chain, c));
  }
  if (s.stoppedBy !== undefined) {
    io.exitCode = Math.max(io.exitCode, 1);
    line(io.stderr, `msgkit: campaign stopped: ${stopMessage(s.stoppedBy, s, c)}`);
  }
  if (c.interrupted) line(io.stderr, `msgkit: interrupted; ${c.journal ? 'run the same command to resume' : 'without --journal a rerun starts over'} (${s.notStarted} recipients not sent)`);
}

/** Where the unknown recipients are, and whether the same command resends them (only with their key, where the vendor deduplicates). */
function unknownNote(s: CampaignSummary, chain: readonly CampaignSender[], c: ReportContext): string {
  const at = chain.filter((x) => s.senders[x.name]!.unknown > 0);
  const dedupes = at.filter((x) => x.dedupe !== false);
  const head = `${s.recipients.unknown} recipients have an unknown outcome: the vendor may have sent them.`;
  const resend = c.journal ? 'Run the same command to resend them with the same dedupe key.' : 'With --journal the same command would resend them with the same dedupe key.';
  const keep = 'They are not resent (this vendor cannot deduplicate); --resend-unknown sends them again, which may bill twice.';
  let what: string;
  if (dedupes.length === at.length) what = resend;
  else if (dedupes.length === 0) what = keep;
  else {
    what = at
      .map((x) => `${s.senders[x.name]!.unknown} at ${x.name}${x.dedupe ? ' (deduplicates: the same command resends them with their key)' : ' (cannot deduplicate: not resent unless --resend-unknown, which may bill twice)'}`)
      .join('; ');
  }
  return `${head} ${what}${c.results ? ` They are listed in ${c.results}.` : ' --results <file.csv> lists them.'}`;
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
  if (error instanceof ChainRefusedError) return `no later batch can succeed: ${error.message}`;
  return `no later batch can succeed: ${describeError(error)}`;
}
