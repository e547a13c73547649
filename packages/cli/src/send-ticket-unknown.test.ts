/**
 * `msgkit send --journal` when Octopush answers a resumed send with code 120: the sandbox's Octopush
 * accepted the first send and its answer was lost (the connection dropped after it acted), so the
 * run leaves the batch unknown; the resume resends it with the same request_id, which the sandbox,
 * as Octopush, refuses by itself with code 120. That refusal proves the first send was accepted but
 * names no ticket: the journal, the summary, its JSON and `msgkit report` must say so with one word,
 * `ticket_unknown` (the queue's), and count those recipients as sent, never as failed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { readJournal } from '@msgkit/journal';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseResults, runCli as run, sandboxFixture } from './testing';

const fixture = sandboxFixture('msgkit-cli-ticket-unknown-');
const OCTOPUSH = { OCTOPUSH_API_LOGIN: 'dev@example.com', OCTOPUSH_API_KEY: 'sandbox-key' };
const numbers = ['+33612340001', '+33612340002', '+33612340003'];

/** A path in the test's folder where nothing is yet. */
const fresh = (name: string) => {
  const path = fixture.file(name, '');
  rmSync(path);
  return path;
};

describe('msgkit send --journal: a resend Octopush refuses with code 120', () => {
  it('records the batch as accepted with the mark ticket_unknown, counts its recipients as sent and ticket_unknown in the summary, its JSON and msgkit report, and sends nothing twice', async () => {
    const { sandbox } = fixture;
    const list = fixture.file('list.txt', numbers.join('\n'));
    const journal = fresh('journal.jsonl');
    const results = fresh('results.csv');
    const args = ['send', '-p', 'octopush', '--type', 'sms_premium', '--purpose', 'alert', '--from', 'Shop', '--to-file', list, '--text', 'Hello', '--base-url', sandbox.baseUrls.octopush, '--journal', journal, '--retries', '0', '--results', results];

    // Octopush acts on the send, then the answer (its ticket) is lost.
    sandbox.faults.add({ vendor: 'octopush', after: true, drop: true });
    const first = await run(args, OCTOPUSH);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('3 recipients have an unknown outcome');
    expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual(numbers);

    // The resume resends with the same request_id; the sandbox refuses the repeat with code 120 by itself.
    const second = await run(args, OCTOPUSH);
    const sends = sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign');
    expect(sends.map((r) => [r.status, r.acted])).toEqual([
      [200, true],
      [400, false],
    ]);
    // Nothing sent twice.
    expect(sandbox.messages('octopush').map((m) => m.to).sort()).toEqual(numbers);

    // The journal: the resend's attempt is sent, with no id and the mark as data.
    const contents = await readJournal(journal);
    const attempts = contents.attempts.read(journal, 0);
    contents.attempts.closeReader();
    expect(attempts.map((a) => a.outcome?.status)).toEqual(['unknown', 'sent']);
    expect(attempts[1]).toMatchObject({ resendOf: 0, dedupeKey: attempts[0]!.dedupeKey });
    expect(attempts[1]!.outcome).toEqual({ status: 'sent', ids: [], duplicate: true, code: 'ticket_unknown' });

    // The summary: sent, none failed, and the count named with the one word.
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('3 recipients: 3 sent, 0 failed');
    expect(second.stdout).toMatch(/sent \(ticket_unknown\)/);
    expect(second.stdout).toContain('3 of the sent are ticket_unknown');
    expect(second.stdout).not.toMatch(/FAILED|UNKNOWN|not sent/);
    // The results file: sent, and the try that sent them says the word.
    expect(parseResults(readFileSync(results, 'utf8')).map((r) => [r.e164, r.status, r.provider, r.vendor_id, r.tries])).toEqual(numbers.map((n) => [n, 'sent', 'octopush', '', 'octopush:unknown:connection_error octopush:sent:duplicate:ticket_unknown']));

    // Its JSON, run again over the settled journal (nothing is sent).
    const json = JSON.parse((await run([...args, '--json'], OCTOPUSH)).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ sent: 3, failed: 0, refused: 0, unknown: 0, notStarted: 0, ticketUnknown: 3 });
    expect(json.batches).toEqual([expect.objectContaining({ index: 0, status: 'sent', ok: true, sent: 3, ticketUnknown: 3 })]);
    expect(sandbox.requests('octopush').filter((r) => r.operationId === 'sendSmsCampaign')).toHaveLength(2);

    // msgkit report, the journal's status: the same word and count, nothing unknown or refused.
    const report = await run(['report', journal, '--json']);
    expect(JSON.parse(report.stdout)).toMatchObject({ totals: { sent: { batches: 1, recipients: 3 }, refused: { recipients: 0 }, unknown: { recipients: 0 } }, ticketUnknown: 3, providers: { octopush: { sent: 3, ticketUnknown: 3 } } });
    const states = fresh('states.csv');
    const text = await run(['report', journal, '--results', states]);
    expect(text.stdout).toContain('3 of the sent are ticket_unknown');
    // Each recipient's state: accepted, waiting for its report (Octopush's reports name the number), with the word.
    const rows = parseCsv(readFileSync(states, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.e164, r.state, r.reason, r.tries])).toEqual(numbers.map((n) => [n, 'pending', 'ticket_unknown: accepted, no report yet', 'octopush:unknown octopush:sent:ticket_unknown']));
  });
});
