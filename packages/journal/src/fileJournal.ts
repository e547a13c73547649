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
 * A record counts as written only when every byte of it was written (a short write is followed by
 * the rest) and the fdatasync after it succeeded. Any failure (ENOSPC, EFBIG, EIO, a failed sync)
 * rejects that record and every later one with a JournalWriteError naming the file and the
 * system's code; the file is cut back to its last good record where the disk still allows it, and
 * a torn tail left otherwise is cut off on reopen, so a `begin` that did not reach the disk whole
 * is never taken as written.
 *
 * Records (one JSON object per line, `t` says which):
 * - `campaign`: first line; the campaign id and a hash of each part of what is sent (provider,
 *   sender, text, options, recipient list), so reopening for another campaign is refused by name.
 * - `begin`: batch `i` is about to be sent: its dedupe key `k`, digest `d`, recipients `to`, rows `rows`.
 * - `settle`: batch `i` ended: `status` sent (`ids`) / refused / unknown (`code`, `message`…).
 * - `reconcile` (`r`) and `delivery` (`e`): what became of batch `i` after the send, recorded by
 *   `msgkit reconcile` (a vendor's answer with its proof) and by a delivery-report receiver; the
 *   journal keeps them in order and leaves their meaning to its readers (`onState`).
 * A `begin` with no `settle` after it is read back as unknown, code `interrupted` (core's
 * `interruptedOutcome`): the run that began it stopped before the answer was recorded.
 *
 * A journal opened with `{ chain }` records the attempts of a failover chain instead (header
 * `v: 2`, see attempts.ts): `attempt` (begun) and `done` (settled) per attempt of each batch;
 * `reconcile` and `delivery` records follow them as they follow a `begin`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { JournalMismatchError, JournalWriteError } from '@msgkit/core';
import { batchDigest, interruptedOutcome, type BatchOutcome, type BeginRecord, type CampaignJournal, type JournalBatch } from '@msgkit/core/internal';
import { AttemptIndex, FileFailoverJournal, type FailoverJournalOptions } from './attempts';
import { acquireLock, releaseLock, type LockOwner } from './lock';
import { checkRecord, JournalFormatError, type JournalRecord, type SettleLine } from './records';

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

/** The first line of a journal: the campaign's id, a digest of each part of its identity, its provider and when it began. */
export interface CampaignHeader {
  t: 'campaign';
  /** 1: batch records (`sendInBatches`); 2: the attempts of a failover chain. */
  v: 1 | 2;
  campaignId: string;
  /** sha256 of each identity part, by name. */
  parts: Record<keyof CampaignIdentity, string>;
  provider: string;
  /** v2: the senders' names, in the order tried. */
  chain?: string[];
  created: string;
}

/** A batch's `begin` record, written and synced before its request starts: index `i`, dedupe key `k`, digest `d`, recipients `to` and their input rows. */
export interface BeginLine {
  t: 'begin';
  i: number;
  k?: string;
  d: string;
  to: string[];
  rows?: number[];
  /** When the batch was begun (ISO 8601): a lookup judges by it whether the vendor still keeps it. Absent in older journals. */
  at?: string;
}

/** What became of batch `i` after its send: a reconcile answer (`r`) or a delivery report (`e`), as JSON objects. */
export type StateLine = { t: 'reconcile'; i: number; r: Record<string, unknown> } | { t: 'delivery'; i: number; e: Record<string, unknown> };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Hashes an ordered recipient list as it streams by, for `CampaignIdentity.recipients`. */
export function recipientsHasher(): {
  /** Adds the next recipient of the list. */
  add(recipient: string): void;
  /** The sha256 (hex) of the list so far, once: the hasher is spent after it. */
  digest(): string;
} {
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

/** A digest of what every batch sends besides its recipients: what the batch keys bind with the campaign id. */
export function contentOf(parts: Record<keyof CampaignIdentity, string>): string {
  return sha256(`${parts.provider}:${parts.sender}:${parts.text}:${parts.options}`);
}

/** A campaign id derived from its content: the same campaign always gets the same id (and so the same batch keys). */
export function campaignIdOf(identity: CampaignIdentity): string {
  const parts = identityParts(identity);
  return `c-${sha256(Object.values(parts).join(':')).slice(0, 32)}`;
}

/** What a journal file holds, read once: the header and the latest state of every batch. */
export interface JournalContents {
  header: CampaignHeader;
  /** v1: the latest state of every batch. */
  batches: Map<number, JournalBatch>;
  /** v2: where each batch's attempt records lie in the file (read them with `readAttempts`). */
  attempts: AttemptIndex;
  /** Byte length of the complete records (a torn last line, if any, lies beyond it). */
  validBytes: number;
  torn: boolean;
}

/** Reads a journal file record by record (it can be hundreds of MB): only per-batch state is kept. */
export async function readJournal(path: string, onBegin?: (record: BeginLine) => void, onState?: (record: StateLine) => void): Promise<JournalContents> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let header: CampaignHeader | undefined;
  const batches = new Map<number, JournalBatch>();
  const attempts = new AttemptIndex();
  let validBytes = 0;
  let pending: string | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    // A line that does not parse is only acceptable as the very last one (torn by a crash).
    if (pending !== undefined) throw new JournalFormatError(`${path} line ${lineNumber}: not a journal record (the file is damaged)`);
    lineNumber++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      pending = line;
      continue;
    }
    const record: JournalRecord = checkRecord(parsed, lineNumber === 1, lineNumber === 1 ? path : `${path} line ${lineNumber}`);
    if (record.t === 'campaign') {
      header = record;
    } else if (record.t === 'reconcile' || record.t === 'delivery') {
      if (!(header!.v === 2 ? attempts.get(record.i) : batches.has(record.i))) throw new JournalFormatError(`${path} line ${lineNumber}: a ${record.t} record for batch ${record.i}, which never began`);
      onState?.(record);
    } else if (header!.v === 2) {
      if (record.t !== 'attempt' && record.t !== 'done') throw new JournalFormatError(`${path} line ${lineNumber}: unknown record`);
      const problem = attempts.add(record, validBytes, Buffer.byteLength(line));
      if (problem) throw new JournalFormatError(`${path} line ${lineNumber}: ${problem} (the file is damaged)`);
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
  // Read back, a batch begun and never settled was left by a run that stopped: unknown, one word everywhere.
  for (const batch of batches.values()) batch.outcome ??= { ...interruptedOutcome };
  return { header, batches, attempts, validBytes, torn: pending !== undefined };
}

/** The file operations a journal uses: node:fs/promises by default; injectable to test what a failing disk does. */
export interface JournalFile {
  /** Writes `length` bytes of `buffer` from `offset`; may write fewer (the journal completes a short write). */
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  /** Flushes the written bytes to the disk (fdatasync). */
  datasync(): Promise<void>;
  /** Cuts the file back to `length` bytes (after a failed write). */
  truncate(length: number): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}
/** Opens journal files: node:fs/promises by default, injectable to test a failing disk. */
export interface JournalFileSystem {
  /** Opens `path` to create it (`wx`) or append to it (`a`). */
  open(path: string, flags: 'wx' | 'a'): Promise<JournalFile>;
}

/** Options of `openFileJournal`. */
export interface OpenJournalOptions {
  /** Use this campaign id instead of the one derived from the content (it then identifies the campaign). */
  campaignId?: string;
  /** The file operations to use (default node:fs/promises). */
  fs?: JournalFileSystem;
  /**
   * Record the attempts of a failover chain (through `failover()`), not batches: the senders'
   * names in the order tried. The identity's `provider` should name them in that order too, so
   * that the chain is part of the campaign's content and of every key bound to it.
   */
  chain?: readonly string[];
  /** Called once when the journal is held for a moment by a delivery-report receiver and this open waits for it, with its pid. */
  onWaiting?: (pid: number) => void;
}

/** Options of `reopenFileJournal`. */
export interface ReopenJournalOptions extends Pick<OpenJournalOptions, 'fs' | 'onWaiting'> {
  /**
   * This open holds the journal for a moment only (one append, then close), as a delivery-report
   * receiver does: a send or another open that finds it held waits for it instead of being refused.
   */
  brief?: boolean;
}

/**
 * Opens the journal at `path` for `identity`: creates it (header fsynced, and its directory entry)
 * when absent, else reads it back, cuts off a torn last line and checks that it belongs to this
 * very campaign, naming what changed otherwise (JournalMismatchError). One process at a time: a
 * lock file beside it names the writer (see lock.ts); a dead writer's lock is taken over.
 */
export async function openFileJournal(path: string, identity: CampaignIdentity, options: OpenJournalOptions = {}): Promise<FileJournal> {
  const parts = identityParts(identity);
  const campaignId = options.campaignId ?? campaignIdOf(identity);
  const fs = options.fs ?? { open };
  const owner = await acquireLock(path, options.onWaiting ? { onWaiting: options.onWaiting } : {});
  try {
    // An empty file is one whose header never reached the disk (a crash or a full disk at creation).
    const existing = existsSync(path) ? (await stat(path)).size : 0;
    if (existing === 0) {
      const header: CampaignHeader = {
        t: 'campaign',
        v: options.chain ? 2 : 1,
        campaignId,
        parts,
        provider: identity.provider,
        ...(options.chain && { chain: [...options.chain] }),
        created: new Date().toISOString(),
      };
      const handle = await fs.open(path, existsSync(path) ? 'a' : 'wx');
      const journal = new FileJournal(path, handle, header, new Map(), 0, owner, new AttemptIndex());
      try {
        await journal.append(JSON.stringify(header));
        await syncDirectory(dirname(path));
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
      return journal;
    }
    const contents = await readJournal(path);
    if (options.chain && contents.header.v !== 2) {
      throw new JournalMismatchError(['journal'], `${path} records batches, not the attempts of a chain: it was written by a send through one provider before failover chains. Finish it with the msgkit that wrote it, or use another journal file.`);
    }
    if (!options.chain && contents.header.v === 2) {
      throw new JournalMismatchError(['journal'], `${path} records the attempts of a chain (${(contents.header.chain ?? []).join(', ')}): open it with that chain.`);
    }
    const changed = (Object.keys(parts) as Array<keyof CampaignIdentity>).filter((k) => contents.header.parts[k] !== parts[k]);
    if (options.campaignId !== undefined && options.campaignId !== contents.header.campaignId) changed.unshift('campaignId' as keyof CampaignIdentity);
    if (changed.length > 0) {
      throw new JournalMismatchError(
        changed,
        `${path} records campaign ${contents.header.campaignId}, and this one differs in its ${changed.map(describePart).join(', ')}. Use another journal file for another campaign.`,
      );
    }
    return await appendTo(path, contents, fs, owner);
  } catch (error) {
    await releaseLock(path, owner);
    throw error;
  }
}

/**
 * Opens an existing journal to record what became of its batches (`note`), taking the same lock
 * as a send: the campaign is the one the file names, so no identity is asked for.
 */
export async function reopenFileJournal(path: string, options: ReopenJournalOptions = {}): Promise<FileJournal> {
  const owner = await acquireLock(path, { ...(options.brief && { brief: true }), ...(options.onWaiting && { onWaiting: options.onWaiting }) });
  try {
    return await appendTo(path, await readJournal(path), options.fs ?? { open }, owner);
  } catch (error) {
    await releaseLock(path, owner);
    throw error;
  }
}

async function appendTo(path: string, contents: JournalContents, fs: JournalFileSystem, owner: LockOwner): Promise<FileJournal> {
  const { size } = await stat(path);
  if (contents.torn) await truncate(path, contents.validBytes);
  const handle = await fs.open(path, 'a');
  const journal = new FileJournal(path, handle, contents.header, contents.batches, Math.min(size, contents.validBytes), owner, contents.attempts);
  // A last record complete but for its newline: end it, or the next record would join its line.
  if (!contents.torn && size < contents.validBytes) await journal.append('', '\n');
  return journal;
}

const describePart = (part: string) =>
  ({ provider: 'providers (the chain and its order)', sender: 'sender', text: 'text', options: 'options (batch size, country, type…)', recipients: 'recipient list', campaignId: 'campaign id' })[part] ?? part;

/**
 * A campaign journal on disk, from `openFileJournal`: the `store` of `sendInBatches`' `journal`
 * option. Each record is appended and fdatasynced before it counts; close it when the campaign ends.
 */
export class FileJournal implements CampaignJournal {
  readonly campaignId: string;
  readonly content: string;
  #queue: Array<{ bytes: Buffer; resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing = false;
  #closed = false;
  /** Bytes of the file known written and synced: where a failed write is cut back to. */
  #size: number;
  /** Bytes of the file once every record queued so far is written: where the next one starts. */
  #end: number;
  #failover: FileFailoverJournal | undefined;
  /** Set by the first failed write or sync: nothing after it is trusted, so nothing more is accepted. */
  #failure: JournalWriteError | undefined;

  constructor(
    readonly path: string,
    private readonly handle: JournalFile,
    readonly header: CampaignHeader,
    private readonly batches: Map<number, JournalBatch>,
    size: number,
    private readonly owner: LockOwner,
    private readonly attemptIndex: AttemptIndex = new AttemptIndex(),
  ) {
    this.campaignId = header.campaignId;
    this.content = contentOf(header.parts);
    this.#size = size;
    this.#end = size;
  }

  /**
   * The journal as a failover chain's record (core's FailoverJournal), for a journal opened with
   * `{ chain }`: each attempt durably on disk before it resolves, so the request leaves after it.
   */
  failover(options: FailoverJournalOptions = {}): FileFailoverJournal {
    if (this.header.v !== 2) throw new JournalMismatchError(['journal'], `${this.path} records batches: open it with { chain } to record a failover chain`);
    if (!this.#failover || options.rows) this.#failover = new FileFailoverJournal(this, this.attemptIndex, options);
    return this.#failover;
  }

  /** The error that stopped this journal, if a write or sync failed. */
  get failure(): JournalWriteError | undefined {
    return this.#failure;
  }

  batch(index: number): JournalBatch | undefined {
    return this.batches.get(index);
  }

  /** How many batches an earlier run began (batches, or the batches of a chain's attempts). */
  get begunBatches(): number {
    return this.header.v === 2 ? this.attemptIndex.size : this.batches.size;
  }

  /** Every batch the journal holds, by index. */
  all(): JournalBatch[] {
    return [...this.batches.values()].sort((a, b) => a.index - b.index);
  }

  async begin(record: BeginRecord): Promise<void> {
    const digest = batchDigest(record.recipients);
    const line: BeginLine = { t: 'begin', i: record.index, ...(record.dedupeKey && { k: record.dedupeKey }), d: digest, to: record.recipients, ...(record.rows && { rows: record.rows }), at: new Date().toISOString() };
    await this.append(JSON.stringify(line));
    this.batches.set(record.index, { index: record.index, size: record.recipients.length, digest, ...(record.dedupeKey && { dedupeKey: record.dedupeKey }) });
  }

  async settle(index: number, outcome: BatchOutcome): Promise<void> {
    const batch = this.batches.get(index);
    if (!batch) throw new RangeError(`batch ${index} was never begun`);
    await this.append(JSON.stringify({ t: 'settle', i: index, ...outcome }));
    batch.outcome = outcome;
  }

  /** Records what became of a begun batch after its send (a reconcile answer or a delivery report), durably. */
  async note(record: StateLine): Promise<void> {
    if (!(this.header.v === 2 ? this.attemptIndex.get(record.i) : this.batches.has(record.i))) throw new RangeError(`batch ${record.i} was never begun`);
    await this.append(JSON.stringify(record));
  }

  /** Closes the file and releases the lock; closing twice does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.attemptIndex.closeReader();
      await this.handle.close();
    } finally {
      await releaseLock(this.path, this.owner);
    }
  }

  /**
   * Appends `line` and its newline durably, resolving with the offset it starts at. Records queued
   * while a write is on disk go out together: one write and one fdatasync for all.
   */
  append(line: string, raw = `${line}\n`): Promise<number> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new JournalWriteError(`${this.path} is closed`, { path: this.path }));
    const bytes = Buffer.from(raw);
    const offset = this.#end;
    this.#end += bytes.length;
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ bytes, resolve: () => resolve(offset), reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0);
      if (this.#failure) {
        for (const g of group) g.reject(this.#failure);
        continue;
      }
      const bytes = Buffer.concat(group.map((g) => g.bytes));
      try {
        await this.#writeAll(bytes);
        await this.handle.datasync();
        this.#size += bytes.length;
        for (const g of group) g.resolve();
      } catch (error) {
        this.#failure = JournalWriteError.from(error, this.path);
        // Cut back to the last good record, so no part of a rejected one stays; if even that fails,
        // the torn tail is cut off on reopen, and a whole rejected record reads as begun, never as sent.
        await this.handle.truncate(this.#size).then(() => this.handle.datasync()).catch(() => undefined);
        for (const g of group) g.reject(this.#failure);
      }
    }
    this.#flushing = false;
  }

  // write(2) may write less than it was given (a disk filling up does exactly that): write the rest.
  async #writeAll(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      if (!(bytesWritten > 0)) throw Object.assign(new Error(`write wrote nothing of ${bytes.length - offset} bytes`), { code: 'short_write' });
      offset += bytesWritten;
    }
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
