/**
 * Reading a journal record by record, with the byte offset of each: for a reader that follows a
 * journal while a run writes it (a dashboard), reading only what was appended since its last look,
 * and for one that goes back to a single record later (the recipients of one batch) without
 * holding every recipient of a million-recipient campaign in memory.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { BatchOutcome } from '@msgkit/core';
import type { AttemptLine, DoneLine } from './attempts';
import type { BeginLine, CampaignHeader, StateLine } from './fileJournal';

/** A batch's `settle` record, written and synced once its send ended: index `i` and the outcome (sent, refused or unknown). */
export type SettleLine = { t: 'settle'; i: number } & BatchOutcome;

/**
 * One record of a journal file: its header (first line), a batch begun, a batch settled (v1), an
 * attempt of a chain begun or settled (v2), what became of a batch after its send.
 */
export type JournalRecord = CampaignHeader | BeginLine | SettleLine | AttemptLine | DoneLine | StateLine;

/** A journal file that is not a msgkit campaign journal, or whose records are damaged (named by line). */
export class JournalFormatError extends Error {
  override name = 'JournalFormatError';
}

/**
 * Checks that a parsed line is a record that may stand at this place: the header first and only
 * first, then `begin` and `settle` (v1) or `attempt` and `done` (v2), `reconcile` and `delivery`
 * records; which of them a journal's version allows is the reader's check. Shared by every reader of the file.
 */
export function checkRecord(value: unknown, first: boolean, where: string): JournalRecord {
  const record = value as Partial<JournalRecord> | null;
  if (first) {
    if (record?.t !== 'campaign' || ((record as CampaignHeader).v !== 1 && (record as CampaignHeader).v !== 2)) throw new JournalFormatError(`${where} is not a msgkit campaign journal`);
    return record as CampaignHeader;
  }
  if (record?.t === 'begin' || record?.t === 'settle' || record?.t === 'attempt' || record?.t === 'done' || record?.t === 'reconcile' || record?.t === 'delivery') return record as JournalRecord;
  throw new JournalFormatError(`${where}: unknown record`);
}

/** Where `readJournalRecords` starts and what it calls with each record. */
export interface ReadRecordsOptions {
  /** Byte offset to start at: 0 (the default) or an offset a previous call returned. */
  from?: number;
  /** Called with every complete record, in file order, and the byte offset where its line starts. */
  each(record: JournalRecord, offset: number): void;
}

/**
 * Reads the complete records of the journal at `path` from byte `from`, and resolves with the
 * offset just past the last one: call again with it to read what was appended since. A last line
 * without its newline is left unread, since the writer may still be writing it (or a crash tore
 * it, and the next run cuts it off); it is read once complete. A complete line that is not a record
 * is a JournalFormatError naming its byte offset.
 */
export async function readJournalRecords(path: string, options: ReadRecordsOptions): Promise<number> {
  const from = options.from ?? 0;
  if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`from must be a byte offset, got ${String(from)}`);
  let offset = from;
  let rest: Buffer[] = [];
  let restLength = 0;
  for await (const chunk of createReadStream(path, { start: from }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      const line = restLength === 0 ? piece : Buffer.concat([...rest, piece], restLength + piece.length);
      rest = [];
      restLength = 0;
      options.each(parseLine(line, offset, path), offset);
      offset += line.length + 1;
      start = end + 1;
    }
    if (start < chunk.length) {
      rest.push(chunk.subarray(start));
      restLength += chunk.length - start;
    }
  }
  return offset;
}

/** The record whose line starts at byte `offset` (an offset `readJournalRecords` gave). */
export async function readJournalRecordAt(path: string, offset: number): Promise<JournalRecord> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a byte offset, got ${String(offset)}`);
  const handle = await open(path, 'r');
  try {
    const parts: Buffer[] = [];
    let position = offset;
    // Lines are small but for a begin of a big batch (25 000 numbers: ~450 kB): read in steps.
    for (let size = 16 * 1024; ; size = Math.min(size * 2, 1024 * 1024)) {
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, position);
      if (bytesRead === 0) throw new JournalFormatError(`${path}: no complete record at byte ${offset}`);
      const end = buffer.subarray(0, bytesRead).indexOf(10);
      if (end >= 0) {
        parts.push(buffer.subarray(0, end));
        return parseLine(Buffer.concat(parts), offset, path);
      }
      parts.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function parseLine(line: Buffer, offset: number, path: string): JournalRecord {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    throw new JournalFormatError(offset === 0 ? `${path} is not a msgkit campaign journal` : `${path} byte ${offset}: not a journal record (the file is damaged)`);
  }
  return checkRecord(value, offset === 0, offset === 0 ? path : `${path} byte ${offset}`);
}
