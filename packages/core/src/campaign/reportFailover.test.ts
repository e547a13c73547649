import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../delivery/report';
import { JournalMismatchError } from '../errors';
import { planChain, type AttemptOutcome, type FailoverAttempt, type FailoverJournal } from './attempts';
import { createSender } from './define';
import { sendWithFailover } from './failover';
import { deliveredEarlier, failoverProofs, reportMovesOn } from './reportFailover';
import type { SenderFacts } from './sender';

function fake(name: string, facts: Partial<SenderFacts> = {}) {
  const calls: Array<{ batch: string[]; dedupeKey: string | undefined }> = [];
  const sender = createSender(
    { name, maxRecipients: 10, dedupe: false, credentials: [], options: [], callback: false, reference: false, clientIds: false, recipientRefusals: [], ...facts, refusals: [] },
    {
      rules: () => [],
      async send(batch, _message, options) {
        calls.push({ batch: [...batch], dedupeKey: options.dedupeKey });
        return { ids: [`${name}-ok`], messages: batch.map((to) => ({ to, id: `${name}:${to}` })) };
      },
    },
  );
  return Object.assign(sender, { calls });
}

function memoryJournal(): FailoverJournal & { records: FailoverAttempt[] } {
  const records: FailoverAttempt[] = [];
  return {
    records,
    attempts: (index) => structuredClone(records.filter((r) => r.batch === index)),
    async begin(attempt) {
      records.push(structuredClone(attempt));
    },
    async settle(index, attempt, outcome: AttemptOutcome) {
      records.find((r) => r.batch === index && r.attempt === attempt)!.outcome = structuredClone(outcome);
    },
  };
}

