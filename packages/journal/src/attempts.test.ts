// The file journal as a failover chain's record (core's FailoverJournal): every attempt begun on
// disk before its request leaves, settled after, read back by a later run so that each chain goes
// on where it stopped. In-memory senders (the same journal behind the CLI, over the sandbox, is
// tools/e2e/failover-cli.test.mjs).
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open as openReal } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchDedupeKey, JournalMismatchError, JournalWriteError, sendWithFailover, ServerError, type CampaignSender, type SentBatch } from '@msgkit/core';
import { createApiError, createSender } from '@msgkit/core/internal';
import { afterAll, describe, expect, it } from 'vitest';
import { contentOf, openFileJournal, readJournal, readJournalRecords, reopenFileJournal, ticketUnknown, type CampaignIdentity, type JournalFileSystem, type StateLine } from './index';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-journal-attempts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `a${n++}.jsonl`);
const identity = (chain: string[]): CampaignIdentity => ({ provider: chain.join(','), sender: 'Shop', text: 'Hello', options: { batchSize: 3 }, recipients: 'abc' });
const batch = ['+447400000001', '+447400000002', '+447400000003'];
const message = { text: 'Hello', from: 'Shop' };

type Answer = SentBatch | Error;
function fake(name: string, answers: Answer[], dedupes = false): CampaignSender & { calls: Array<{ batch: string[]; dedupeKey?: string }> } {
  const calls: Array<{ batch: string[]; dedupeKey?: string }> = [];
  const sender = createSender(
    {
      name,
      maxRecipients: 10,
      dedupe: dedupes ? { field: 'key', repeat: 'replays', source: 'test' } : false,
      credentials: [],
      options: [],
      callback: false,
      reference: false,
      clientIds: false,
      recipientRefusals: [],
      refusals: [{ class: 'authentication', status: 401, source: 'test' }],
    },
    {
      rules: () => [],
      async send(b, _m, options) {
        calls.push({ batch: [...b], ...(options.dedupeKey !== undefined && { dedupeKey: options.dedupeKey }) });
        const answer = answers.shift() ?? { ids: [`${name}-ok`] };
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  );
  return Object.assign(sender, { calls });
}
const unauthorized = () => createApiError({ status: 401, message: 'bad key', headers: {}, body: undefined });
const lostAnswer = () => new ServerError({ status: 500, message: 'boom', headers: {}, body: undefined, outcomeUnknown: true });

describe('the file journal as a failover record', () => {
  it('keeps every attempt with its sender and recipients, and a reopened journal goes on with the chain where it stopped', async () => {
    const path = fresh();
    const chain = ['a', 'b'];
    const journal = await openFileJournal(path, identity(chain), { chain });
    const key = batchDedupeKey(journal.campaignId, 0, { content: journal.content, recipients: batch });
    const a = fake('a', [{ ids: ['a-1'], refused: [{ to: batch[2]!, failover: true, class: 'no_route', code: 'NO COVERAGE' }] }]);
    const b = fake('b', [lostAnswer()], true);
    const rows = new Map(batch.map((to, i) => [to, i + 2]));
    const record = journal.failover({ rows: (attempt) => attempt.recipients.map((to) => rows.get(to)!) });
    await sendWithFailover([a, b], batch, message, { journal: record, batchIndex: 0, dedupeKey: key });
    await journal.close();

    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.t, l.i, l.a, l.s])).toEqual([
      ['campaign', undefined, undefined, undefined],
      ['attempt', 0, 0, 'a'],
      ['done', 0, 0, undefined],
      ['attempt', 0, 1, 'b'],
      ['done', 0, 1, undefined],
    ]);
    expect(lines[3]).toMatchObject({ to: [batch[2]], rows: [4], k: expect.any(String) });
    // Each attempt says when it began: reconcile asks a vendor only about sends past its horizon.
    for (const l of [lines[1]!, lines[3]!]) expect(Math.abs(Date.now() - Date.parse(String(l.at)))).toBeLessThan(86_400_000);
    expect(lines[0]).toMatchObject({ v: 2, chain });

    const again = await openFileJournal(path, identity(chain), { chain });
    const a2 = fake('a', []);
    const b2 = fake('b', [], true);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal: again.failover(), batchIndex: 0, dedupeKey: key });
    await again.close();
    // The first vendor is never asked again; the second resends its unknown attempt with the key it had.
    expect(a2.calls).toEqual([]);
    expect(b2.calls).toEqual([{ batch: [batch[2]], dedupeKey: lines[3]!.k }]);
    expect(resumed.recipients.map((r) => [r.status, r.sentBy])).toEqual([['sent', 'a'], ['sent', 'a'], ['sent', 'b']]);
    expect((await readJournal(path)).attempts.get(0)).toHaveLength(3);
  });

  it('keeps the proof with an attempt that moves recipients a vendor sent on to the next vendor, and a reopened journal reads it back', async () => {
    const path = fresh();
    const chain = ['a', 'b'];
    const journal = await openFileJournal(path, identity(chain), { chain });
    await sendWithFailover([fake('a', []), fake('b', [])], batch, message, { journal: journal.failover(), batchIndex: 0, dedupeKey: 'k' });
    const moveOn = new Map([[batch[1]!, { to: batch[1]!, attempt: 0, kind: 'report' as const, status: 'undelivered' as const, code: 'FAILED', messageId: 'm-2' }]]);
    const b = fake('b', []);
    await sendWithFailover([fake('a', []), b], batch, message, { journal: journal.failover(), batchIndex: 0, dedupeKey: 'k', moveOn });
    await journal.close();
    expect(b.calls.map((c) => c.batch)).toEqual([[batch[1]]]);
    const attempts = (await readJournal(path)).attempts.read(path, 0);
    expect(attempts[1]).toMatchObject({ sender: 'b', recipients: [batch[1]], proofs: [moveOn.get(batch[1]!)], outcome: { status: 'sent' } });
    const again = await openFileJournal(path, identity(chain), { chain });
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([fake('a', []), b2], batch, message, { journal: again.failover(), batchIndex: 0, dedupeKey: 'k', moveOn });
    await again.close();
    expect(b2.calls).toEqual([]);
    expect(resumed.recipients.map((r) => r.sentBy)).toEqual(['a', 'b', 'a']);
  });

  it('reads an attempt begun and never settled as interrupted, and keeps it where it was', async () => {
    const path = fresh();
    const chain = ['a', 'b'];
    const journal = await openFileJournal(path, identity(chain), { chain });
    await journal.failover().begin({ batch: 4, attempt: 0, sender: 'a', recipients: batch });
    await journal.close();
    const again = await openFileJournal(path, identity(chain), { chain });
    expect(await again.failover().attempts(4)).toEqual([{ batch: 4, attempt: 0, sender: 'a', recipients: batch, at: expect.any(String) }]);
    const a = fake('a', []);
    const b = fake('b', []);
    const result = await sendWithFailover([a, b], batch, message, { journal: again.failover(), batchIndex: 4 });
    await again.close();
    expect([...a.calls, ...b.calls]).toEqual([]);
    expect(result.recipients.every((r) => r.status === 'unknown' && r.code === 'interrupted')).toBe(true);
  });

  it('binds the chain and its order to the campaign: another order is another campaign, with other keys', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity(['a', 'b']), { chain: ['a', 'b'] });
    const content = journal.content;
    await journal.close();
    const error = await openFileJournal(path, identity(['b', 'a']), { chain: ['b', 'a'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalMismatchError);
    expect((error as Error).message).toContain('providers (the chain and its order)');
    const other = await openFileJournal(fresh(), identity(['b', 'a']), { chain: ['b', 'a'] });
    expect(other.content).not.toBe(content);
    expect(contentOf(other.header.parts)).toBe(other.content);
    await other.close();
  });

  it('refuses a journal of batches for a chain and a journal of a chain for batches, naming what to do', async () => {
    const batches = fresh();
    await (await openFileJournal(batches, identity(['a']))).close();
    await expect(openFileJournal(batches, identity(['a']), { chain: ['a'] })).rejects.toThrow(/records batches, not the attempts of a chain/);
    const chained = fresh();
    await (await openFileJournal(chained, identity(['a']), { chain: ['a'] })).close();
    await expect(openFileJournal(chained, identity(['a']))).rejects.toThrow(/records the attempts of a chain/);
  });

  it('takes what became of a batch after its attempts (reconcile, delivery) when reopened by its path, and reads them back in order', async () => {
    const path = fresh();
    const chain = ['a', 'b'];
    const journal = await openFileJournal(path, identity(chain), { chain });
    await journal.failover().begin({ batch: 0, attempt: 0, sender: 'a', recipients: batch });
    await journal.close();
    const again = await reopenFileJournal(path);
    await again.note({ t: 'reconcile', i: 0, r: { kind: 'batch', sender: 'a' } });
    await again.note({ t: 'delivery', i: 0, e: { to: batch[0] } });
    // A batch no attempt of the chain began has nothing to reconcile: a caller's bug, refused before it is written.
    await expect(again.note({ t: 'reconcile', i: 1, r: {} })).rejects.toThrow(RangeError);
    await again.close();
    const states: StateLine[] = [];
    const contents = await readJournal(path, undefined, (s) => states.push(s));
    expect(contents.attempts.get(0)).toHaveLength(1);
    expect(states.map((s) => s.t)).toEqual(['reconcile', 'delivery']);
    const kinds: string[] = [];
    await readJournalRecords(path, { each: (record) => kinds.push(record.t) });
    expect(kinds).toEqual(['campaign', 'attempt', 'reconcile', 'delivery']);
  });

  it('refuses to write an attempt out of order, and reads one found in the file as damage, not as something to resume from', async () => {
    const path = fresh();
    const journal = await openFileJournal(path, identity(['a']), { chain: ['a'] });
    await expect(journal.failover().begin({ batch: 0, attempt: 1, sender: 'a', recipients: batch })).rejects.toThrow(/attempt 1 of batch 0 comes after 0 attempts/);
    await journal.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    appendFileSync(path, `${JSON.stringify({ t: 'attempt', i: 0, a: 1, s: 'a', to: batch })}\n`);
    await expect(readJournal(path)).rejects.toThrow(/attempt 1 of batch 0 comes after 0 attempts/);
  });
});

