/**
 * Where `--results` may write. It must never be an input (the recipient list) or the journal, by
 * whatever name: the paths are compared as the file system sees them (device and inode, so a hard
 * link or a symlink is caught too; real paths for a file not created yet). An existing file is
 * replaced only when it is a results file of this very campaign (its rows carry the campaign's tag);
 * anything else is refused before a message is sent.
 */
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CliError } from './io';
import { RESULT_COLUMNS } from './results';

export interface ProtectedFile {
  path: string;
  /** What it is, for the message: `the recipient list`, `the journal`. */
  what: string;
}

/** Where a path points: the real path of an existing file, else its real directory and its name. */
function realTarget(path: string): string | undefined {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return undefined;
    }
  }
}

/** Checks `--results <path>` before anything is sent; returns the file to write (a symlink's target). */
export function checkResultsPath(path: string, inputs: ProtectedFile[], tag: string): string {
  const target = realTarget(path);
  if (target === undefined) throw new CliError(`--results ${path}: its directory does not exist`, 2);
  const stat = statSync(target, { throwIfNoEntry: false });
  for (const input of inputs) {
    const other = statSync(input.path, { throwIfNoEntry: false });
    const same = stat && other ? stat.dev === other.dev && stat.ino === other.ino : target === realTarget(input.path);
    if (same) throw new CliError(`--results ${path} is ${input.what} (${input.path}); writing it would destroy it. Choose another --results path.`, 2);
  }
  if (stat && !stat.isFile()) throw new CliError(`--results ${path} exists and is not a regular file`, 2);
  if (stat && stat.size > 0 && !isResultsOf(target, tag)) {
    throw new CliError(`--results ${path} exists and is not a results file of this campaign: msgkit never overwrites it. Choose another path, or delete it if you no longer need it.`, 2);
  }
  return target;
}

/** True for a results file msgkit wrote for the campaign `tag`: its header, and the tag in its first row. */
function isResultsOf(path: string, tag: string): boolean {
  const buffer = Buffer.alloc(65_536);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  try {
    const records = parse(buffer.subarray(0, read), { to_line: 2, relax_column_count: true }) as string[][];
    const [header, first] = records;
    if (!header || RESULT_COLUMNS.some((name, i) => header[i] !== name)) return false;
    return first === undefined || first[RESULT_COLUMNS.indexOf('campaign')] === tag;
  } catch {
    return false;
  }
}
