import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open as openReal } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchDedupeKey, JournalMismatchError, JournalWriteError, sendInBatches } from '@msgkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from './lock';
import { campaignIdOf, openFileJournal, readJournal, reopenFileJournal, type CampaignIdentity, type JournalFileSystem, type StateLine } from './index';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `j${n++}.jsonl`);
const identity: CampaignIdentity = { provider: 'smscx', sender: 'Shop', text: 'Hello', options: { batchSize: 2 }, recipients: 'abc' };
const list = ['+447400000001', '+447400000002', '+447400000003'];

describe('the file journal', () => {
  it('reads back every batch with its outcome after the process that wrote it is gone', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    await journal.begin({ index: 0, recipients: list.slice(0, 2), rows: [2, 3], dedupeKey: batchDedupeKey(journal.campaignId, 0) });
    await journal.settle(0, { status: 'sent', ids: ['v-1'] });
    await journal.begin({ index: 1, recipients: list.slice(2) });
    await journal.close();
    const again = await openFileJournal(path, identity);
    expect(again.campaignId).toBe(campaignIdOf(identity));
    expect(again.batch(0)).toMatchObject({ size: 2, dedupeKey: batchDedupeKey(again.campaignId, 0), outcome: { status: 'sent', ids: ['v-1'] } });
    expect(again.batch(1)).toMatchObject({ size: 1 });
    expect(again.batch(1)!.outcome).toMatchObject({ status: 'unknown', code: 'interrupted' });
    expect(again.batch(2)).toBeUndefined();
    await again.close();
  });

  it('records when each batch began, and what became of its batches after the send, reopened by its path alone', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    const before = Date.now();
    await journal.begin({ index: 0, recipients: list.slice(0, 2) });
    await journal.close();
    const later = await reopenFileJournal(path);
    expect(later.campaignId).toBe(campaignIdOf(identity));
    await later.note({ t: 'reconcile', i: 0, r: { kind: 'batch', recipients: [{ to: list[0], outcome: 'sent' }] } });
    await later.note({ t: 'delivery', i: 0, e: { messageId: 'm-1', status: 'delivered' } });
    await expect(later.note({ t: 'delivery', i: 7, e: {} })).rejects.toThrow(RangeError);
    await later.close();
    const begun: string[] = [];
    const states: StateLine[] = [];
    const contents = await readJournal(path, (b) => begun.push(b.at!), (s) => states.push(s));
    expect(Date.parse(begun[0]!)).toBeGreaterThanOrEqual(before - 1000);
    expect(states.map((s) => s.t)).toEqual(['reconcile', 'delivery']);
    expect(contents.batches.get(0)!.outcome).toMatchObject({ status: 'unknown', code: 'interrupted' });
    appendFileSync(path, '{"t":"delivery","i":9,"e":{}}\n');
    await expect(readJournal(path)).rejects.toThrow(/batch 9, which never began/);
  });

  it('ignores and cuts off a torn last line, then appends cleanly after it', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    await journal.begin({ index: 0, recipients: list.slice(0, 2) });
    await journal.close();
    appendFileSync(path, '{"t":"settle","i":0,"status":"se');
    const again = await openFileJournal(path, identity);
    expect(again.batch(0)!.outcome).toMatchObject({ status: 'unknown', code: 'interrupted' });
    await again.settle(0, { status: 'unknown', code: 'timeout', message: 'no answer' });
    await again.close();
    const contents = await readJournal(path);
    expect(contents.torn).toBe(false);
    expect(contents.batches.get(0)!.outcome).toMatchObject({ status: 'unknown' });
  });

  it('refuses a damaged line that is not the last one', async () => {
    const path = fresh();
    (await openFileJournal(path, identity)).close();
    appendFileSync(path, 'garbage\n{"t":"begin","i":0,"d":"x","to":[]}\n');
    await expect(readJournal(path)).rejects.toThrow(/damaged/);
  });

  it('refuses to reopen for another campaign, naming what changed', async () => {
    const path = fresh();
    await (await openFileJournal(path, identity)).close();
    const error = await openFileJournal(path, { ...identity, text: 'Hello!', recipients: 'abd' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalMismatchError);
    expect((error as JournalMismatchError).changed).toEqual(['text', 'recipients']);
    expect((error as Error).message).toContain('text, recipient list');
    const other = await openFileJournal(path, identity, { campaignId: 'mine' }).catch((e: unknown) => e);
    expect((other as JournalMismatchError).changed).toEqual(['campaignId']);
  });

  it('keeps no secret and no text in the file: only hashes of what identifies the campaign', async () => {
    const path = fresh();
    await (await openFileJournal(path, { ...identity, text: 'Your code is 123456' })).close();
    expect(readFileSync(path, 'utf8')).not.toContain('123456');
  });

  it('refuses a second writer while the first one is alive, and takes over the lock of a dead one', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    writeFileSync(`${path}.lock`, String(process.ppid));
    await expect(openFileJournal(path, identity)).rejects.toThrow(/in use by process/);
    writeFileSync(`${path}.lock`, '999999999');
    const second = await openFileJournal(path, identity);
    await second.close();
    await journal.close().catch(() => undefined);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('drives sendInBatches: a resumed campaign sends only the batches the journal does not hold as sent', async () => {
    const path = fresh();
    const first = await openFileJournal(path, identity);
    const sent: number[] = [];
    await sendInBatches(list, { size: 2, journal: { store: first, deduplicates: false }, send: async (_, i) => { sent.push(i); if (i === 1) throw Object.assign(new Error('no credit'), { code: 'insufficient_credit', outcomeUnknown: false }); } });
    await first.close();
    const second = await openFileJournal(path, identity);
    await sendInBatches(list, { size: 2, journal: { store: second, deduplicates: false }, send: async (_, i) => void sent.push(i) });
    await second.close();
    expect(sent).toEqual([0, 1, 1]);
  });
});

