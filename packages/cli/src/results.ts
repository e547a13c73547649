import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { BatchOutcome } from '@msgkit/core';
import { CliError } from './io';

export type ResultStatus = 'sent' | 'invalid' | 'refused' | 'unknown' | 'duplicate';

export interface ResultRow {
  /** The row's line in the file, or `arg N` for the N-th --to number. */
  row: string;
  input: string;
  e164?: string;
  /** The number's type (MOBILE, FIXED_LINE, …) where the metadata tells. */
  type?: string;
  status: ResultStatus;
  vendorId?: string;
  error?: string;
}

const HEADER = ['row', 'input', 'e164', 'status', 'vendor_id', 'error', 'type'];
const cell = (value: string | undefined) => {
  const v = value ?? '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/**
 * The per-row results file, written as rows are settled (buffered, written synchronously in 64 kB
 * pieces, so memory stays flat however long the list). A run rewrites it from scratch: after a crash
 * the next run's file is the one that counts.
 */
export class ResultsWriter {
  #fd: number;
  #buffer: string[] = [];
  #size = 0;
  readonly counts: Record<ResultStatus, number> = { sent: 0, invalid: 0, refused: 0, unknown: 0, duplicate: 0 };

  constructor(readonly path: string) {
    try {
      this.#fd = openSync(path, 'w');
    } catch (error) {
      throw new CliError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unwritable'}`, 2);
    }
    this.#push(HEADER.join(','));
  }

  write(row: ResultRow): void {
    this.counts[row.status]++;
    this.#push([row.row, row.input, row.e164, row.status, row.vendorId, row.error, row.type].map(cell).join(','));
  }

  close(): void {
    this.#flush();
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  #push(line: string): void {
    this.#buffer.push(line);
    this.#size += line.length + 1;
    if (this.#size >= 65_536) this.#flush();
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    writeSync(this.#fd, `${this.#buffer.join('\n')}\n`);
    this.#buffer = [];
    this.#size = 0;
  }
}

/** The status, vendor id and error of a row in a batch with this outcome (none yet: in flight when a process died). */
export function fromOutcome(outcome: BatchOutcome | undefined): Pick<ResultRow, 'status' | 'vendorId' | 'error'> {
  if (!outcome) return { status: 'unknown', error: 'in_flight: the batch was being sent when an earlier run stopped; the vendor may have received it' };
  if (outcome.status === 'sent') return { status: 'sent', vendorId: outcome.ids.join(' ') };
  return { status: outcome.status, error: `${outcome.code}: ${outcome.message}` };
}
