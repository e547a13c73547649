// The README's screenshots of `msgkit dashboard`: a campaign of 12 000 recipients sent by the CLI
// to the sandbox through the browser test's gate, one batch at a time, with a batch refused and
// two the vendor kept failing, captured while a batch is in flight (wide and narrow). Run it with
// `pnpm --filter @msgkit/e2e screenshots:dashboard` after `pnpm build`; it writes docs/dashboard/*.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@msgkit/sandbox';
import { journalTotals, launchChromium, msgkit, pageShows, recipientList, startDashboardProcess, startGate } from './dashboard-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../docs/dashboard');
const BATCH = 500;
const RECIPIENTS = 12_000;
/** Request number (retries count) → what the sandbox does to it. */
const FAULTS = {
  6: { status: 400, body: { error: { type: 'invalid_request_error', code: 1102, message: 'Sender ID not allowed for +447400000123' } } },
  // Three attempts answered 500: the client gives up and the batch's outcome is unknown.
  10: { status: 500, count: 3 },
  16: { status: 500, count: 3 },
};
const SHOOT_AT = 24;

const dir = mkdtempSync(join(tmpdir(), 'msgkit-dashboard-shots-'));
const sandbox = await startSandbox({ port: 0 });
const gate = await startGate(sandbox.url);
const browser = await launchChromium();
let campaign;
let dashboard;
try {
  const list = join(dir, 'spring-sale.csv');
  writeFileSync(list, recipientList(RECIPIENTS).join('\n'));
  const journal = join(dir, 'spring-sale.journal');
  const base = sandbox.baseUrls.smscx.replace(sandbox.url, gate.url);
  campaign = msgkit(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Spring sale: 20% off until Sunday', '--base-url', base, '--batch-size', String(BATCH), '--concurrency', '1', '--journal', journal], { env: { SMSCX_API_KEY: 'screenshots' } });
  await gate.held();
  dashboard = await startDashboardProcess(journal);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(dashboard.url);
  for (let request = 0; request < SHOOT_AT; request++) {
    // Each step waits until the page shows the journal, so the chart gets a point per batch.
    await pageShows(page, await journalTotals(journal, true));
    if (FAULTS[request]) sandbox.faults.add({ vendor: 'smscx', count: 1, ...FAULTS[request] });
    gate.release();
    await gate.held();
  }
  await pageShows(page, await journalTotals(journal, true));
  await page.waitForFunction(() => document.querySelectorAll('#unknown tbody tr td').length > 1, undefined, { timeout: HANG_LIMIT_MS });
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'campaign.png'), fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: join(out, 'campaign-narrow.png') });
  console.log(`screenshots in ${out}`);
} finally {
  gate.open();
  await campaign?.exited;
  await browser.close();
  await dashboard?.stop();
  await gate.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
