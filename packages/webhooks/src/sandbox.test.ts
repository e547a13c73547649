// End to end: the four real clients send to the sandbox with msgkit callback URLs; the sandbox
// posts reports the way real vendors do on a bad day (seeded failures, in-flight reports, one per
// part, duplicates, shuffled, delayed); the receiver's states must equal what the sandbox holds.
import { randomBytes } from 'node:crypto';
import type { DeliveryReportFormat } from '@msgkit/core';
import { InfobipClient, infobipReports } from '@msgkit/infobip';
import { OctopushClient, octopushReports } from '@msgkit/octopush';
import { startSandbox, type Sandbox, type SandboxMessage, type Vendor } from '@msgkit/sandbox';
import { SmscxClient, smscxReports } from '@msgkit/smscx';
import { SmsWorksClient, smsworksReports } from '@msgkit/smsworks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHandler, type WebhookHandler } from './handler';
import { nodeHttp, type Running } from './test/servers';
import { createCallbackUrl } from './token';

const secret = randomBytes(32);
const FORMATS: Record<Vendor, DeliveryReportFormat> = { smscx: smscxReports, smsworks: smsworksReports, octopush: octopushReports, infobip: infobipReports };
const N = 30;
const numbers = (prefix: string, first: number) => Array.from({ length: N }, (_, i) => `${prefix}${String(first + i)}`);

let receiver: Running;
let handler: WebhookHandler;
let sandbox: Sandbox;
beforeAll(async () => {
  handler = createWebhookHandler({ formats: Object.values(FORMATS), secrets: [secret] });
  receiver = await nodeHttp(handler);
  sandbox = await startSandbox({
    dlrDelayMs: 5,
    webhooks: { octopush: createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor: 'octopush', ttlSeconds: 3600 }) },
    reports: { seed: 11, failures: 0.25, intermediate: true, perPart: true, duplicates: 0.4, outOfOrder: true, delayMs: [0, 30] },
  });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const url = (vendor: Vendor, campaign: string) => createCallbackUrl({ baseUrl: `${receiver.url}/dlr`, secret, vendor, campaign, batch: 0, ttlSeconds: 3600 });
const long = 'Your parcel is on its way. '.repeat(7); // more than one SMS part

describe('reports from the sandbox on a bad day', () => {
  it('reduce to the final state the sandbox holds for every message of all four vendors', async () => {
    const base = sandbox.baseUrls;
    await new SmscxClient({ apiKey: 'k', baseUrl: base.smscx }).sms.send({ from: 'Shop', to: numbers('+31612', 340000), text: long, dlrCallbackUrl: url('smscx', 'c-smscx') });
    await new SmsWorksClient({ token: 't', baseUrl: base.smsworks }).batch.send({ sender: 'Shop', destinations: numbers('447400', 100000), content: long, deliveryreporturl: url('smsworks', 'c-smsworks') });
    await new OctopushClient({ apiLogin: 'a@example.com', apiKey: 'k', baseUrl: base.octopush }).sms.send({ type: 'sms_premium', purpose: 'alert', sender: 'Shop', text: long, recipients: numbers('+3361', 1000000).map((phoneNumber) => ({ phoneNumber })) });
    await new InfobipClient({ apiKey: 'k', baseUrl: base.infobip }).omni.send({ destinations: numbers('+49151', 12340000).map((phoneNumber) => ({ to: { phoneNumber } })), sms: { text: long }, notifyUrl: url('infobip', 'c-infobip') });
    await sandbox.settled();
    await handler.drain();

    // A report posted again on the same URL (the duplicates switch, or the sandbox retrying after
    // its 2 s timeout on a loaded machine, as a vendor retries after a lost answer) is a replay:
    // refused with 403. Its first copy was recorded: every message's state is checked below.
    const refused = sandbox.deliveries().filter((d) => !d.ok);
    expect(refused.filter((d) => d.status !== 403)).toEqual([]);
    expect(Object.entries(handler.stats.refused).filter(([reason, n]) => reason !== 'replayed' && n > 0)).toEqual([]);
    const messages = sandbox.messages();
    expect(messages).toHaveLength(4 * N);
    let failed = 0;
    for (const m of messages as SandboxMessage[]) {
      const expected = FORMATS[m.vendor].statuses[m.status === 'UNDELIVERABLE' && m.vendor === 'infobip' ? 'UNDELIVERABLE_NOT_DELIVERED' : m.status];
      // An Octopush report names the send's ticket and the number (its message: `<ticket>#<number>`).
      const state = handler.ledger.get(m.vendor, m.vendor === 'octopush' ? `${m.groupId}#${m.to}` : m.id);
      expect(state, `${m.vendor} ${m.id}`).toMatchObject({ status: expected!.status, final: true });
      if (state!.status !== 'delivered') failed++;
      if (m.vendor !== 'octopush') expect(state!.reference).toEqual({ campaign: `c-${m.vendor}`, batch: 0 });
      // In-flight and final reports at least; The SMS Works' and Octopush's per-part copies carry
      // second-resolution dates, so the receiver cannot tell them from a replay (and needs not).
      expect(state!.reports, `${m.vendor} ${m.parts}`).toBeGreaterThanOrEqual(m.vendor === 'infobip' ? 3 * m.parts : 2);
    }
    expect(failed).toBeGreaterThan(0);
    expect(handler.stats.refused).toMatchObject({ forged: 0, expired: 0, unsigned: 0, invalid_report: 0 });
    expect(handler.stats.unmapped).toBe(0);

  });
});
