// The chain's rules over in-memory senders (no wire here: the same rules over the sandbox, with
// every fault class, are tools/e2e/failover-matrix.test.mjs).
import { describe, expect, it } from 'vitest';
import { createApiError, JournalMismatchError, ServerError, type ValidationIssue } from '../errors';
import type { AttemptOutcome, FailoverAttempt, FailoverJournal, MoveProof } from './attempts';
import { createSender } from './define';
import { ChainValidationError, chainBatchSize, sendWithFailover } from './failover';
import type { CampaignSender, SenderFacts, SentBatch } from './sender';

type Answer = SentBatch | Error | ((batch: readonly string[]) => SentBatch);

interface FakeSender extends CampaignSender {
  calls: Array<{ batch: string[]; dedupeKey: string | undefined }>;
}

function fake(name: string, answers: Answer[], facts: Partial<SenderFacts> = {}, rules: ValidationIssue[] = []): FakeSender {
  const calls: FakeSender['calls'] = [];
  const sender = createSender(
    { name, maxRecipients: 10, dedupe: false, credentials: [], options: [], callback: false, reference: false, clientIds: false, recipientRefusals: [], ...facts, refusals: [{ class: 'authentication', status: 401, source: 'test' }] },
    {
      rules: () => rules,
      async send(batch, _message, options) {
        calls.push({ batch: [...batch], dedupeKey: options.dedupeKey });
        const answer = answers.shift() ?? { ids: [`${name}-ok`] };
        if (answer instanceof Error) throw answer;
        return typeof answer === 'function' ? answer(batch) : answer;
      },
    },
  );
  return Object.assign(sender, { calls });
}

const dedupes = { dedupe: { field: 'key', repeat: 'replays' as const, source: 'test' } };
const unauthorized = () => createApiError({ status: 401, message: 'bad key', headers: {}, body: undefined });
const lostAnswer = () => new ServerError({ status: 500, message: 'boom', headers: {}, body: undefined, outcomeUnknown: true });
const badParam = () => createApiError({ status: 400, vendorCode: 1106, message: 'bad sender', headers: {}, body: undefined });
const batch = ['+447400000001', '+447400000002', '+447400000003'];
const message = { text: 'Hi', from: 'Shop' };

function memoryJournal(failSettleAt?: number): FailoverJournal & { records: FailoverAttempt[] } {
  const records: FailoverAttempt[] = [];
  let settles = 0;
  return {
    records,
    attempts: (index) => structuredClone(records.filter((r) => r.batch === index)),
    async begin(attempt) {
      records.push(structuredClone(attempt));
    },
    async settle(index, attempt, outcome: AttemptOutcome) {
      if (failSettleAt !== undefined && settles++ === failSettleAt) throw new Error('killed before the outcome was written');
      records.find((r) => r.batch === index && r.attempt === attempt)!.outcome = structuredClone(outcome);
    },
  };
}

describe('sendWithFailover before sending', () => {
  it('refuses a chain that cannot carry the message, naming each vendor and rule, and sends nothing', async () => {
    const a = fake('a', [], {}, [{ path: ['from'], code: 'sender_alpha_length', message: 'too long' }]);
    const b = fake('b', [], { options: [{ name: 'type', what: 'route', required: true, source: 'test' }] });
    const error = await sendWithFailover([a, b], batch, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainValidationError);
    expect((error as ChainValidationError).issues).toEqual([
      expect.objectContaining({ path: ['a', 'from'], code: 'sender_alpha_length' }),
      expect.objectContaining({ path: ['b', 'options', 'b', 'type'], code: 'required' }),
    ]);
    expect(Object.keys((error as ChainValidationError).senders)).toEqual(['a', 'b']);
    expect(a.calls).toEqual([]);
  });

  it('refuses a batch larger than one sender takes, a sender named twice, repeated numbers, no sender and a timer', async () => {
    const small = fake('small', [], { maxRecipients: 2 });
    expect(chainBatchSize([fake('a', []), small])).toBe(2);
    await expect(sendWithFailover([fake('a', []), small], batch, message)).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['small', 'batch'], code: 'recipients_too_many' })] });
    await expect(sendWithFailover([fake('a', []), fake('a', [])], batch, message)).rejects.toMatchObject({ issues: [expect.objectContaining({ code: 'chain_duplicate_sender' })] });
    await expect(sendWithFailover([fake('a', [])], ['+1', '+1'], message)).rejects.toMatchObject({ issues: [expect.objectContaining({ code: 'recipients_duplicate' })] });
    await expect(sendWithFailover([], batch, message)).rejects.toBeInstanceOf(ChainValidationError);
    await expect(sendWithFailover([fake('a', [])], batch, message, { timer: { afterMs: 60_000 } })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['timer'], code: 'not_supported' })] });
  });
});