describe('the file journal as a failover record when the disk fails', () => {
  it('stops the chain before the request when a begin cannot be written whole (a short write, then ENOSPC), and keeps none of it', async () => {
    const path = fresh();
    const faults: string[] = [];
    const fs: JournalFileSystem = {
      async open(p, flags) {
        const handle = await openReal(p, flags);
        return {
          async write(buffer, offset, length) {
            const fault = faults.shift();
            if (fault === 'short') return handle.write(buffer, offset, Math.max(1, Math.floor(length / 2)));
            if (fault) throw Object.assign(new Error(`${fault}: simulated`), { code: fault, syscall: 'write' });
            return handle.write(buffer, offset, length);
          },
          datasync: () => handle.datasync(),
          truncate: (length) => handle.truncate(length),
          close: () => handle.close(),
        };
      },
    };
    const journal = await openFileJournal(path, identity(['a', 'b']), { chain: ['a', 'b'], fs });
    const a = fake('a', [unauthorized()]);
    const b = fake('b', []);
    // a's attempt is written and refused; b's begin is cut short, then the disk is full.
    const record = journal.failover();
    const begin = record.begin.bind(record);
    record.begin = async (attempt) => {
      if (attempt.sender === 'b') faults.push('short', 'ENOSPC');
      return begin(attempt);
    };
    const error = await sendWithFailover([a, b], batch, message, { journal: record, dedupeKey: 'k' }).catch((e: unknown) => e);
    await journal.close();
    expect(error).toBeInstanceOf(JournalWriteError);
    expect(error).toMatchObject({ systemCode: 'ENOSPC', path });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toEqual([]);
    const contents = await readJournal(path);
    expect(contents.torn).toBe(false);
    expect(contents.attempts.get(0)).toHaveLength(1);
  });
});

