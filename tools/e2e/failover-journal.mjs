// A minimal durable FailoverJournal for the chain end-to-end test: one JSON line per begin and per
// settle, fsynced before the promise resolves, read back on open (a torn last line, cut by a
// SIGKILL mid-write, is dropped: its request never left, as begin had not resolved). Test
// infrastructure only; the product stores are @msgkit/journal and @msgkit/queue.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export function openFailoverJournal(path) {
  const byBatch = new Map();
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      if (record.type === 'begin') {
        const { type, ...attempt } = record;
        const list = byBatch.get(attempt.batch) ?? [];
        list.push(attempt);
        byBatch.set(attempt.batch, list);
      } else if (record.type === 'settle') {
        const attempt = byBatch.get(record.batch)?.find((a) => a.attempt === record.attempt);
        if (attempt) attempt.outcome = record.outcome;
      }
    }
  }
  const fd = openSync(path, 'a');
  const append = (record) => {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  };
  return {
    attempts: (batch) => structuredClone(byBatch.get(batch) ?? []),
    async begin(attempt) {
      append({ type: 'begin', ...attempt });
      byBatch.set(attempt.batch, [...(byBatch.get(attempt.batch) ?? []), structuredClone(attempt)]);
    },
    async settle(batch, attempt, outcome) {
      append({ type: 'settle', batch, attempt, outcome });
      byBatch.get(batch).find((a) => a.attempt === attempt).outcome = structuredClone(outcome);
    },
    close: () => closeSync(fd),
  };
}