describe('sendWithFailover with a batch key the first vendor would refuse', () => {
  it('refuses it up front instead of moving every batch to the next vendor', async () => {
    const uuidKeys = { dedupe: { field: 'idempotencyId', repeat: 'replays' as const, format: 'uuid' as const, source: 'test' } };
    const a = fake('a', [], uuidKeys);
    const b = fake('b', [], uuidKeys);
    await expect(sendWithFailover([a, b], batch, message, { dedupeKey: 'batch-7' })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ['a', 'dedupeKey'], code: 'uuid_invalid' })] });
    expect([...a.calls, ...b.calls]).toEqual([]);
    // A later vendor gets a UUID derived from the key, whatever the key looks like.
    const c = fake('c', [unauthorized()]);
    await sendWithFailover([c, b], batch, message, { dedupeKey: 'batch-7' });
    expect(b.calls[0]!.dedupeKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('sendWithFailover', () => {
  it('sends through the first vendor alone when it accepts, with the batch key unchanged', async () => {
    const a = fake('a', [{ ids: ['bulk-1'], messages: batch.map((to, i) => ({ to, id: `m${i}` })) }]);
    const b = fake('b', []);
    const result = await sendWithFailover([a, b], batch, message, { dedupeKey: 'batch-key' });
    expect(a.calls).toEqual([{ batch, dedupeKey: 'batch-key' }]);
    expect(b.calls).toEqual([]);
    expect(result.recipients.map((r) => [r.status, r.sentBy, r.id])).toEqual([['sent', 'a', 'm0'], ['sent', 'a', 'm1'], ['sent', 'a', 'm2']]);
  });

  it('moves the batch to the next vendor on a proven refusal, with a key of its own', async () => {
    const a = fake('a', [unauthorized()]);
    const b = fake('b', [{ ids: ['b-1'] }]);
    const result = await sendWithFailover([a, b], batch, message, { dedupeKey: 'batch-key' });
    expect(b.calls).toHaveLength(1);
    expect(b.calls[0]!.batch).toEqual(batch);
    expect(b.calls[0]!.dedupeKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.calls[0]!.dedupeKey).not.toBe('batch-key');
    expect(result.recipients[0]).toEqual({
      to: batch[0],
      status: 'sent',
      sentBy: 'b',
      id: 'b-1',
      tried: [
        expect.objectContaining({ sender: 'a', outcome: 'refused', failover: true, class: 'authentication', code: 'authentication_error' }),
        { sender: 'b', attempt: 1, outcome: 'sent' },
      ],
    });
  });

  it("gives each vendor its own report URL and reference where perSender gives them, the chain's elsewhere, in its rules and its send", async () => {
    const seen: Array<[string, 'rules' | 'send', string | undefined, string | undefined]> = [];
    const recording = (name: string, answer: () => SentBatch) =>
      createSender(
        { name, maxRecipients: 10, dedupe: false, credentials: [], options: [], callback: false, reference: false, clientIds: false, recipientRefusals: [], refusals: [{ class: 'authentication', status: 401, source: 'test' }] },
        {
          rules: (_m, send) => (seen.push([name, 'rules', send.callbackUrl, send.reference]), []),
          async send(_batch, _message, options) {
            seen.push([name, 'send', options.callbackUrl, options.reference]);
            return answer();
          },
        },
      );
    const a = recording('a', () => {
      throw unauthorized();
    });
    const b = recording('b', () => ({ ids: ['b-1'] }));
    const c = recording('c', () => ({ ids: ['c-1'] }));
    await sendWithFailover([a, b, c], batch, message, { callbackUrl: 'https://chain', reference: 'chain-ref', perSender: { a: { callbackUrl: 'https://a' }, b: { callbackUrl: 'https://b', reference: 'b-ref' } } });
    expect(seen.filter((s) => s[1] === 'send')).toEqual([
      ['a', 'send', 'https://a', 'chain-ref'],
      ['b', 'send', 'https://b', 'b-ref'],
    ]);
    expect(seen.filter((s) => s[1] === 'rules')).toEqual([
      ['a', 'rules', 'https://a', 'chain-ref'],
      ['b', 'rules', 'https://b', 'b-ref'],
      ['c', 'rules', 'https://chain', 'chain-ref'],
    ]);
  });

  it('never moves an unknown outcome on, and stops at a refusal that proves nothing about another vendor', async () => {
    const b = fake('b', []);
    const unknown = await sendWithFailover([fake('a', [lostAnswer()]), b], batch, message);
    expect(unknown.recipients.every((r) => r.status === 'unknown' && r.code === 'server_error')).toBe(true);
    const refused = await sendWithFailover([fake('a', [badParam()]), b], batch, message);
    expect(refused.recipients.map((r) => [r.status, r.tried.at(-1)?.failover])).toEqual([['refused', false], ['refused', false], ['refused', false]]);
    expect(b.calls).toEqual([]);
  });

  it("gives each try the vendor's own short reason, and keeps the error's message in the record", async () => {
    const result = await sendWithFailover([fake('a', [badParam()])], batch, message);
    expect(result.recipients[0]!.tried[0]).toMatchObject({ code: 'bad_request', vendorCode: 1106, reason: 'bad sender' });
    expect(result.attempts[0]!.outcome).toMatchObject({ status: 'refused', reason: 'bad sender', message: expect.any(String) });
  });

  it('moves only the recipients a vendor refused on their own, and keeps an opt-out where it is', async () => {
    const a = fake('a', [
      {
        ids: ['a-1'],
        messages: [{ to: batch[0]!, id: 'a-m0' }],
        refused: [
          { to: batch[1]!, failover: true, class: 'no_route', code: 'NO COVERAGE' },
          { to: batch[2]!, failover: false, code: 'REJECTED' },
        ],
      },
    ]);
    const b = fake('b', [{ ids: ['b-1'] }]);
    const result = await sendWithFailover([a, b], batch, message, { dedupeKey: 'k' });
    expect(b.calls.map((c) => c.batch)).toEqual([[batch[1]]]);
    expect(result.recipients.map((r) => [r.status, r.sentBy ?? r.code])).toEqual([['sent', 'a'], ['sent', 'b'], ['refused', 'REJECTED']]);
  });

  it('reports a recipient refused by every vendor with each refusal', async () => {
    const result = await sendWithFailover([fake('a', [unauthorized()]), fake('b', [unauthorized()])], batch, message);
    expect(result.recipients[0]).toMatchObject({ status: 'refused', tried: [{ sender: 'a', failover: true }, { sender: 'b', failover: true }] });
  });

  it('sends nothing once the caller has aborted, and says so per recipient', async () => {
    const a = fake('a', []);
    const result = await sendWithFailover([a], batch, message, { signal: AbortSignal.abort() });
    expect(a.calls).toEqual([]);
    expect(result.recipients.every((r) => r.status === 'refused' && r.code === 'aborted')).toBe(true);
  });
});

describe('sendWithFailover with a journal', () => {
  it('records each attempt before it is sent and its outcome after', async () => {
    const journal = memoryJournal();
    const a = fake('a', [{ ids: ['a-1'], refused: [{ to: batch[2]!, failover: true, class: 'no_route', code: 'NO COVERAGE' }] }]);
    await sendWithFailover([a, fake('b', [])], batch, message, { journal, batchIndex: 7, dedupeKey: 'k' });
    expect(journal.records).toEqual([
      { batch: 7, attempt: 0, sender: 'a', recipients: batch, dedupeKey: 'k', outcome: { status: 'sent', ids: ['a-1'], refused: [{ to: batch[2], failover: true, class: 'no_route', code: 'NO COVERAGE' }] } },
      { batch: 7, attempt: 1, sender: 'b', recipients: [batch[2]], dedupeKey: expect.any(String), outcome: { status: 'sent', ids: ['b-ok'] } },
    ]);
  });

  it('resumes after a kill between the refusal and the next vendor without asking the first again', async () => {
    const journal = memoryJournal(1);
    const a = fake('a', [unauthorized()]);
    const b = fake('b', [lostAnswer()]);
    // The run dies after b's request left, before its outcome was written.
    await expect(sendWithFailover([a, b], batch, message, { journal, dedupeKey: 'k' })).rejects.toThrow('killed');
    const a2 = fake('a', []);
    const b2 = fake('b', [], dedupes);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal, dedupeKey: 'k' });
    expect(a2.calls).toEqual([]);
    // b deduplicates: the in-flight attempt is resent once, with the key it had.
    expect(b2.calls).toEqual([{ batch, dedupeKey: journal.records[1]!.dedupeKey }]);
    expect(journal.records[2]).toMatchObject({ attempt: 2, sender: 'b', resendOf: 1, outcome: { status: 'sent' } });
    expect(resumed.recipients.every((r) => r.status === 'sent' && r.sentBy === 'b')).toBe(true);
  });

  it('leaves an in-flight attempt at a vendor that cannot deduplicate unknown, and never hands it to the next', async () => {
    const journal = memoryJournal(0);
    await expect(sendWithFailover([fake('a', []), fake('b', [])], batch, message, { journal })).rejects.toThrow('killed');
    const a2 = fake('a', []);
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal });
    expect([...a2.calls, ...b2.calls]).toEqual([]);
    expect(resumed.recipients.every((r) => r.status === 'unknown' && r.code === 'interrupted')).toBe(true);
  });

  it('keeps a recipient unknown when the resend of its unknown attempt is refused, and does not move it on', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a', [lostAnswer()], dedupes), fake('b', [])], batch, message, { journal, dedupeKey: 'k' });
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([fake('a', [unauthorized()], dedupes), b2], batch, message, { journal, dedupeKey: 'k' });
    expect(b2.calls).toEqual([]);
    expect(journal.records[1]).toMatchObject({ sender: 'a', resendOf: 0, dedupeKey: 'k', outcome: { status: 'refused', failover: false } });
    expect(resumed.recipients.every((r) => r.status === 'unknown')).toBe(true);
  });

  it('sends nothing again for a batch whose every recipient a vendor took', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a', [unauthorized()]), fake('b', [])], batch, message, { journal });
    const a2 = fake('a', []);
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal });
    expect([...a2.calls, ...b2.calls]).toEqual([]);
    expect(resumed.recipients.every((r) => r.sentBy === 'b')).toBe(true);
  });

  it('tries a recipient every vendor refused with proof again from the first vendor in a later run asked to, with a key of its own, once per run', async () => {
    const journal = memoryJournal();
    const first = await sendWithFailover([fake('a', [unauthorized()]), fake('b', [unauthorized()])], batch, message, { journal, dedupeKey: 'k', retryRefused: true });
    expect(first.recipients.every((r) => r.status === 'refused')).toBe(true);
    // Without the option a later run leaves them refused.
    const idle = fake('a', []);
    await sendWithFailover([idle, fake('b', [])], batch, message, { journal, dedupeKey: 'k' });
    expect(idle.calls).toEqual([]);
    const a = fake('a', [unauthorized()]);
    const b = fake('b', [unauthorized()]);
    const again = await sendWithFailover([a, b], batch, message, { journal, dedupeKey: 'k', retryRefused: true });
    // One new round: the first vendor again (never the batch key it refused), then the next; not a third time in this run.
    expect(a.calls).toEqual([{ batch, dedupeKey: expect.not.stringMatching(/^k$/) }]);
    expect(b.calls).toHaveLength(1);
    expect(again.recipients.every((r) => r.status === 'refused' && r.tried.length === 4)).toBe(true);
    const a3 = fake('a', []);
    const third = await sendWithFailover([a3, fake('b', [])], batch, message, { journal, dedupeKey: 'k', retryRefused: true });
    expect(third.recipients.every((r) => r.status === 'sent' && r.sentBy === 'a')).toBe(true);
    expect(a3.calls[0]!.dedupeKey).not.toBe(a.calls[0]!.dedupeKey);
  });

  it('never tries again a recipient a vendor took or may have, whatever retryRefused says', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a', [lostAnswer()]), fake('b', [])], batch, message, { journal, dedupeKey: 'k' });
    const a2 = fake('a', []);
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal, dedupeKey: 'k', retryRefused: true });
    expect([...a2.calls, ...b2.calls]).toEqual([]);
    expect(resumed.recipients.every((r) => r.status === 'unknown')).toBe(true);
  });

  it('resends an unknown attempt at a vendor that cannot deduplicate only when asked to, with the key it had', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a', [lostAnswer()]), fake('b', [])], batch, message, { journal, dedupeKey: 'k' });
    const a2 = fake('a', []);
    const resumed = await sendWithFailover([a2, fake('b', [])], batch, message, { journal, dedupeKey: 'k', resendUnknown: true });
    expect(a2.calls).toEqual([{ batch, dedupeKey: 'k' }]);
    expect(resumed.recipients.every((r) => r.status === 'sent' && r.sentBy === 'a')).toBe(true);
  });

  it('refuses a record made by another chain or batch', async () => {
    const journal = memoryJournal();
    await sendWithFailover([fake('a', [])], batch, message, { journal });
    await expect(sendWithFailover([fake('c', [])], batch, message, { journal })).rejects.toBeInstanceOf(JournalMismatchError);
    await expect(sendWithFailover([fake('a', [])], ['+447400000009'], message, { journal })).rejects.toBeInstanceOf(JournalMismatchError);
  });
});

