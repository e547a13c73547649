// `msgkit dashboard --journal J` in a real browser (Chromium from Debian's package, driven by
// playwright-core) while `msgkit send --journal J` runs a campaign on the sandbox. A gate in front of
// the sandbox holds every send until the test lets it through, so each step (a batch in flight, a
// batch sent, a batch refused) is a state the journal holds and the page must come to show; every
// wait ends when its condition holds, or at the project's hang limit, and nothing is timed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { journalTotals, launchChromium, msgkit, pageShows, recipientList, startDashboardProcess, startGate } from './dashboard-helpers.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BATCH = 100;
const RECIPIENTS = 600;

let sandbox;
let gate;
let dir;
let browser;
let dashboard;
let campaign;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-e2e-dashboard-'));
  sandbox = await startSandbox({ port: 0 });
  gate = await startGate(sandbox.url);
  browser = await launchChromium();
});
afterAll(async () => {
  gate?.open();
  await campaign?.exited;
  await browser?.close();
  await dashboard?.stop();
  await gate?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Lets the request at the gate through and waits until the next one arrives or the campaign ends. */
async function step() {
  gate.release();
  const ended = campaign.exited.then(() => 'ended');
  return Promise.race([gate.held().then(() => 'held'), ended]);
}

describe('msgkit dashboard in Chromium, on a campaign running on the sandbox', () => {
  it('shows the numbers the journal holds, follows them while the campaign runs, loads nothing from elsewhere, logs no error and has no serious accessibility violation', async () => {
    const list = join(dir, 'list.txt');
    const journal = join(dir, 'spring.journal');
    writeFileSync(list, recipientList(RECIPIENTS).join('\n'));
    const base = sandbox.baseUrls.smscx.replace(sandbox.url, gate.url);
    campaign = msgkit(['send', '-p', 'smscx', '--from', 'Shop', '--to-file', list, '--text', 'Spring sale', '--base-url', base, '--batch-size', String(BATCH), '--concurrency', '1', '--journal', journal], { env: { SMSCX_API_KEY: 'e2e-key' } });
    await gate.held();
    dashboard = await startDashboardProcess(journal);
    const origin = new URL(dashboard.url).origin;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    const elsewhere = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    // Offline: anything but the dashboard's own origin is refused, and noted.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    await page.goto(dashboard.url);

    // The first batch is at the gate: begun in the journal, not settled, so pending.
    const first = await journalTotals(journal, true);
    expect(first.totals.pending).toBe(BATCH);
    await pageShows(page, first);
    await expect(page.locator('#about').textContent()).resolves.toContain('running');

    // It goes through: the page follows the journal to 100 sent while the next batch waits.
    expect(await step()).toBe('held');
    const second = await journalTotals(journal, true);
    expect(second.totals).toMatchObject({ sent: BATCH, pending: BATCH });
    await pageShows(page, second);

    // The vendor refuses the next batch.
    sandbox.faults.add({ vendor: 'smscx', count: 1, status: 400, body: { error: { type: 'invalid_request_error', code: 1102, message: 'Invalid sender +447400000123' } } });
    expect(await step()).toBe('held');
    const third = await journalTotals(journal, true);
    expect(third.totals.failed + third.totals.unknown).toBeGreaterThan(0);
    await pageShows(page, third);
    const failures = await page.locator('#failures tbody').textContent();
    for (const code of third.codes) expect(failures).toContain(code);
    // A number a vendor's message quotes is masked on the page too.
    expect(await page.content()).not.toContain('+447400000123');

    while ((await step()) === 'held');
    expect((await campaign.exited).code).not.toBe(null);
    const last = await journalTotals(journal, false);
    expect(last.recipients).toBe(RECIPIENTS);
    expect(last.totals.pending).toBe(0);
    await pageShows(page, last);
    await page.waitForFunction(() => document.querySelector('#about')?.textContent?.includes('not running'), undefined, { timeout: HANG_LIMIT_MS });
    // Per country: the UK and France, each with its own recipients.
    const countries = await page.locator('#countries tbody').textContent();
    expect(countries).toContain('United Kingdom (GB)');
    expect(countries).toContain('France (FR)');

    await page.evaluate(axeSource);
    const { violations } = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
    expect({ serious, elsewhere, errors }).toEqual({ serious: [], elsewhere: [], errors: [] });
    await page.close();
  });
});