// A child appends begin/settle records as fast as it can and prints each index once its record is
// acknowledged; we SIGKILL it at seeded random moments. Every acknowledged record must be on disk,
// and the file must always reopen.
describe('the file journal under SIGKILL', () => {
  it('holds every acknowledged record and reopens after each of 12 kills', async () => {
    const path = fresh();
    const writer = fileURLToPath(new URL('./kill-writer.test-helper.mjs', import.meta.url));
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let kill = 0; kill < 12; kill++) {
      const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: number[] = [];
      let out = '';
      let writing: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (writing = resolve));
      child.stdout.on('data', (c: Buffer) => {
        writing();
        out += c.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) acked.push(Number(l));
      });
      // Killed while it writes: from its first acknowledged record on, at a random instant.
      await started;
      await new Promise((r) => setTimeout(r, random() * 150));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const contents = await readJournal(path);
      for (const i of acked) expect(contents.batches.get(i)?.outcome, `batch ${i}`).toMatchObject({ status: 'sent' });
    }
    const contents = await readJournal(path);
    expect(contents.batches.size).toBeGreaterThan(12);
  });
});

/**
 * The real file system, with faults armed on demand: `short` writes half of what it is given and
 * reports it (as write(2) does when the disk fills mid-write); an error code throws it, as a
 * system call would (ENOSPC, EFBIG, EIO), on `write` or on `datasync`.
 */
