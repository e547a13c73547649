/**
 * The campaign journal on local disk: one append-only JSON-lines file.
 *
 * Why this and not an embedded database: the journal's whole job is "this record is on disk before
 * the request leaves", which an append plus fdatasync gives directly, with no native module to
 * build (better-sqlite3 would put a compiled dependency on every CLI user, and its major versions
 * track Node's ABI). Records are small and few: one `begin` and one `settle` per batch, so a
 * 1 000 000-recipient campaign in batches of 5 000 costs 400 fsyncs. A process killed mid-write
 * leaves at most one torn last line, which is not a complete record and is cut off on reopen; every
 * complete line was fsynced before the send it describes started, or after the answer it describes.
 *
 * Records (one JSON object per line, `t` says which):
 * - `campaign`: first line; the campaign id and a hash of each part of what is sent (provider,
 *   sender, text, options, recipient list), so reopening for another campaign is refused by name.
 * - `begin`: batch `i` is about to be sent: its dedupe key `k`, digest `d`, recipients `to`, rows `rows`.
 * - `settle`: batch `i` ended: `status` sent (`ids`) / refused / unknown (`code`, `message`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open, readFile, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { JournalMismatchError } from '@msgkit/core';
import { batchDigest, type BatchOutcome, type BeginRecord, type CampaignJournal, type JournalBatch } from '@msgkit/core/internal';

/** What identifies a campaign: change any of it and the journal is another campaign's. */
export interface CampaignIdentity {
  provider: string;
  sender: string;
  text: string;
  /** Everything else that decides what is sent or how batches form (batch size, country, type…). */
  options: Record<string, string | number | boolean | undefined>;
  /** A digest of the ordered recipient list (e.g. `recipientsHash`). */
  recipients: string;
}

export interface CampaignHeader {
  t: 'campaign';
  v: 1;
  campaignId: string;
  /** sha256 of each identity part, by name. */
  parts: Record<keyof CampaignIdentity, string>;
  provider: string;
  created: string;
}

export interface BeginLine {
  t: 'begin';
  i: number;
  k?: string;
  d: string;
  to: string[];
  rows?: number[];
}

type SettleLine = { t: 'settle'; i: number } & BatchOutcome;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Hashes an ordered recipient list as it streams by, for `CampaignIdentity.recipients`. */
export function recipientsHasher(): { add(recipient: string): void; digest(): string } {
  const hash = createHash('sha256');
  return {
    add: (recipient) => void hash.update(`${recipient}\n`),
    digest: () => hash.digest('hex'),
  };
}

/** sha256 of every part of a campaign identity; the campaign id derives from them. */
export function identityParts(identity: CampaignIdentity): Record<keyof CampaignIdentity, string> {
  const options = Object.fromEntries(Object.entries(identity.options).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return {
    provider: sha256(identity.provider),
    sender: sha256(identity.sender),
    text: sha256(identity.text),
    options: sha256(JSON.stringify(options)),
    recipients: sha256(identity.recipients),
  };
}

/** A campaign id derived from its content: the same campaign always gets the same id (and so the same batch keys). */
export function campaignIdOf(identity: CampaignIdentity): string {
  const parts = identityParts(identity);
  return `c-${sha256(Object.values(parts).join(':')).slice(0, 32)}`;
}

/** What a journal file holds, read once: the header and the latest state of every batch. */
export interface JournalContents {
  header: CampaignHeader;
  batches: Map<number, JournalBatch>;
  /** Byte length of the complete records (a torn last line, if any, lies beyond it). */
  validBytes: number;
  torn: boolean;
}

export class JournalFormatError extends Error {
  override name = 'JournalFormatError';
}

/** Reads a journal file record by record (it can be hundreds of MB): only per-batch state is kept. */
export async function readJournal(path: string, onBegin?: (record: BeginLine) => void): Promise<JournalContents> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let header: CampaignHeader | undefined;
  const batches = new Map<number, JournalBatch>();
  let validBytes = 0;
  let pending: string | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    // A line that does not parse is only acceptable as the very last one (torn by a crash).
    if (pending !== undefined) throw new JournalFormatError(`${path} line ${lineNumber}: not a journal record (the file is damaged)`);
    lineNumber++;
    let record: CampaignHeader | BeginLine | SettleLine;
    try {
      record = JSON.parse(line);
    } catch {
      pending = line;
      continue;
    }
    if (lineNumber === 1) {
      if (record.t !== 'campaign' || record.v !== 1) throw new JournalFormatError(`${path} is not a msgkit campaign journal`);
      header = record;
    } else if (record.t === 'begin') {
      batches.set(record.i, { index: record.i, size: record.to.length, digest: record.d, ...(record.k && { dedupeKey: record.k }) });
      onBegin?.(record);
    } else if (record.t === 'settle') {
      const batch = batches.get(record.i);
      if (!batch) throw new JournalFormatError(`${path} line ${lineNumber}: batch ${record.i} settled before it began`);
      const { t: _t, i: _i, ...outcome } = record;
      batch.outcome = outcome as BatchOutcome;
    } else {
      throw new JournalFormatError(`${path} line ${lineNumber}: unknown record`);
    }
    validBytes += Buffer.byteLength(line) + 1;
  }
  if (!header) throw new JournalFormatError(`${path} has no campaign record: it is empty or not a msgkit campaign journal`);
  return { header, batches, validBytes, torn: pending !== undefined };
}

