// `msgkit dashboard --journal J` in Chromium (Debian's package, driven by playwright-core) on the
// journal of a failover chain (The SMS Works → SMS.CX) whose recipients were moved on after the
// send, with priced delivery reports of both vendors: the page's "Cost so far" must say what each
// vendor that accepted a recipient charged, summed, and that a charge without a price is not known.
// Every wait ends when its condition holds, or at the project's hang limit; nothing is timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileJournal } from '@msgkit/journal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { launchChromium, startDashboardProcess } from './dashboard-helpers.mjs';

let dir;
let browser;
let dashboard;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-dashboard-cost-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function report(vendor, to, status, price) {
  const final = status === 'delivered' || status === 'undelivered';
  return { vendor, messageId: `${vendor}-${to}`, status, final, raw: { status: status.toUpperCase() }, reference: { recipient: to }, ...(price && { price }) };
}

describe('msgkit dashboard in Chromium, on a campaign whose recipients a failover moved from one vendor to another', () => {
  it("shows as the cost what each vendor that accepted a recipient charged, summed per currency, and says when a vendor's charge has no recorded price", async () => {
    const chain = ['smsworks', 'smscx'];
    const path = join(dir, 'moved.journal');
    const journal = await openFileJournal(path, { provider: chain.join(','), sender: 'Shop', text: 'moved', options: { batchSize: 3 }, recipients: 'moved' }, { chain });
    const note = (e) => journal.note({ t: 'delivery', i: 0, e });
    const record = journal.failover();
    // a: 0.035 GBP at The SMS Works (undelivered), 0.04 GBP at SMS.CX (delivered).
    // b: 0.035 GBP at The SMS Works (undelivered), 0.05 EUR at SMS.CX (delivered).
    // c: moved on a timer, The SMS Works' report gives no price; SMS.CX charged 0.05 EUR.
    const [a, b, c] = ['+447400100001', '+447400100002', '+447400100003'];
    await record.begin({ batch: 0, attempt: 0, sender: 'smsworks', recipients: [a, b, c] });
    await record.settle(0, 0, { status: 'sent', ids: ['w-0'] });
    await note(report('smsworks', a, 'undelivered', { amount: 0.035, currency: 'GBP' }));
    await note(report('smsworks', b, 'undelivered', { amount: 0.035, currency: 'GBP' }));
    await note(report('smsworks', c, 'sent'));
    const proofs = [
      { to: a, attempt: 0, kind: 'report', status: 'undelivered' },
      { to: b, attempt: 0, kind: 'report', status: 'undelivered' },
      { to: c, attempt: 0, kind: 'timer', afterMs: 60_000 },
    ];
    await record.begin({ batch: 0, attempt: 1, sender: 'smscx', recipients: [a, b, c], proofs });
    await record.settle(0, 1, { status: 'sent', ids: ['c-0'] });
    await note(report('smscx', a, 'delivered', { amount: 0.04, currency: 'GBP' }));
    await note(report('smscx', b, 'delivered', { amount: 0.05, currency: 'EUR' }));
    await note(report('smscx', c, 'delivered', { amount: 0.05, currency: 'EUR' }));
    await journal.close();

    dashboard = await startDashboardProcess(path);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(dashboard.url);
    await page.waitForFunction(() => document.querySelector('#totals dd[data-state="delivered"]')?.getAttribute('data-value') === '3', undefined, { timeout: HANG_LIMIT_MS, polling: 100 });
    const cost = await page.locator('#cost').textContent();
    expect(cost).toContain('0.11 GBP for 2 recipients');
    expect(cost).toContain('0.1 EUR for 2 recipients');
    expect(cost).toContain('and more: 1 of these recipients were also charged by a vendor that recorded no price');
    expect(cost).not.toContain('no cost recorded for');
    expect(errors).toEqual([]);
    await page.close();
  });
});
