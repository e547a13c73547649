import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryEvent } from '@msgkit/core';
import { openFileJournal, type FileJournal } from '@msgkit/journal';
import { afterAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from './dashboard';
import type { CampaignSummary } from './campaign';

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-cost-'));
const dashboards: Dashboard[] = [];
afterAll(async () => {
  for (const d of dashboards) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

const chain = ['smsworks', 'smscx'];
const gbp = (amount: number) => ({ amount, currency: 'GBP' });
const eur = (amount: number) => ({ amount, currency: 'EUR' });

function report(vendor: string, to: string, status: DeliveryEvent['status'], more: Partial<DeliveryEvent> = {}): DeliveryEvent {
  const final = status === 'delivered' || status === 'undelivered' || status === 'expired' || status === 'rejected' || status === 'failed';
  return { vendor, messageId: `${vendor}-${to}`, status, final, raw: { status: status.toUpperCase() }, reference: { recipient: to }, ...more };
}
const note = (journal: FileJournal, i: number, e: DeliveryEvent) => journal.note({ t: 'delivery', i, e: e as unknown as Record<string, unknown> });

/** The summary the dashboard's data API sends for its one campaign, over loopback. */
async function summaryOf(dashboard: Dashboard): Promise<CampaignSummary> {
  const { campaigns } = (await (await fetch(new URL('/api/campaigns', dashboard.url))).json()) as { campaigns: Array<{ id: string }> };
  return (await (await fetch(new URL(`/api/campaigns/${campaigns[0]!.id}`, dashboard.url))).json()) as CampaignSummary;
}

describe('the cost of a recipient a failover moved from one vendor to another', () => {
  it('is what each vendor that accepted it charged, summed per currency, with a charge of no recorded price counted as unknown, never as 0', async () => {
    const path = join(dir, 'moved.journal');
    const journal = await openFileJournal(path, { provider: chain.join(','), sender: 'Shop', text: 'moved', options: { batchSize: 5 }, recipients: 'moved' }, { chain });
    const record = journal.failover();
    // bothGbp: The SMS Works charged 0.035 GBP for an undelivered message, SMS.CX 0.04 GBP for the delivered one.
    // twoCurrencies: The SMS Works 0.035 GBP (undelivered), SMS.CX 0.05 EUR (sent, not final yet).
    // unpricedNext: moved on a timer after The SMS Works said sent (0.035 GBP); SMS.CX took it and reported nothing yet.
    // unpricedFirst: moved on a timer; The SMS Works reported nothing, SMS.CX delivered it for 0.05 EUR.
    // refusedFirst: The SMS Works refused it before accepting it (no coverage, nothing billed); SMS.CX delivered it for 0.05 EUR.
    const [bothGbp, twoCurrencies, unpricedNext, unpricedFirst, refusedFirst] = ['+447400100001', '+447400100002', '+447400100003', '+447400100004', '+447400100005'] as const;
    await record.begin({ batch: 0, attempt: 0, sender: 'smsworks', recipients: [bothGbp, twoCurrencies, unpricedNext, unpricedFirst, refusedFirst] });
    await record.settle(0, 0, { status: 'sent', ids: ['w-0'], refused: [{ to: refusedFirst, failover: true, class: 'no_route', code: 'NO COVERAGE' }] });
    await note(journal, 0, report('smsworks', bothGbp, 'undelivered', { price: gbp(0.035) }));
    await note(journal, 0, report('smsworks', twoCurrencies, 'undelivered', { price: gbp(0.035) }));
    await note(journal, 0, report('smsworks', unpricedNext, 'sent', { price: gbp(0.035) }));
    const proofs = [
      { to: bothGbp, attempt: 0, kind: 'report' as const, status: 'undelivered' as const },
      { to: twoCurrencies, attempt: 0, kind: 'report' as const, status: 'undelivered' as const },
      { to: unpricedNext, attempt: 0, kind: 'timer' as const, afterMs: 60_000 },
      { to: unpricedFirst, attempt: 0, kind: 'timer' as const, afterMs: 60_000 },
    ];
    await record.begin({ batch: 0, attempt: 1, sender: 'smscx', recipients: [bothGbp, twoCurrencies, unpricedNext, unpricedFirst, refusedFirst], proofs });
    await record.settle(0, 1, { status: 'sent', ids: ['c-0'] });
    await note(journal, 0, report('smscx', bothGbp, 'delivered', { price: gbp(0.04) }));
    await note(journal, 0, report('smscx', twoCurrencies, 'sent', { price: eur(0.05) }));
    await note(journal, 0, report('smscx', unpricedFirst, 'delivered', { price: eur(0.05) }));
    await note(journal, 0, report('smscx', refusedFirst, 'delivered', { price: eur(0.05) }));
    await journal.close();

    const dashboard = await startDashboard({ journals: [path] });
    dashboards.push(dashboard);
    const s = await summaryOf(dashboard);
    expect(s.totals).toEqual({ pending: 0, sent: 2, delivered: 3, failed: 0, unknown: 0 });
    // GBP: 0.035 + 0.04 (bothGbp), 0.035 (twoCurrencies), 0.035 (unpricedNext); EUR: 0.05 each for twoCurrencies, unpricedFirst, refusedFirst.
    expect(s.cost.sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([
      { currency: 'EUR', amount: 0.15, recipients: 3 },
      { currency: 'GBP', amount: 0.145, recipients: 3 },
    ]);
    // unpricedNext (SMS.CX's charge) and unpricedFirst (The SMS Works'): a charge of no recorded price, beside the known one.
    expect(s.costUnknown).toBe(2);
    expect(s.costPartial).toBe(2);
  });
});