function faultyFs() {
  const faults: Array<{ op: 'write' | 'datasync'; fault: 'short' | string }> = [];
  const fs: JournalFileSystem = {
    async open(path, flags) {
      const handle = await openReal(path, flags);
      return {
        async write(buffer, offset, length) {
          const fault = faults[0]?.op === 'write' ? faults.shift()!.fault : undefined;
          if (fault === 'short') return handle.write(buffer, offset, Math.max(1, Math.floor(length / 2)));
          if (fault) throw Object.assign(new Error(`${fault}: simulated, write`), { code: fault, syscall: 'write' });
          return handle.write(buffer, offset, length);
        },
        async datasync() {
          const fault = faults[0]?.op === 'datasync' ? faults.shift()!.fault : undefined;
          if (fault) throw Object.assign(new Error(`${fault}: simulated, fdatasync`), { code: fault, syscall: 'fdatasync' });
          return handle.datasync();
        },
        truncate: (length) => handle.truncate(length),
        close: () => handle.close(),
      };
    },
  };
  return { fs, arm: (op: 'write' | 'datasync', fault: 'short' | string) => faults.push({ op, fault }) };
}

describe('the file journal when the disk fails', () => {
  it('never takes a begin cut short (a short write, then ENOSPC) as written: it rejects, the file keeps none of it, and nothing later is accepted', async () => {
    const path = fresh();
    const { fs, arm } = faultyFs();
    const journal = await openFileJournal(path, identity, { fs });
    await journal.begin({ index: 0, recipients: list.slice(0, 2) });
    arm('write', 'short');
    arm('write', 'ENOSPC');
    const error = await journal.begin({ index: 1, recipients: list.slice(2) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalWriteError);
    expect(error).toMatchObject({ systemCode: 'ENOSPC', path });
    expect((error as Error).message).toContain(path);
    // The disk has room again, but a journal that failed once stays failed: its tail is not trusted.
    await expect(journal.settle(0, { status: 'sent', ids: ['x'] })).rejects.toBeInstanceOf(JournalWriteError);
    await expect(journal.begin({ index: 2, recipients: list.slice(2) })).rejects.toBeInstanceOf(JournalWriteError);
    await journal.close();
    const contents = await readJournal(path);
    expect(contents.torn).toBe(false);
    expect([...contents.batches.keys()]).toEqual([0]);
  });

  it('writes the rest of a record after a short write, so the whole begin is on disk before it resolves', async () => {
    const path = fresh();
    const { fs, arm } = faultyFs();
    const journal = await openFileJournal(path, identity, { fs });
    arm('write', 'short');
    await journal.begin({ index: 0, recipients: list, rows: [2, 3, 4] });
    await journal.close();
    const contents = await readJournal(path);
    expect(contents.torn).toBe(false);
    expect(contents.batches.get(0)).toMatchObject({ size: 3 });
  });

  it('rejects a record whose fdatasync fails (EIO), and every record after it', async () => {
    const path = fresh();
    const { fs, arm } = faultyFs();
    const journal = await openFileJournal(path, identity, { fs });
    arm('datasync', 'EIO');
    await expect(journal.begin({ index: 0, recipients: list.slice(0, 2) })).rejects.toMatchObject({ code: 'journal_write_failed', systemCode: 'EIO' });
    await expect(journal.begin({ index: 1, recipients: list.slice(2) })).rejects.toMatchObject({ systemCode: 'EIO' });
    await journal.close();
  });

  it('stops sendInBatches before its next send when a begin cannot be written (EFBIG), and the batch is reported not sent', async () => {
    const path = fresh();
    const { fs, arm } = faultyFs();
    const journal = await openFileJournal(path, identity, { fs });
    const sent: number[] = [];
    const results = await sendInBatches(list, {
      size: 1,
      journal: { store: journal, deduplicates: false },
      send: async (_, i) => {
        sent.push(i);
        if (i === 0) arm('write', 'EFBIG');
      },
    });
    await journal.close();
    expect(sent).toEqual([0]);
    // Batch 0 was sent, but its outcome could not be recorded: the journal holds it as unknown.
    expect(results[0]).toMatchObject({ ok: true, unrecorded: { systemCode: 'EFBIG' } });
    expect(results.slice(1).map((r) => r.ok === false && (r.error as JournalWriteError).systemCode)).toEqual(['EFBIG', 'EFBIG']);
    expect((await readJournal(path)).batches.get(0)?.outcome).toMatchObject({ status: 'unknown', code: 'interrupted' });
  });
});

describe('what the file journal says of a batch a stopped run began', () => {
  it('reads a batch begun and never settled as unknown (interrupted), the one word the report and the results use', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    await journal.begin({ index: 0, recipients: list.slice(0, 2) });
    await journal.close();
    expect((await readJournal(path)).batches.get(0)?.outcome).toEqual({
      status: 'unknown',
      code: 'interrupted',
      message: expect.stringContaining('stopped'),
      reason: expect.any(String),
    });
  });
});

