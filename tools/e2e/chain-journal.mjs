// A campaign journal as `msgkit send --journal` writes it since the CLI sends through a chain of
// senders (v2: `attempt` and `done` records, see @msgkit/journal's attempts.ts), read record by
// record for the tests' own expectations, independently of what the CLI and the dashboard make of
// it: each recipient stands where its latest attempt put it.
import { readJournalRecords } from '@msgkit/journal';

/**
 * Every recipient's standing: `pending` (its latest attempt has no `done` record), `sent`,
 * `refused` (the whole attempt, or this recipient alone inside an attempt the vendor took) or
 * `unknown`, with the vendor and the code; and per attempt its batch, sender, size and outcome.
 */
export async function readChainJournal(path) {
  const attempts = new Map();
  const latest = new Map();
  await readJournalRecords(path, {
    from: 0,
    each: (record) => {
      if (record.t === 'attempt') {
        const attempt = { batch: record.i, attempt: record.a, sender: record.s, to: record.to };
        attempts.set(`${record.i}:${record.a}`, attempt);
        for (const to of record.to) latest.set(to, attempt);
      } else if (record.t === 'done') {
        attempts.get(`${record.i}:${record.a}`).outcome = record.o;
      }
    },
  });
  const recipients = new Map();
  for (const [to, attempt] of latest) {
    const outcome = attempt.outcome;
    const refusal = outcome?.status === 'sent' ? outcome.refused?.find((r) => r.to === to) : undefined;
    const status = outcome === undefined ? 'pending' : refusal ? 'refused' : outcome.status;
    const code = refusal?.code ?? (outcome?.status === 'sent' ? undefined : outcome?.code);
    recipients.set(to, { status, sender: attempt.sender, batch: attempt.batch, ...(code !== undefined && { code }) });
  }
  return { attempts: [...attempts.values()], recipients };
}
