import { lockHolder, readJournal, type BeginLine, type JournalContents } from '@msgkit/journal';
import type { Command } from 'commander';
import { writeDeliveryStates } from '../deliveryReport';
import { JournalStates } from '../deliveryStates';
import { CliError, line, type Io } from '../io';
import { renderTable } from '../table';
import { chainReport, eachUnknownOfChain, STATUSES, TICKET_UNKNOWN_NOTE } from './reportChain';

// The journal's own outcomes: a batch a stopped run left unsettled reads back as unknown (interrupted).
type Status = 'sent' | 'refused' | 'unknown';
/** Recipients of unknown outcome listed without --unknown in the table view. */
const SHOWN = 20;

export function reportCommand(program: Command, io: Io): void {
  program
    .command('report')
    .description('print the totals of a campaign journal (msgkit send --journal): batches and recipients sent, refused, unknown; per provider and per failover class for a chain')
    .argument('<journal>', 'the journal file')
    .option('--unknown', 'list every recipient of unknown outcome (row, number), one per line')
    .option('--json', 'print JSON, every recipient of unknown outcome included')
    .option('--results <file>', "write each recipient's state (delivered, failed, pending, unknown) and its reason as CSV, after reports and msgkit reconcile")
    .action(async (path: string, options: { unknown?: boolean; json?: boolean; results?: string }) => {
      const contents = await readJournal(path).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read the journal ${path}: ${error.code ?? error.message}`, error.code === 'ENOENT' ? 2 : 1);
      });
      if (contents.header.v === 2) return reportChain(io, path, contents, options);
      const totals = Object.fromEntries(STATUSES.map((s) => [s, { batches: 0, recipients: 0 }])) as Record<Status, { batches: number; recipients: number }>;
      const unknownBy: Record<string, number> = {};
      for (const b of contents.batches.values()) {
        const outcome = b.outcome!;
        totals[outcome.status].batches++;
        totals[outcome.status].recipients += b.size;
        if (outcome.status === 'unknown') unknownBy[outcome.code] = (unknownBy[outcome.code] ?? 0) + b.size;
      }
      const running = await lockHolder(path);
      const { header } = contents;
      if (options.json) {
        // Streamed, so that a million unknown recipients are listed whole without being held at once.
        const head = { campaignId: header.campaignId, provider: header.provider, created: header.created, ...(running !== undefined && { runningPid: running }), totals, unknownBy };
        io.stdout.write(`${JSON.stringify(head).slice(0, -1)},"unknownRecipients":[`);
        let first = true;
        await eachUnknown(path, contents, Number.POSITIVE_INFINITY, (u) => {
          io.stdout.write(`${first ? '' : ','}${JSON.stringify(u)}`);
          first = false;
        });
        line(io.stdout, ']}');
        return;
      }
      line(io.stdout, `campaign ${header.campaignId} (${header.provider}), journal started ${header.created}`);
      if (running !== undefined) line(io.stdout, `a msgkit run (process ${running}) is using this journal: its unsettled batches may still be in flight`);
      line(io.stdout, renderTable(['outcome', 'batches', 'recipients'], STATUSES.map((s) => [s, totals[s].batches, totals[s].recipients])));
      const open = totals.unknown.recipients;
      if (open > 0) {
        const why = Object.entries(unknownBy).map(([code, n]) => `${n} ${code === 'interrupted' ? 'interrupted (a run stopped while they were being sent)' : code}`);
        line(io.stdout, `${open} recipients of unknown outcome (${why.join(', ')}): the vendor may have sent them`);
        let listed = 0;
        await eachUnknown(path, contents, options.unknown ? Number.POSITIVE_INFINITY : SHOWN, (u) => {
          listed++;
          line(io.stdout, `  ${u.row === undefined ? '' : `row ${u.row}: `}${u.e164}`);
        });
        if (open > listed) line(io.stdout, `  … and ${open - listed} more: --unknown lists them all`);
      }
      // Failed or unknown recipients fail the report; a batch unknown at send time that reconcile found sent does not.
      if (await writeDeliveryStates(path, io, options.results)) io.exitCode = 1;
    });
}

/** Calls `each` for up to `limit` recipients of unknown outcome, from their batches' records (a second pass: the file can be large). */
async function eachUnknown(path: string, contents: JournalContents, limit: number, each: (u: { row?: number; e164: string }) => void): Promise<void> {
  let count = 0;
  const listed = new Set<number>();
  if (![...contents.batches.values()].some((b) => b.outcome?.status === 'unknown')) return;
  await readJournal(path, (record: BeginLine) => {
    // A batch begun again later is listed from its last record.
    const batch = contents.batches.get(record.i);
    if (batch?.outcome?.status !== 'unknown' || listed.has(record.i) || batch.digest !== record.d) return;
    listed.add(record.i);
    record.to.forEach((e164, k) => {
      if (count++ < limit) each({ e164, ...(record.rows && { row: record.rows[k] }) });
    });
  });
}

/** The report of a journal that records a failover chain: totals, then per provider and per failover class. */
async function reportChain(io: Io, path: string, contents: JournalContents, options: { unknown?: boolean; json?: boolean; results?: string }): Promise<void> {
  const states = await JournalStates.read(path);
  const report = chainReport(path, contents, (batch, to, holder) => states.deliveredTwiceBy(batch, to, holder));
  const running = await lockHolder(path);
  const { header } = contents;
  if (options.json) {
    const head = { campaignId: header.campaignId, provider: header.provider, chain: report.chain, created: header.created, ...(running !== undefined && { runningPid: running }), totals: report.totals, ticketUnknown: report.ticketUnknown, providers: report.providers, failovers: report.failovers, unknownBy: report.unknownBy };
    io.stdout.write(`${JSON.stringify(head).slice(0, -1)},"unknownRecipients":[`);
    let first = true;
    await eachUnknownOfChain(
      path,
      contents,
      Number.POSITIVE_INFINITY,
      (u) => {
        io.stdout.write(`${first ? '' : ','}${JSON.stringify(u)}`);
        first = false;
      },
      io.stdoutClosed,
    );
    line(io.stdout, ']}');
    if (report.totals.refused.recipients + report.totals.unknown.recipients > 0) io.exitCode = 1;
  } else {
    line(io.stdout, `campaign ${header.campaignId} (${report.chain.join(' → ')}), journal started ${header.created}`);
    if (running !== undefined) line(io.stdout, `a msgkit run (process ${running}) is using this journal: its unsettled attempts may still be in flight`);
    line(io.stdout, renderTable(['outcome', 'batches', 'recipients'], STATUSES.map((s) => [s, report.totals[s].batches, report.totals[s].recipients])));
    line(
      io.stdout,
      renderTable(
        ['provider', 'sent', 'unknown', 'tries: sent', 'refused', 'unknown'],
        report.chain.map((name) => {
          const p = report.providers[name]!;
          return [name, p.sent, p.unknown, p.tries.sent, p.tries.refused, p.tries.unknown];
        }),
      ),
    );
    if (report.ticketUnknown > 0) line(io.stdout, TICKET_UNKNOWN_NOTE(report.ticketUnknown));
    const moved = Object.entries(report.failovers);
    if (moved.length > 0) line(io.stdout, `moved to the next provider (refused with proof that nothing was sent): ${moved.map(([cls, n]) => `${cls} ${n}`).join(', ')}`);
    const after = report.chain.filter((name) => report.providers[name]!.moved.report + report.providers[name]!.moved.timer > 0);
    if (after.length > 0) {
      line(io.stdout, `moved to the next provider after sending: ${after.map((name) => `${name}: ${report.providers[name]!.moved.report} on a final negative report, ${report.providers[name]!.moved.timer} on the timer`).join('; ')}`);
    }
    const twice = report.chain.filter((name) => report.providers[name]!.moved.timer > 0 || report.providers[name]!.deliveredTwice > 0);
    // Every recipient two providers reported delivered is counted and shown, zero included after a timer failover: the timer's cost.
    for (const name of twice) line(io.stdout, `delivered twice: ${report.providers[name]!.deliveredTwice} (${name} and another provider both reported delivered)`);
    const open = report.totals.unknown.recipients;
    if (open > 0) {
      const why = Object.entries(report.unknownBy).map(([code, n]) => `${n} ${code === 'interrupted' ? 'interrupted (a run stopped while they were being sent)' : code}`);
      line(io.stdout, `${open} recipients of unknown outcome (${why.join(', ')}): the provider named may have sent them`);
      let listed = 0;
      await eachUnknownOfChain(
        path,
        contents,
        options.unknown ? Number.POSITIVE_INFINITY : SHOWN,
        (u) => {
          listed++;
          line(io.stdout, `  ${u.row === undefined ? '' : `row ${u.row}: `}${u.e164} (at ${u.provider})`);
        },
        io.stdoutClosed,
      );
      if (open > listed) line(io.stdout, `  … and ${open - listed} more: --unknown lists them all`);
    }
    // As for one provider: failed or unknown recipients fail the report, each judged at the provider it stands at.
    if (await writeDeliveryStates(path, io, options.results)) io.exitCode = 1;
  }
}
