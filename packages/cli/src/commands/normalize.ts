import { normalizePhone } from '@msgkit/core';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { readRecipientsFile } from '../recipients';
import { renderTable } from '../table';

interface NormalizeOptions {
  file?: string;
  country?: string;
  json?: boolean;
}

export function normalizeCommand(program: Command, io: Io): void {
  program
    .command('normalize')
    .description('normalize phone numbers to E.164; invalid ones are listed with their reason')
    .argument('[numbers...]', 'phone numbers in any common format')
    .option('-f, --file <path>', 'read numbers from a CSV or one-per-line file')
    .option('-c, --country <XX>', 'ISO 3166 country for numbers written in national format')
    .option('--json', 'print JSON instead of a table')
    .action((numbers: string[], options: NormalizeOptions) => {
      const inputs = [...numbers, ...(options.file ? readRecipientsFile(options.file) : [])];
      if (inputs.length === 0) throw new CliError('give phone numbers as arguments or with --file', 2);
      const country = options.country?.toUpperCase();
      const results = inputs.map((input) => normalizePhone(input, country ? { defaultCountry: country } : {}));
      const seen = new Set<string>();
      let duplicates = 0;
      for (const r of results) if (r.ok) (seen.has(r.e164) ? duplicates++ : seen.add(r.e164));
      const invalid = results.filter((r) => !r.ok).length;
      if (options.json) {
        line(io.stdout, JSON.stringify({ results, valid: seen.size, invalid, duplicates }));
      } else {
        const rows = results.map((r, i) => (r.ok ? [i, inputs[i]!, r.e164, r.country ?? ''] : [i, inputs[i]!, '', `invalid: ${r.code}`]));
        line(io.stdout, renderTable(['#', 'input', 'E.164', 'country / reason'], rows));
        line(io.stdout, `${inputs.length} inputs: ${seen.size} unique valid, ${duplicates} duplicates, ${invalid} invalid`);
      }
      if (invalid > 0) io.exitCode = 1;
    });
}
