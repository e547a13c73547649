import { closeSync, createWriteStream, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { FINAL_STATES, JournalStates, type FinalState } from './deliveryStates';
import { CliError, line, type Io } from './io';
import { renderTable } from './table';

const HEADER = 'row,e164,state,status,reason,message_id,provider,tries,delivered_twice_by';
/** The header before `tries` and `delivered_twice_by`: such a file is ours too, and is replaced. */
const EARLIER_HEADER = 'row,e164,state,status,reason,message_id,provider';
const csv = (value: string | number | undefined) => {
  const text = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Prints how many recipients are delivered, failed, pending and unknown (with the reasons of the
 * unknown), and with `results` writes each recipient's state; resolves true when any failed or is unknown.
 */
export async function writeDeliveryStates(journal: string, io: Io, results?: string): Promise<boolean> {
  const states = await JournalStates.read(journal);
  const counts = Object.fromEntries(FINAL_STATES.map((s) => [s, 0])) as Record<FinalState, number>;
  const unknownBy = new Map<string, number>();
  const target = results === undefined ? undefined : checkTarget(results, journal);
  const temp = target && `${target}.${process.pid}.tmp`;
  const out = temp ? createWriteStream(temp, { flags: 'wx' }) : undefined;
  try {
    out?.write(`${HEADER}\n`);
    for (const r of states.recipients()) {
      counts[r.state]++;
      if (r.state === 'unknown') unknownBy.set(r.reason, (unknownBy.get(r.reason) ?? 0) + 1);
      if (out && !out.write(`${[r.row, r.e164, r.state, r.status, r.reason, r.messageId, r.provider, r.tries, r.lateDelivered].map(csv).join(',')}\n`)) await once(out, 'drain');
    }
    if (out) {
      out.end();
      await finished(out);
      // Whole or not at all: a reader never sees half a results file.
      renameSync(temp!, target!);
    }
  } catch (error) {
    if (temp) rmSync(temp, { force: true });
    throw error;
  }
  line(io.stdout, renderTable(['delivery', 'recipients'], FINAL_STATES.map((s) => [s, counts[s]])));
  if (unknownBy.size > 0) line(io.stdout, `unknown: ${[...unknownBy].map(([reason, n]) => `${n} ${reason}`).join(', ')} (msgkit reconcile asks the vendor)`);
  return counts.failed + counts.unknown > 0;
}

/** The results path, refused where writing it would destroy something that is not an earlier such file. */
function checkTarget(path: string, journal: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  const other = statSync(journal, { throwIfNoEntry: false });
  if (stat && other && stat.dev === other.dev && stat.ino === other.ino) throw new CliError(`--results ${path} is the journal; writing it would destroy it`, 2);
  if (stat && !stat.isFile()) throw new CliError(`--results ${path} exists and is not a regular file`, 2);
  if (stat && stat.size > 0 && !startsWithHeader(path)) throw new CliError(`--results ${path} exists and is not a delivery results file: msgkit never overwrites it`, 2);
  return path;
}

function startsWithHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER.length);
    const read = readSync(fd, buffer, 0, HEADER.length, 0);
    const start = buffer.toString('utf8', 0, read);
    return start === HEADER || start.startsWith(`${EARLIER_HEADER}\n`) || start.startsWith(`${EARLIER_HEADER}\r\n`);
  } finally {
    closeSync(fd);
  }
}