describe('the batch keys of a file journal', () => {
  it('binds them to what the campaign sends: the same --campaign-id in another journal with another text gets other keys, the same content the same keys', async () => {
    const keysOf = async (text: string) => {
      const store = await openFileJournal(fresh(), { ...identity, text }, { campaignId: 'spring' });
      const keys: Array<string | undefined> = [];
      await sendInBatches(list, { size: 2, journal: { store, deduplicates: true }, send: async (_, __, c) => void keys.push(c.dedupeKey) });
      await store.close();
      return keys;
    };
    const first = await keysOf('Hello');
    expect(await keysOf('Hello')).toEqual(first);
    const other = await keysOf('Goodbye');
    expect(other.filter((k) => first.includes(k))).toEqual([]);
  });
});

/** A process running under `pid`, the way a busy machine reuses the pid of a dead one. */
async function processWithPid(pid: number, lockFile: string): Promise<ChildProcess> {
  // Linux lets root choose the next pid: the real reuse, retried while other processes fork in between.
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    } catch {
      break;
    }
    const child = spawn('sleep', ['120'], { stdio: 'ignore' });
    if (child.pid === pid) return child;
    child.kill('SIGKILL');
  }
  // Elsewhere: the lock is made to name a live process that is not its writer, which is what reuse looks like from the lock.
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  const text = readFileSync(lockFile, 'utf8');
  writeFileSync(lockFile, /^\d+$/.test(text.trim()) ? String(child.pid) : JSON.stringify({ ...JSON.parse(text), pid: child.pid }));
  return child;
}

describe('the lock of a journal whose writer was killed', () => {
  it('is taken over without anyone deleting a file, even when its pid now belongs to another live process', async () => {
    const path = fresh();
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./lock-holder.test-helper.mjs', import.meta.url)), path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(existsSync(`${path}.lock`)).toBe(true);
    const other = await processWithPid(holder.pid!, `${path}.lock`);
    try {
      const journal = await openFileJournal(path, { provider: 'p', sender: 's', text: 't', options: {}, recipients: 'r' });
      await journal.close();
    } finally {
      other.kill('SIGKILL');
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('is waited for, not refused, while a delivery-report receiver holds it for a moment: the send opens once the receiver lets go', async () => {
    const path = fresh();
    await (await openFileJournal(path, identity)).close();
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./brief-holder.test-helper.mjs', import.meta.url)), path], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      let waitedFor: number | undefined;
      const journal = await openFileJournal(path, identity, {
        onWaiting: (pid) => {
          waitedFor = pid;
          holder.stdin!.write('release\n');
        },
      });
      expect(waitedFor).toBe(holder.pid);
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).not.toHaveProperty('brief');
      await journal.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('is refused after all when a receiver keeps its brief hold past the limit, naming the process', async () => {
    const path = fresh();
    await (await openFileJournal(path, identity)).close();
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./brief-holder.test-helper.mjs', import.meta.url)), path], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      await expect(acquireLock(path, { briefHoldLimitMs: 30 })).rejects.toThrow(new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('is refused while its writer lives, naming the process and what to do', async () => {
    const path = fresh();
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./lock-holder.test-helper.mjs', import.meta.url)), path], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      await expect(openFileJournal(path, { provider: 'p', sender: 's', text: 't', options: {}, recipients: 'r' })).rejects.toThrow(new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
