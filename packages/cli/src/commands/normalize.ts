import { once } from 'node:events';
import type { Command } from 'commander';
import { Classifier, knownCountry, type ClassifiedRow } from '../classify';
import { CsvRows } from '../csvRows';
import { CliError, line, type Io } from '../io';
import { chooseThreads, thisMachine, writeThroughWorker, type ThreadsOption } from '../phoneWorker';
import { openRecipientsFile } from '../recipients';
import { countryNote, landlineNote, progressLine, readSoFar, sourceBatches } from './shared';

interface NormalizeOptions {
  file?: string;
  column?: string;
  country?: string;
  allowLandline?: boolean;
  json?: boolean;
  csv?: boolean;
  threads?: string;
}

/** Rows a table or JSON answer holds; longer lists stream as CSV. */
const SHOWN = 1000;

const label = (r: ClassifiedRow) => (r.arg ? `arg ${r.row}` : String(r.row));

/** Waits until stdout takes more; false when it never will (its reader left). */
async function drained(io: Io): Promise<boolean> {
  try {
    await once(io.stdout, 'drain', io.stdoutClosed ? { signal: io.stdoutClosed } : {});
    return true;
  } catch (error) {
    if (io.stdoutClosed?.aborted) return false;
    throw error;
  }
}

export function normalizeCommand(program: Command, io: Io): void {
  program
    .command('normalize')
    .description('normalize phone numbers to E.164 with their type; invalid ones, and landlines, are listed with their reason')
    .argument('[numbers...]', 'phone numbers in any common format')
    .option('-f, --file <path>', 'read numbers from a CSV (`,` `;` or tab; a phone column, optional country column) or one-per-line file')
    .option('--column <name>', 'the phone column of --file (a header name, or a 1-based number for a file without header)')
    .option('-c, --country <XX>', 'ISO 3166 country for numbers written in national format (none is assumed otherwise)')
    .option('--allow-landline', 'keep numbers whose type is not mobile (landline, VoIP, toll-free, …); they are refused as not_mobile otherwise')
    .option('--json', `print JSON instead of a table (up to ${SHOWN} rows)`)
    .option('--csv', 'print CSV, row by row (any length): row, input, e164, status, error, type')
    .option(
      '--threads <n>',
      'with --csv and --file: 2 checks the phone numbers of a file from 4 MB in a worker thread (faster on a second free core, more CPU time in all); 1 keeps one thread; auto, the default, takes 2 only when the 1-minute load average is under the cores',
      'auto',
    )
    .action(async (numbers: string[], options: NormalizeOptions) => {
      if (options.json && options.csv) throw new CliError('choose --json or --csv', 2);
      if (options.threads !== undefined && options.threads !== 'auto' && options.threads !== '1' && options.threads !== '2') throw new CliError(`--threads ${options.threads}: give auto, 1 or 2`, 2);
      const threads: ThreadsOption = options.threads === '1' ? 1 : options.threads === '2' ? 2 : 'auto';
      let chosen: { threads: 1 | 2; why: string | undefined } = { threads: 1, why: undefined };
      if (numbers.length === 0 && !options.file) throw new CliError('give phone numbers as arguments or with --file', 2);
      const country = options.country?.toUpperCase();
      if (country !== undefined && !knownCountry(country)) throw new CliError(`--country ${options.country}: not an ISO 3166 country code msgkit knows`, 2);
      const file = options.file ? await openRecipientsFile(options.file, options.column) : undefined;
      const classifier = new Classifier(country, { allowLandline: options.allowLandline === true });
      const { tally } = classifier;
      const progress = progressLine(io);
      const timer = setInterval(() => progress(`normalizing: ${readSoFar(tally.rows, file)}`), 1000);
      timer.unref();
      const kept: ClassifiedRow[] = [];
      const out = options.csv ? new CsvRows() : undefined;
      try {
        if (out) {
          line(io.stdout, 'row,input,e164,status,error,type');
          // One write per chunk of the file, with no object per row: a list can be millions of rows.
          // A usable number is written valid, and its duplicate check made with the chunk's others
          // before the chunk goes out (see Classifier.judge).
          const { last } = classifier;
          const write = (label: number | string, input: string, country: string | undefined) => {
            if (classifier.judge(input, country)) classifier.wait(out.validRow(label, input, last.e164!, last.type));
            else out.row(label, input, last.e164, last.status, last.code, last.type);
          };
          numbers.forEach((input, i) => write(`arg ${i + 1}`, input, undefined));
          // Respect the pipe's pace: a slow reader must not make us hold the whole list.
          const flush = async () => {
            out.settle(classifier.settle());
            return (io.stdout.write(out.take()) || (await drained(io))) && !io.stdoutClosed?.aborted;
          };
          if (numbers.length > 0 && !(await flush())) return;
          if (file) chosen = chooseThreads(threads, file.size, io.env, thisMachine());
          if (file && chosen.threads === 2) {
            // A long list: the phone checks in a worker thread, beside the reading and writing (phoneWorker.ts).
            if (!(await writeThroughWorker(file, classifier, options.allowLandline === true, out, flush, { waitForStart: io.env.MSGKIT_NORMALIZE_WORKER_START === 'wait' }))) return;
          } else if (file) {
            let expected = false;
            for await (const _ of file.scan((input, country, row) => write(row, input, country))) {
              // Room for as many numbers as the first chunk's rows promise for the whole file.
              if (!expected && file.bytesRead() > 0) {
                expected = true;
                classifier.expect(Math.ceil((tally.rows * file.size) / file.bytesRead()));
              }
              if (!(await flush())) return;
            }
          }
        } else {
          for await (const batch of sourceBatches(numbers, file)) {
            for (const row of batch) {
              const r = classifier.classify(row);
              if (kept.length < SHOWN) kept.push(r);
            }
          }
        }
      } finally {
        clearInterval(timer);
      }
      if (tally.rows === 0) throw new CliError('no phone numbers found', 2);
      const totals =
        `${tally.rows} inputs: ${tally.valid} unique valid, ${tally.duplicates} duplicates, ${tally.invalid} invalid; ` +
        `${landlineNote(tally, options.allowLandline)}; ${countryNote(country, tally)}`;
      if (options.csv) {
        // Which path ran, named as the option that picks it.
        line(io.stderr, file ? `${totals}; --threads ${chosen.threads}${chosen.why === undefined ? '' : ` (${chosen.why})`}` : totals);
      } else if (options.json) {
        const results = kept.map((r) =>
          r.status === 'invalid'
            ? { ok: false, row: label(r), input: r.input, code: r.code, ...(r.e164 && { e164: r.e164 }), ...(r.type && { type: r.type }) }
            : { ok: true, row: label(r), input: r.input, e164: r.e164, ...(r.type && { type: r.type }), duplicate: r.status === 'duplicate' },
        );
        line(io.stdout, JSON.stringify({ results, truncated: tally.rows > kept.length, valid: tally.valid, invalid: tally.invalid, duplicates: tally.duplicates, notMobile: tally.notMobile }));
      } else {
        // Loaded here: a --csv run over a list has no table to draw.
        const { renderTable } = await import('../table');
        const rows = kept.map((r) => [label(r), r.input, r.e164 ?? '', r.type ?? '', r.status === 'invalid' ? `invalid: ${r.code}` : r.status]);
        line(io.stdout, renderTable(['row', 'input', 'E.164', 'type', 'status'], rows));
        if (tally.rows > kept.length) line(io.stdout, `… ${tally.rows - kept.length} more rows: use --csv to print them all`);
        line(io.stdout, totals);
      }
      if (tally.invalid > 0) io.exitCode = 1;
    });
}