export interface OpenJournalOptions {
  /** Use this campaign id instead of the one derived from the content (it then identifies the campaign). */
  campaignId?: string;
}

/**
 * Opens the journal at `path` for `identity`: creates it (header fsynced, and its directory entry)
 * when absent, else reads it back, cuts off a torn last line and checks that it belongs to this
 * very campaign, naming what changed otherwise (JournalMismatchError). One process at a time: a
 * lock file beside it holds the writer's pid.
 */
export async function openFileJournal(path: string, identity: CampaignIdentity, options: OpenJournalOptions = {}): Promise<FileJournal> {
  const parts = identityParts(identity);
  const campaignId = options.campaignId ?? campaignIdOf(identity);
  await lock(path);
  try {
    if (!existsSync(path)) {
      const header: CampaignHeader = { t: 'campaign', v: 1, campaignId, parts, provider: identity.provider, created: new Date().toISOString() };
      const handle = await open(path, 'wx');
      await handle.write(`${JSON.stringify(header)}\n`);
      await handle.datasync();
      await syncDirectory(dirname(path));
      return new FileJournal(path, handle, header, new Map());
    }
    const contents = await readJournal(path);
    const changed = (Object.keys(parts) as Array<keyof CampaignIdentity>).filter((k) => contents.header.parts[k] !== parts[k]);
    if (options.campaignId !== undefined && options.campaignId !== contents.header.campaignId) changed.unshift('campaignId' as keyof CampaignIdentity);
    if (changed.length > 0) {
      throw new JournalMismatchError(
        changed,
        `${path} records campaign ${contents.header.campaignId}, and this one differs in its ${changed.map(describePart).join(', ')}. Use another journal file for another campaign.`,
      );
    }
    const { size } = await stat(path);
    if (contents.torn) await truncate(path, contents.validBytes);
    const handle = await open(path, 'a');
    // A last record complete but for its newline: end it, or the next record would join its line.
    if (!contents.torn && size < contents.validBytes) {
      await handle.write('\n');
      await handle.datasync();
    }
    return new FileJournal(path, handle, contents.header, contents.batches);
  } catch (error) {
    await unlock(path);
    throw error;
  }
}

const describePart = (part: string) =>
  ({ provider: 'provider', sender: 'sender', text: 'text', options: 'options (batch size, country, type…)', recipients: 'recipient list', campaignId: 'campaign id' })[part] ?? part;

export class FileJournal implements CampaignJournal {
  readonly campaignId: string;
  #queue: Array<{ line: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing = false;
  #closed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly header: CampaignHeader,
    private readonly batches: Map<number, JournalBatch>,
  ) {
    this.campaignId = header.campaignId;
  }

  batch(index: number): JournalBatch | undefined {
    return this.batches.get(index);
  }

  /** Every batch the journal holds, by index. */
  all(): JournalBatch[] {
    return [...this.batches.values()].sort((a, b) => a.index - b.index);
  }

  async begin(record: BeginRecord): Promise<void> {
    const digest = batchDigest(record.recipients);
    const line: BeginLine = { t: 'begin', i: record.index, ...(record.dedupeKey && { k: record.dedupeKey }), d: digest, to: record.recipients, ...(record.rows && { rows: record.rows }) };
    await this.#append(JSON.stringify(line));
    this.batches.set(record.index, { index: record.index, size: record.recipients.length, digest, ...(record.dedupeKey && { dedupeKey: record.dedupeKey }) });
  }

  async settle(index: number, outcome: BatchOutcome): Promise<void> {
    const batch = this.batches.get(index);
    if (!batch) throw new RangeError(`batch ${index} was never begun`);
    await this.#append(JSON.stringify({ t: 'settle', i: index, ...outcome }));
    batch.outcome = outcome;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
    await unlock(this.path);
  }

  // Records queued while a write is on disk go out together: one write and one fdatasync for all.
  #append(line: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0);
      try {
        await this.handle.write(group.map((g) => `${g.line}\n`).join(''));
        await this.handle.datasync();
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    this.#flushing = false;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the file's own fsync is what they offer.
  }
}

const lockPath = (path: string) => `${path}.lock`;

async function lock(path: string): Promise<void> {
  const file = lockPath(path);
  try {
    await writeFile(file, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A lock left by a process that died (SIGKILL, reboot) is taken over; a live one is not.
  const pid = Number(await readFile(file, 'utf8').catch(() => ''));
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
    throw new Error(`${path} is in use by process ${pid}: two senders on one journal could send a batch twice`);
  }
  await writeFile(file, String(process.pid));
}

async function unlock(path: string): Promise<void> {
  await unlink(lockPath(path)).catch(() => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