describe('the file journal as a failover record under SIGKILL', () => {
  it('holds every attempt acknowledged before its send, and reopens after each of 8 kills', async () => {
    const path = fresh();
    const writer = fileURLToPath(new URL('./kill-attempts.test-helper.mjs', import.meta.url));
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let kill = 0; kill < 8; kill++) {
      const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Each line is a batch whose attempt was begun (the "request" left after it).
      const begun: number[] = [];
      let out = '';
      let first: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (first = resolve));
      child.stdout.on('data', (c: Buffer) => {
        first();
        out += c.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) begun.push(Number(l));
      });
      await started;
      await new Promise((r) => setTimeout(r, random() * 150));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const contents = await readJournal(path);
      for (const i of begun) expect(contents.attempts.get(i)?.length ?? 0, `batch ${i}`).toBeGreaterThan(0);
    }
    expect((await readJournal(path)).attempts.size).toBeGreaterThan(8);
  });

  it("records an attempt the vendor accepted without naming it (no id: Octopush's code 120 to a resend) with the mark ticket_unknown, and reads an older journal's unmarked one as ticket_unknown too", async () => {
    const path = fresh();
    const chain = ['a'];
    const journal = await openFileJournal(path, identity(chain), { chain });
    const key = batchDedupeKey(journal.campaignId, 0, { content: journal.content, recipients: batch });
    await sendWithFailover([fake('a', [lostAnswer(), { ids: [], duplicate: true }], true)], batch, message, { journal: journal.failover(), batchIndex: 0, dedupeKey: key });
    await sendWithFailover([fake('a', [{ ids: [], duplicate: true }], true)], batch, message, { journal: journal.failover(), batchIndex: 0, dedupeKey: key });
    await journal.close();
    const done = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; o?: Record<string, unknown> }).filter((l) => l.t === 'done');
    expect(done.map((l) => l.o)).toEqual([expect.objectContaining({ status: 'unknown' }), { status: 'sent', ids: [], duplicate: true, code: 'ticket_unknown' }]);

    // Sent with an id, or with some recipients refused in the answer: no mark.
    expect(ticketUnknown({ status: 'sent', ids: ['t-1'] })).toBe(false);
    expect(ticketUnknown({ status: 'sent', ids: [], refused: [{ to: batch[0]!, failover: false, code: 'REJECTED' }] })).toBe(false);
    expect(ticketUnknown({ status: 'unknown', code: 'timeout', message: 'm' })).toBe(false);
    // An older journal's line, written before the mark: read alike.
    expect(ticketUnknown({ status: 'sent', ids: [], duplicate: true })).toBe(true);
    const reopened = await readJournal(path);
    const [, sent] = reopened.attempts.read(path, 0);
    reopened.attempts.closeReader();
    expect(ticketUnknown(sent!.outcome)).toBe(true);

    // The same journal as msgkit wrote it before the mark: it opens, resumes (nothing to send) and reads alike.
    writeFileSync(path, readFileSync(path, 'utf8').replace(',"code":"ticket_unknown"', ''));
    const old = await openFileJournal(path, identity(chain), { chain });
    const again = fake('a', [], true);
    const result = await sendWithFailover([again], batch, message, { journal: old.failover(), batchIndex: 0, dedupeKey: key });
    const attempts = old.failover().attempts(0);
    await old.close();
    expect(again.calls).toEqual([]);
    expect(result.recipients.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(attempts[1]!.outcome).toEqual({ status: 'sent', ids: [], duplicate: true });
    expect(ticketUnknown(attempts[1]!.outcome)).toBe(true);
  });
});