const batch = ['+447400000001', '+447400000002', '+447400000003', '+447400000004'];
const message = { text: 'Hi', from: 'Shop' };
const event = (to: string, status: DeliveryEvent['status'], final: boolean, extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({ vendor: 'a', messageId: `a:${to}`, status, final, raw: { status }, to, ...extra });

describe('reportMovesOn', () => {
  it('moves on a final undelivered, expired or failed report, and on nothing else', () => {
    expect(reportMovesOn(event('+1', 'undelivered', true))).toBe(true);
    expect(reportMovesOn(event('+1', 'expired', true))).toBe(true);
    expect(reportMovesOn(event('+1', 'failed', true))).toBe(true);
    // Not final (the vendor may still report delivery), positive, or rejected (opt-out, bad number: another vendor would not deliver either).
    expect(reportMovesOn(event('+1', 'undelivered', false))).toBe(false);
    expect(reportMovesOn(event('+1', 'delivered', true))).toBe(false);
    expect(reportMovesOn(event('+1', 'rejected', true))).toBe(false);
    expect(reportMovesOn(event('+1', 'unknown', true))).toBe(false);
    expect(reportMovesOn(event('+1', 'sent', false))).toBe(false);
    // The vendor says the failure is the destination's, for good: no vendor would deliver it.
    expect(reportMovesOn(event('+1', 'undelivered', true, { permanent: true }))).toBe(false);
  });
});

describe('failoverProofs', () => {
  const sent: FailoverAttempt[] = [{ batch: 0, attempt: 0, sender: 'a', recipients: batch, dedupeKey: 'k', outcome: { status: 'sent', ids: ['x'] } }];
  const reports = new Map([
    [batch[0]!, event(batch[0]!, 'undelivered', true)],
    [batch[1]!, event(batch[1]!, 'delivered', true)],
    [batch[2]!, event(batch[2]!, 'sent', false)],
  ]);
  const report = (to: string, sender: string) => (sender === 'a' ? reports.get(to) : undefined);

  it('gives a proof for each recipient whose vendor reported a final negative, naming the attempt and the report', () => {
    const proofs = failoverProofs(['a', 'b'], batch, sent, { report });
    expect([...proofs.values()]).toEqual([{ to: batch[0], attempt: 0, kind: 'report', status: 'undelivered', messageId: `a:${batch[0]}`, code: 'undelivered' }]);
  });

  it('gives none at the last vendor of the chain, and none for an unknown or refused recipient', () => {
    expect(failoverProofs(['a'], batch, sent, { report }).size).toBe(0);
    const unknown: FailoverAttempt[] = [{ ...sent[0]!, outcome: { status: 'unknown', code: 'timeout_error', message: 'm' } }];
    expect(failoverProofs(['a', 'b'], batch, unknown, { report }).size).toBe(0);
  });

  it('with a timer, moves only recipients with no final report once the time has passed since their attempt began', () => {
    const began = new Date('2026-01-01T00:00:00Z');
    const timer = { afterMs: 30 * 60_000, sentAt: () => began };
    expect(failoverProofs(['a', 'b'], batch, sent, { report, timer: { ...timer, now: new Date(began.getTime() + 29 * 60_000) } }).size).toBe(1);
    const proofs = failoverProofs(['a', 'b'], batch, sent, { report: () => undefined, timer: { ...timer, now: new Date(began.getTime() + 30 * 60_000) } });
    expect([...proofs.values()]).toEqual(batch.map((to) => ({ to, attempt: 0, kind: 'timer', afterMs: 30 * 60_000 })));
    // Without asking for report failover, a final negative report does not move; a final report of any kind stops the timer.
    const timed = failoverProofs(['a', 'b'], batch, sent, { report, onReport: false, timer: { ...timer, now: new Date(began.getTime() + 31 * 60_000) } });
    expect([...timed.keys()]).toEqual([batch[2], batch[3]]);
  });

  it('moves no recipient an earlier vendor of the chain reported delivered, on a report or on a timer', () => {
    // a sent all four; a timer moved them to b; a then reported two of them delivered after all.
    const moved: FailoverAttempt[] = [
      sent[0]!,
      { batch: 0, attempt: 1, sender: 'b', recipients: batch, dedupeKey: 'k', proofs: batch.map((to) => ({ to, attempt: 0, kind: 'timer', afterMs: 60_000 })), outcome: { status: 'sent', ids: ['y'] } },
    ];
    const late = new Map([
      [batch[0]!, event(batch[0]!, 'delivered', true)],
      [batch[1]!, event(batch[1]!, 'delivered', true)],
    ]);
    const atB = (to: string) => event(to, 'undelivered', true, { vendor: 'b', messageId: `b:${to}` });
    const reportOf = (to: string, sender: string) => (sender === 'a' ? late.get(to) : sender === 'b' ? atB(to) : undefined);
    expect([...failoverProofs(['a', 'b', 'c'], batch, moved, { report: reportOf }).keys()]).toEqual([batch[2], batch[3]]);
    expect(deliveredEarlier(['a', 'b', 'c'], 'b', batch[0]!, reportOf)).toBe('a');
    expect(deliveredEarlier(['a', 'b', 'c'], 'b', batch[2]!, reportOf)).toBeUndefined();
    const began = new Date('2026-01-01T00:00:00Z');
    const timer = { afterMs: 60_000, sentAt: () => began, now: new Date(began.getTime() + 3_600_000) };
    const silentB = (to: string, sender: string) => (sender === 'a' ? late.get(to) : undefined);
    expect([...failoverProofs(['a', 'b', 'c'], batch, moved, { report: silentB, onReport: false, timer }).keys()]).toEqual([batch[2], batch[3]]);
  });
});

describe('sendWithFailover with moveOn', () => {
  it('sends a recipient moved on a report through the next vendor once, recording the report as proof, and never again', async () => {
    const journal = memoryJournal();
    const a = fake('a');
    await sendWithFailover([a, fake('b')], batch, message, { journal, dedupeKey: 'k' });
    const proofs = failoverProofs(['a', 'b'], batch, journal.records, { report: (to) => (to === batch[0] ? event(to, 'undelivered', true) : to === batch[1] ? event(to, 'expired', true) : undefined) });
    const a2 = fake('a');
    const b2 = fake('b');
    const moved = await sendWithFailover([a2, b2], batch, message, { journal, dedupeKey: 'k', moveOn: proofs });
    expect(a2.calls).toEqual([]);
    expect(b2.calls).toEqual([{ batch: [batch[0], batch[1]], dedupeKey: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    expect(journal.records[1]).toMatchObject({ sender: 'b', recipients: [batch[0], batch[1]], proofs: [proofs.get(batch[0]!), proofs.get(batch[1]!)], outcome: { status: 'sent' } });
    expect(moved.recipients.map((r) => r.sentBy)).toEqual(['b', 'b', 'a', 'a']);
    expect(moved.recipients[0]!.tried).toEqual([
      { sender: 'a', attempt: 0, outcome: 'sent', moved: 'report', code: 'undelivered' },
      { sender: 'b', attempt: 1, outcome: 'sent' },
    ]);
    // The same proofs again (the reports are still in the journal): nothing more is sent.
    const b3 = fake('b');
    await sendWithFailover([fake('a'), b3], batch, message, { journal, dedupeKey: 'k', moveOn: proofs });
    expect(b3.calls).toEqual([]);
  });

  it('resends an interrupted move at a vendor that deduplicates with its key, and never at the first vendor', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a'), fake('b')], batch, message, { journal, dedupeKey: 'k' });
    const proofs = failoverProofs(['a', 'b'], batch, journal.records, { report: (to) => (to === batch[3] ? event(to, 'failed', true) : undefined) });
    // A run killed after the move was recorded, before its answer.
    await journal.begin({ batch: 0, attempt: 1, sender: 'b', recipients: [batch[3]!], dedupeKey: 'kb', proofs: [proofs.get(batch[3]!)!] });
    const a2 = fake('a');
    const b2 = fake('b', { dedupe: { field: 'key', repeat: 'replays', source: 'test' } });
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal, dedupeKey: 'k', moveOn: proofs });
    expect(a2.calls).toEqual([]);
    expect(b2.calls).toEqual([{ batch: [batch[3]], dedupeKey: 'kb' }]);
    expect(resumed.recipients[3]).toMatchObject({ status: 'sent', sentBy: 'b' });
  });

  it('refuses a record that moves a recipient without proof, or with a proof of another attempt', () => {
    const moved: FailoverAttempt[] = [...structuredClone(sentAll()), { batch: 0, attempt: 1, sender: 'b', recipients: [batch[0]!], outcome: { status: 'sent', ids: ['y'] } }];
    expect(() => planChain(['a', 'b'], [false, false], batch, moved)).toThrow(JournalMismatchError);
    moved[1]!.proofs = [{ to: batch[0]!, attempt: 5, kind: 'timer', afterMs: 1 }];
    expect(() => planChain(['a', 'b'], [false, false], batch, moved)).toThrow(JournalMismatchError);
    moved[1]!.proofs = [{ to: batch[0]!, attempt: 0, kind: 'timer', afterMs: 1 }];
    expect(planChain(['a', 'b'], [false, false], batch, moved).states.get(batch[0]!)).toMatchObject({ status: 'sent', sender: 'b' });
  });

  it('refuses moveOn without a journal, and reports a moved recipient the run stopped before as sent where it was', async () => {
    const proof = { to: batch[0]!, attempt: 0, kind: 'report' as const, status: 'undelivered' as const };
    const b = fake('b');
    await expect(sendWithFailover([fake('a'), b], batch, message, { moveOn: new Map([[batch[0]!, proof]]) })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['moveOn'], code: 'required' })] });
    const journal = memoryJournal();
    await sendWithFailover([fake('a'), fake('b')], batch, message, { journal, dedupeKey: 'k' });
    const stopped = await sendWithFailover([fake('a'), b], batch, message, { journal, dedupeKey: 'k', moveOn: new Map([[batch[0]!, proof]]), signal: AbortSignal.abort() });
    expect(b.calls).toEqual([]);
    expect(stopped.recipients[0]).toMatchObject({ status: 'sent', sentBy: 'a', tried: [{ sender: 'a', outcome: 'sent', moved: 'report', code: 'undelivered' }] });
  });

  it('never starts the chain again for a recipient a vendor sent before it was moved and refused after', async () => {
    const attempts: FailoverAttempt[] = [
      ...sentAll(),
      { batch: 0, attempt: 1, sender: 'b', recipients: [batch[0]!], proofs: [{ to: batch[0]!, attempt: 0, kind: 'report', status: 'undelivered' }], outcome: { status: 'refused', failover: true, class: 'authentication', code: 'authentication_error', message: 'm' } },
    ];
    const plan = planChain(['a', 'b'], [false, false], batch, attempts, new Set(), { retryRefused: true });
    expect(plan.states.get(batch[0]!)).toMatchObject({ status: 'refused' });
    expect(plan.next).toBeUndefined();
  });
});

function sentAll(): FailoverAttempt[] {
  return [{ batch: 0, attempt: 0, sender: 'a', recipients: batch, dedupeKey: 'k', outcome: { status: 'sent', ids: ['x'] } }];
}
