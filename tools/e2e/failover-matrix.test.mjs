// Every fault class at the first vendor of a two-vendor chain, for each of the four vendors first,
// through the real clients and the sandbox: the batch moves to the second vendor exactly for the
// classes that prove the first did not act (its documented refusals, a refused connection, an
// unfollowed 307), never for the others (5xx before or after acting, an unreadable 2xx, a timeout
// or a 429 after acting, a reset, a 303), and no number is ever accepted by two vendors.
import { createServer } from 'node:http';
import { batchDedupeKey, sendWithFailover } from '@msgkit/core';
import { recipientMessageId } from '@msgkit/core/internal';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE, RATE_LIMITED, REFUSALS, SERVER_ERROR, VENDORS, acceptedByVendor, armRefusal, digits, infobipScenario, sandboxSenders, sendPath } from './failover-helpers.mjs';

let sandbox;
let closedPort;
let redirector;
let redirectStatus = 307;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  redirector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(redirectStatus, { location: 'https://elsewhere.example/api' });
      res.end();
    });
  });
  await new Promise((resolve) => redirector.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => redirector?.close(resolve));
  await sandbox?.close();
});
beforeEach(async () => {
  sandbox.reset();
  await infobipScenario(sandbox);
});

const batch = ['+447400100001', '+447400100002', '+447400100003'];
const second = { smscx: 'smsworks', smsworks: 'smscx', octopush: 'infobip', infobip: 'octopush' };

/** Fault classes the first vendor meets, with the failover class expected (undefined: none). */
function faultCases(vendor) {
  const path = sendPath(vendor);
  const cases = [
    ['5xx before acting', { arm: { status: 500, body: SERVER_ERROR[vendor] } }],
    ['5xx after acting', { arm: { after: true, status: 500, body: SERVER_ERROR[vendor] }, acted: true }],
    ['an unreadable 2xx after acting', { arm: { after: true, status: 200, body: '<html>gateway</html>' }, acted: true }],
    ['a timeout after acting', { arm: { after: true, delayMs: 1_500 }, acted: true, timeoutMs: 300 }],
    ['a 429 after acting', { arm: { after: true, status: 429, body: RATE_LIMITED[vendor] }, acted: true }],
    ['a reset before acting', { arm: { drop: true } }],
    ['a reset after acting', { arm: { after: true, drop: true }, acted: true }],
    ['a connection refused before sending', { baseUrl: () => `http://127.0.0.1:${closedPort}`, expected: 'not_sent' }],
    ['an unfollowed 307', { baseUrl: () => `http://127.0.0.1:${redirector.address().port}`, redirect: 307, expected: 'redirect' }],
    ['a 303 after a POST', { baseUrl: () => `http://127.0.0.1:${redirector.address().port}`, redirect: 303 }],
  ];
  for (const [cls, refusal] of Object.entries(REFUSALS[vendor])) cases.push([`its documented refusal: ${cls}`, { refusal, expected: cls }]);
  return cases.map(([name, c]) => [vendor, name, { ...c, path }]);
}

describe('sendWithFailover over the sandbox', () => {
  it.each(VENDORS.flatMap(faultCases))('%s first, %s: fails over exactly when the fault proves nothing was sent', async (vendor, _name, c) => {
    const key = batchDedupeKey(`matrix-${vendor}`, 0);
    if (c.arm) sandbox.faults.add({ vendor, path: c.path, ...c.arm });
    if (c.refusal) armRefusal(sandbox, vendor, c.refusal, batch, batch.map((to) => recipientMessageId(key, to)));
    redirectStatus = c.redirect ?? 307;
    const senders = sandboxSenders(sandbox, { ...(c.timeoutMs && { timeoutMs: c.timeoutMs }), ...(c.baseUrl && { baseUrls: { [vendor]: c.baseUrl() } }) });
    const chain = [senders[vendor], senders[second[vendor]]];

    const result = await sendWithFailover(chain, batch, MESSAGE, { dedupeKey: key });

    if (c.acted) {
      // The vendor acted before the fault: wait (bounded) until its store shows it, however slow the machine.
      for (let i = 0; i < 200 && acceptedByVendor(sandbox).by[vendor].size < batch.length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { by, twice } = acceptedByVendor(sandbox);
    expect(twice).toEqual([]);
    if (c.expected) {
      expect(result.recipients.map((r) => [r.status, r.sentBy, r.tried[0].class])).toEqual(batch.map(() => ['sent', second[vendor], c.expected]));
      expect([...by[second[vendor]]]).toEqual(batch.map(digits));
      expect(by[vendor].size).toBe(0);
    } else {
      expect(result.recipients.every((r) => r.status !== 'sent' && r.tried.length === 1 && r.tried[0].failover !== true)).toBe(true);
      expect(by[second[vendor]].size).toBe(0);
      // What the first vendor accepted is reported unknown, never lost and never sent elsewhere.
      expect(by[vendor].size).toBe(c.acted ? batch.length : 0);
      if (c.acted) expect(result.recipients.every((r) => r.status === 'unknown')).toBe(true);
    }
  });

  it('refuses up front a chain in which one vendor cannot carry the message, naming it and the rule', async () => {
    const senders = sandboxSenders(sandbox);
    const error = await sendWithFailover([senders.smscx, senders.octopush], batch, { text: 'Hi', from: 'Shop' }).catch((e) => e);
    expect(error.issues).toEqual([expect.objectContaining({ path: ['octopush', 'options', 'octopush', 'type'], code: 'required' }), expect.objectContaining({ path: ['octopush', 'options', 'octopush', 'purpose'], code: 'required' })]);
    expect(sandbox.received('smscx')).toEqual([]);
    expect(sandbox.messages()).toEqual([]);
  });

  it('moves only the destinations Infobip rejected on their own for a reason another vendor may not share', async () => {
    const key = batchDedupeKey('per-recipient', 0);
    const senders = sandboxSenders(sandbox);
    const ids = batch.map((to) => recipientMessageId(key, to));
    const rejected = (id, name) => ({ groupId: 5, groupName: 'REJECTED', id, name, description: name });
    // No route and no credit move on; an opt-out (DND) stays refused: no vendor may send it.
    sandbox.faults.add({
      vendor: 'infobip',
      path: sendPath('infobip'),
      status: 200,
      body: { bulkId: key, messages: [rejected(19, 'REJECTED_ROUTE_NOT_AVAILABLE'), rejected(10, 'REJECTED_DND'), rejected(12, 'REJECTED_NOT_ENOUGH_CREDITS')].map((s, i) => ({ to: { phoneNumber: batch[i].slice(1) }, status: s, messageId: ids[i] })) },
    });
    const result = await sendWithFailover([senders.infobip, senders.smscx], batch, MESSAGE, { dedupeKey: key });
    expect(result.recipients.map((r) => [r.status, r.sentBy ?? r.code])).toEqual([['sent', 'smscx'], ['refused', 'REJECTED_DND'], ['sent', 'smscx']]);
    expect(sandbox.received('smscx').map((r) => r.body.to)).toEqual([[batch[0], batch[2]]]);
    const { by, twice } = acceptedByVendor(sandbox);
    expect(twice).toEqual([]);
    expect([...by.smscx]).toEqual([digits(batch[0]), digits(batch[2])]);
  });
});
