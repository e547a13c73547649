import { readJournal, type BeginLine } from '@msgkit/journal';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { renderTable } from '../table';

type Status = 'sent' | 'refused' | 'unknown' | 'in flight';

export function reportCommand(program: Command, io: Io): void {
  program
    .command('report')
    .description('print the totals of a campaign journal (msgkit send --journal): batches and recipients sent, refused, unknown')
    .argument('<journal>', 'the journal file')
    .option('--unknown', 'list every recipient of unknown outcome (row, number), one per line')
    .option('--json', 'print JSON')
    .action(async (path: string, options: { unknown?: boolean; json?: boolean }) => {
      const contents = await readJournal(path).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read the journal ${path}: ${error.code ?? error.message}`, error.code === 'ENOENT' ? 2 : 1);
      });
      const totals: Record<Status, { batches: number; recipients: number }> = {
        sent: { batches: 0, recipients: 0 },
        refused: { batches: 0, recipients: 0 },
        unknown: { batches: 0, recipients: 0 },
        'in flight': { batches: 0, recipients: 0 },
      };
      const statusOf = (index: number): Status => contents.batches.get(index)?.outcome?.status ?? 'in flight';
      for (const b of contents.batches.values()) {
        const t = totals[statusOf(b.index)];
        t.batches++;
        t.recipients += b.size;
      }
      // Recipients of unknown outcome, from their batches' records (a second pass: the file can be large).
      const unknown: Array<{ row?: number; e164: string }> = [];
      const listed = new Set<number>();
      const limit = options.unknown ? Number.POSITIVE_INFINITY : 20;
      if (totals.unknown.batches + totals['in flight'].batches > 0) {
        await readJournal(path, (record: BeginLine) => {
          const status = statusOf(record.i);
          if ((status !== 'unknown' && status !== 'in flight') || listed.has(record.i)) return;
          listed.add(record.i);
          record.to.forEach((e164, k) => unknown.length < limit && unknown.push({ e164, ...(record.rows && { row: record.rows[k] }) }));
        });
      }
      const { header } = contents;
      if (options.json) {
        line(io.stdout, JSON.stringify({ campaignId: header.campaignId, provider: header.provider, created: header.created, totals, unknownRecipients: unknown }));
        return;
      }
      line(io.stdout, `campaign ${header.campaignId} (${header.provider}), journal started ${header.created}`);
      line(io.stdout, renderTable(['outcome', 'batches', 'recipients'], (Object.keys(totals) as Status[]).map((s) => [s, totals[s].batches, totals[s].recipients])));
      const open = totals.unknown.recipients + totals['in flight'].recipients;
      if (open > 0) {
        line(io.stdout, `${open} recipients of unknown outcome (unknown, or in flight when a run stopped): the vendor may have sent them`);
        for (const u of unknown) line(io.stdout, `  ${u.row === undefined ? '' : `row ${u.row}: `}${u.e164}`);
        if (open > unknown.length) line(io.stdout, `  … and ${open - unknown.length} more: --unknown lists them all`);
      }
      if (totals.refused.batches + open > 0) io.exitCode = 1;
    });
}
