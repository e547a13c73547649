import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { smscxReports } from '@msgkit/smscx';
import { afterAll, describe, expect, it } from 'vitest';
import { spoolPath, startReceiver, UNPLACED } from './dlrReceiver';
import { scratch } from './testing';

const { file, remove } = scratch('msgkit-cli-receiver-listen-');
afterAll(remove);

/** How many of each kind of timer keep this process alive now, and how many file descriptors it holds (Linux). */
const resources = (): Record<string, number> => {
  const counts: Record<string, number> = { fds: readdirSync('/proc/self/fd').length };
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
};

describe('the journal report receiver when it cannot listen', () => {
  it('closes its spool file and stops its retry timer, leaving nothing open behind the error', async () => {
    const journal = file('j.jsonl');
    // A report from an earlier run waits in the spool, so the receiver schedules a move at start.
    const event = { vendor: 'smscx', messageId: 'm-1', status: 'delivered', final: true, raw: { status: 'DELIVERED' } };
    writeFileSync(spoolPath(journal), `${JSON.stringify({ t: 'delivery', i: UNPLACED, e: event })}\n`);
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const before = resources();
      const failure = await startReceiver({ journal, formats: [smscxReports], secrets: [randomBytes(32).toString('base64url')], port, flushEveryMs: 60_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((failure as NodeJS.ErrnoException | undefined)?.code).toBe('EADDRINUSE');
      // Closing a FileHandle completes on the thread pool: give it its turn.
      await new Promise((resolve) => setImmediate(resolve));
      const after = resources();
      expect(after.fds).toBe(before.fds);
      expect(after.Timeout ?? 0).toBe(before.Timeout ?? 0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
