import { countSegments } from '@msgkit/core';
import type { Command } from 'commander';
import { line, type Io } from '../io';
import { renderTable } from '../table';

export function segmentsCommand(program: Command, io: Io): void {
  program
    .command('segments')
    .description('count the SMS segments a text needs: encoding, units, segments, and the characters that forced UCS-2')
    .argument('<text...>', 'the message text (several words are joined with spaces)')
    .option('--json', 'print JSON instead of a table')
    .action((words: string[], options: { json?: boolean }) => {
      const text = words.join(' ');
      const count = countSegments(text);
      if (options.json) {
        line(io.stdout, JSON.stringify(count));
        return;
      }
      line(
        io.stdout,
        renderTable(
          ['encoding', 'units', 'segments', 'per segment', 'remaining', 'forced UCS-2'],
          [[count.encoding, count.units, count.segments, count.perSegment, count.remaining, count.nonGsm.length > 0 ? count.nonGsm.join(' ') : '-']],
        ),
      );
    });
}
