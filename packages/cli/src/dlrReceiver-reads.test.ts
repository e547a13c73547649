import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { smscxReports } from '@msgkit/smscx';
import { startSandbox } from '@msgkit/sandbox';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startReceiver } from './dlrReceiver';
import { runCli as run, scratch } from './testing';

// Counts the receiver's reads of the journal and can hold its opening (file reads on this machine, nothing on the wire).
const reads = vi.hoisted(() => ({ paths: [] as string[], gate: undefined as Promise<void> | undefined, held: 0 }));
vi.mock('@msgkit/journal', async (original) => {
  const journal = await original<typeof import('@msgkit/journal')>();
  return {
    ...journal,
    readJournal: (...args: Parameters<typeof journal.readJournal>) => {
      reads.paths.push(args[0]);
      return journal.readJournal(...args);
    },
    // Opening the journal to append reads it whole; the test can hold that open, as if the journal were so large it took minutes.
    reopenFileJournal: async (...args: Parameters<typeof journal.reopenFileJournal>) => {
      if (reads.gate) {
        reads.held++;
        await reads.gate;
      }
      return journal.reopenFileJournal(...args);
    },
  };
});

const { file, remove } = scratch('msgkit-cli-receiver-reads-');
afterAll(remove);
const secret = randomBytes(32).toString('base64url');

describe('msgkit webhooks serve under many reports at once', () => {
  it('reads the journal once for reports that arrive together and all need it, not once per report', async () => {
    const journal = file('j.jsonl');
    const list = file('list.txt', Array.from({ length: 40 }, (_, i) => `+4474007${String(i).padStart(5, '0')}`).join('\n'));
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      expect((await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--journal', journal], { SMSCX_API_KEY: 'k' })).code).toBe(0);
    } finally {
      await sandbox.close();
    }
    const answers = readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"t":"delivery"'))
      .map((l) => (JSON.parse(l) as { e: { messageId: string } }).e.messageId);
    expect(answers).toHaveLength(40);
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 20 });
    try {
      const url = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', ttlSeconds: 60 });
      reads.paths.length = 0;
      // SMS.CX reports name no number: each is placed by its message id, which only the journal knows.
      const statuses = await Promise.all(
        answers.map((msgId) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'dlr_update', data: [{ msgId, status: 'DELIVERED', datetime: '2026-01-02 03:04:05' }] }) }).then((r) => r.status)),
      );
      expect(statuses).toEqual(answers.map(() => 200));
      expect(await receiver.flush()).toBe(true);
      expect(readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"status":"delivered"'))).toHaveLength(40);
      // 40 reports in flight together: one read, not 40 (a 100 000-message journal read 40 times at once stalled the receiver).
      expect(reads.paths.filter((p) => p === journal)).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('answers reports while it moves its spool into a journal whose reading takes long, instead of making them wait for the move', async () => {
    const journal = file('j-2.jsonl');
    const list = file('list-2.txt', Array.from({ length: 2 }, (_, i) => `+4474008${String(i).padStart(5, '0')}`).join('\n'));
    const sandbox = await startSandbox({ port: 0, reports: { drop: 1 } });
    try {
      expect((await run(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Hi', '--base-url', sandbox.baseUrls.smscx, '--journal', journal], { SMSCX_API_KEY: 'k' })).code).toBe(0);
    } finally {
      await sandbox.close();
    }
    const [first, second] = readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"t":"delivery"'))
      .map((l) => (JSON.parse(l) as { e: { messageId: string } }).e.messageId);
    // No timed move: the test moves the spool itself.
    const receiver = await startReceiver({ journal, formats: [smscxReports], secrets: [secret], flushEveryMs: 3_600_000 });
    let open!: () => void;
    try {
      const url = createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'smscx', ttlSeconds: 60 });
      const post = (msgId: string) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'dlr_update', data: [{ msgId, status: 'DELIVERED', datetime: '2026-01-02 03:04:05' }] }) }).then((r) => r.status);
      expect(await post(first!)).toBe(200);
      reads.gate = new Promise<void>((resolve) => (open = resolve));
      reads.held = 0;
      const moved = receiver.flush();
      while (reads.held === 0) await new Promise((resolve) => setImmediate(resolve));
      // The move is reading the journal: a report now is still answered, into the spool. (Before, it waited for the whole move: this await never returned.)
      expect(await post(second!)).toBe(200);
      open();
      reads.gate = undefined;
      expect(await moved).toBe(true);
      expect(await receiver.flush()).toBe(true);
      expect(readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"status":"delivered"'))).toHaveLength(2);
    } finally {
      open?.();
      reads.gate = undefined;
      await receiver.close();
    }
  });
});
