import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchDedupeKey, JournalMismatchError, sendInBatches } from '@msgkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignIdOf, openFileJournal, readJournal, type CampaignIdentity } from './index';

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
    expect(again.batch(1)!.outcome).toBeUndefined();
    expect(again.batch(2)).toBeUndefined();
    await again.close();
  });

  it('ignores and cuts off a torn last line, then appends cleanly after it', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity);
    await journal.begin({ index: 0, recipients: list.slice(0, 2) });
    await journal.close();
    appendFileSync(path, '{"t":"settle","i":0,"status":"se');
    const again = await openFileJournal(path, identity);
    expect(again.batch(0)!.outcome).toBeUndefined();
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