describe('sendWithFailover when the first vendor takes the whole batch', () => {
  // The batch ends after one attempt, without planning; a resumed run reads the same record through
  // planChain, so both must say the same of every recipient.
  async function firstAndResumed(answer: SentBatch, options: { moveOn?: Map<string, MoveProof> } = {}) {
    const journal = memoryJournal();
    const first = await sendWithFailover([fake('a', [answer]), fake('b', [])], batch, message, { journal, dedupeKey: 'k', ...options });
    const a2 = fake('a', []);
    const b2 = fake('b', []);
    const resumed = await sendWithFailover([a2, b2], batch, message, { journal, dedupeKey: 'k', ...options });
    expect([...a2.calls, ...b2.calls]).toEqual([]);
    return { first, resumed, journal };
  }

  it('says of each recipient what a resumed run reading its record says, ids by place or by number', async () => {
    const inOrder = await firstAndResumed({ ids: ['bulk'], messages: batch.map((to, i) => ({ to, id: `m${i}` })) });
    expect(inOrder.first.recipients).toStrictEqual(inOrder.resumed.recipients);
    expect(inOrder.first.recipients.map((r) => r.id)).toEqual(['m0', 'm1', 'm2']);
    // Out of order, one number missing (its id is the request's), one not in the batch (dropped from the record).
    const shuffled = await firstAndResumed({ ids: ['bulk'], messages: [{ to: batch[2]!, id: 'm2' }, { to: '+447400000099', id: 'stray' }, { to: batch[0]!, id: 'm0' }] });
    expect(shuffled.first.recipients).toStrictEqual(shuffled.resumed.recipients);
    expect(shuffled.first.recipients.map((r) => r.id)).toEqual(['m0', 'bulk', 'm2']);
    expect(shuffled.journal.records[0]!.outcome).toEqual({ status: 'sent', ids: ['bulk'], messages: [{ to: batch[2], id: 'm2' }, { to: batch[0], id: 'm0' }] });
  });

  it('keeps a duplicate answer on every try, and gives no id where the vendor gave several and none per number', async () => {
    const duplicate = await firstAndResumed({ ids: ['earlier'], duplicate: true });
    expect(duplicate.first.recipients).toStrictEqual(duplicate.resumed.recipients);
    expect(duplicate.first.recipients[0]).toStrictEqual({ to: batch[0], status: 'sent', sentBy: 'a', id: 'earlier', tried: [{ sender: 'a', attempt: 0, outcome: 'sent', duplicate: true }] });
    const several = await firstAndResumed({ ids: ['x', 'y'] });
    expect(several.first.recipients).toStrictEqual(several.resumed.recipients);
    expect(several.first.recipients.every((r) => !('id' in r))).toBe(true);
  });

  it('still moves on a recipient a given proof names, to the next vendor', async () => {
    const proof: MoveProof = { to: batch[1]!, attempt: 0, kind: 'report', status: 'undelivered' };
    const journal = memoryJournal();
    const b = fake('b', [{ ids: ['b-1'] }]);
    const result = await sendWithFailover([fake('a', [{ ids: ['a-1'] }]), b], batch, message, { journal, dedupeKey: 'k', moveOn: new Map([[batch[1]!, proof]]) });
    expect(b.calls.map((c) => c.batch)).toEqual([[batch[1]]]);
    expect(result.recipients[1]).toMatchObject({ status: 'sent', sentBy: 'b', tried: [{ sender: 'a', outcome: 'sent', moved: 'report' }, { sender: 'b', outcome: 'sent' }] });
  });
});
