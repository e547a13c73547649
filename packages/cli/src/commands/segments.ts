import { countSegments } from '@msgkit/core';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { renderTable } from '../table';

export function segmentsCommand(program: Command, io: Io): void {
  program
    .command('segments')
    .description('count the SMS segments a text needs: encoding, units, segments, and the characters that forced UCS-2')
    .argument('<text...>', 'the message text (several words are joined with spaces), or - to read it from standard input')
    .option('--json', 'print JSON instead of a table')
    .action(async (words: string[], options: { json?: boolean }) => {
      const text = words.length === 1 && words[0] === '-' ? await readStdin(io) : words.join(' ');
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

/** The whole of standard input, less one final line break (the one `echo` and editors add). */
async function readStdin(io: Io): Promise<string> {
  if (!io.stdin) throw new CliError('no standard input to read the text from', 2);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
