// Issue 15's number: with 20 % of delivery reports dropped and 5 % delayed past the horizon, every
// recipient ends in a final state or an explicit `unknown` with a reason, and the lookups stay
// within each vendor's limit. For each of the four vendors, as processes: `msgkit webhooks serve
// --journal J` receives; `msgkit send --journal J --dlr-url …` sends (Octopush takes no report URL
// per send: its reports go to the account's callback URL, which the sandbox is given, signed by the
// same secret as `webhooks serve` checks); the sandbox drops 20 % of the reports for good and holds
// 5 % back (`late`, released by the test, no clock); `msgkit reconcile J --horizon 0s` asks the
// vendor about what has no final state yet; then the held reports arrive, after the reconcile.
// Checked from the results file of `msgkit report` against what the sandbox holds, and the lookups
// from the sandbox's own log of answered requests against the pace the reconcile announced (the
// vendor package's status-lookup fact, from its spec's `x-rate-limit`).
//
// CI size: MSGKIT_DLR_DROPS_RECIPIENTS (default 400) per vendor, MSGKIT_DLR_DROPS_BATCH (default
// 100; 1 000 from 10 000 recipients up), seeded by MSGKIT_DLR_DROPS_SEED (default 15);
// `pnpm --filter @msgkit/e2e e2e:dlr-drops-full` (and `pnpm e2e:full`) runs 100 000 recipients per vendor.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { infobipSenderFacts, infobipStatusLookup } from '@msgkit/infobip';
import { octopushSenderFacts } from '@msgkit/octopush';
import { startSandbox } from '@msgkit/sandbox';
import { smscxSenderFacts, smscxStatusLookup } from '@msgkit/smscx';
import { smsworksSenderFacts, smsworksStatusLookup } from '@msgkit/smsworks';
import { createCallbackUrl } from '@msgkit/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { bySize } from './size.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);

const RECIPIENTS = Number(process.env.MSGKIT_DLR_DROPS_RECIPIENTS ?? bySize(100_000, 400));
const BATCH = Number(process.env.MSGKIT_DLR_DROPS_BATCH ?? (RECIPIENTS >= 10_000 ? 1_000 : 100));
const SEED = Number(process.env.MSGKIT_DLR_DROPS_SEED ?? 15);
const DROP = 0.2;
const LATE = 0.05;
const TEXT = 'Your parcel is on its way.';
const SECRET = randomBytes(32).toString('base64url');
const CREDENTIALS = { SMSCX_API_KEY: 'e2e-key', SMSWORKS_TOKEN: 'e2e.jwt.token', INFOBIP_API_KEY: 'e2e-key', OCTOPUSH_API_LOGIN: 'e2e@example.com', OCTOPUSH_API_KEY: 'e2e-key' };
const ENV = { PATH: process.env.PATH, MSGKIT_WEBHOOK_SECRET: SECRET, ...CREDENTIALS };

/** The operations each vendor's lookup reads (its status-lookup fact's endpoints), by the sandbox's operation ids. */
const VENDORS = {
  smscx: { send: ['--from', 'Shop'], reconcile: [], sender: smscxSenderFacts, fact: smscxStatusLookup, lookups: ['getCampaignReport', 'getSingleReport'] },
  smsworks: { send: ['--from', 'Shop'], reconcile: ['--from', 'Shop', '--text', TEXT], sender: smsworksSenderFacts, fact: smsworksStatusLookup, lookups: ['getBatch', 'searchMessages', 'getMessage'] },
  infobip: { send: [], reconcile: [], sender: infobipSenderFacts, fact: infobipStatusLookup, lookups: ['getOmniLogs'] },
  // No report URL per send and no read of a message's state (shared/vendors/octopush.md §5).
  octopush: { send: ['--from', 'Shop', '--type', 'sms_low_cost', '--purpose', 'alert'], reconcile: [], sender: octopushSenderFacts, fact: undefined, lookups: [] },
};

let dir;
let list;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'msgkit-dlr-drops-'));
  list = join(dir, 'list.csv');
  writeFileSync(list, `phone\n${Array.from({ length: RECIPIENTS }, (_, i) => `+447702${String(i).padStart(6, '0')}`).join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs msgkit to its end; only a genuine hang is ended, at the hang limit. */
function msgkit(args) {
  const child = spawn(process.execPath, [bin, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const hardStop = setTimeout(() => child.kill('SIGKILL'), HANG_LIMIT_MS);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(hardStop);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** `msgkit webhooks serve --journal J --port 0`, once it listens: its URL, and a stop that waits for it to move its spool and exit. */
async function serve(journal) {
  const child = spawn(process.execPath, [bin, 'webhooks', 'serve', '--journal', journal, '--port', '0'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      stdout += c;
      const match = /msgkit webhooks: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`msgkit webhooks serve exited before listening: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return { ...(await exited), stdout, stderr };
    },
    kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
  };
}

/** Waits (no deadline) until the receiver has moved its spool into the journal: the journal is then free for reconcile. */
async function spoolEmpty(journal) {
  for (;;) {
    let size = 0;
    try {
      size = statSync(`${journal}.dlr`).size;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    if (size === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readStates(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('row,e164,state,status,reason,message_id,provider,tries,delivered_twice_by');
  return lines.map((l) => {
    const [row, e164, state, status, reason] = l.split(',');
    return { row: Number(row), e164, state, status, reason };
  });
}

function count(rows) {
  const byState = {};
  const reasons = {};
  for (const r of rows) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    if (r.state === 'unknown') reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
  }
  return { byState, reasons };
}

/** The most requests that arrived within any `periodMs` (a sliding window over arrival times). */
function maxInWindow(times, periodMs) {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= periodMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** What a run wrote to stderr besides its progress lines (`sending: 3/4 batches, …`). */
const complaints = (stderr) => stderr.split('\n').filter((l) => l && !/^sending: \d+\/(?:\d+|\?) batches, \d+ rows read$/.test(l));
const digits = (to) => String(to).replace(/\D/g, '');
const DELIVERED = /^DELIVERED/;

describe(`with ${DROP * 100} % of delivery reports dropped and ${LATE * 100} % delayed past the horizon`, () => {
  for (const [vendor, facts] of Object.entries(VENDORS)) {
    it(`${vendor}: every recipient ends delivered or failed as the vendor holds it, or unknown with a reason, none pending, and the lookups keep the vendor's pace`, async () => {
      const started = Date.now();
      const journal = join(dir, `${vendor}.journal`);
      const receiver = await serve(journal);
      const dlrUrl = `${receiver.url}/dlr`;
      const sandbox = await startSandbox({
        port: 0,
        dlrDelayMs: 5,
        // A receiver answers once a report is durable: under load that can take longer than the sandbox's default 2 s, and a vendor waits.
        dlrTimeoutMs: HANG_LIMIT_MS,
        ...(vendor === 'octopush' && { webhooks: { octopush: createCallbackUrl({ baseUrl: dlrUrl, secret: SECRET, vendor: 'octopush', ttlSeconds: 24 * 3600 }) } }),
        reports: { seed: SEED, drop: DROP, late: LATE, failures: 0.1, duplicates: 0.05, outOfOrder: true },
      });
      try {
        const base = ['--base-url', sandbox.baseUrls[vendor]];
        // The batch size asked for, or the vendor's maximum per request where that is smaller (Octopush: 500).
        const batch = Math.min(BATCH, facts.sender.maxRecipients);
        const sent = await msgkit(['send', '-p', vendor, ...facts.send, '--to-file', list, '--text', TEXT, ...base, '--batch-size', String(batch), '--journal', journal, ...(vendor === 'octopush' ? [] : ['--dlr-url', dlrUrl])]);
        expect([sent.code, complaints(sent.stderr)]).toEqual([0, []]);
        const sentAt = Date.now();
        await sandbox.settled();
        await spoolEmpty(journal);

        const messages = sandbox.messages(vendor);
        expect(messages).toHaveLength(RECIPIENTS);
        const reports = sandbox.deliveries(vendor);
        const dropped = reports.filter((d) => d.dropped).length;
        const held = sandbox.reports.held(vendor);
        // Every report posted was taken: 200, or 403 for a byte-identical duplicate (a replay).
        expect(reports.filter((d) => !d.dropped && !d.ok && d.status !== 403)).toEqual([]);
        expect(dropped).toBeGreaterThan(RECIPIENTS * DROP * 0.5);
        expect(held).toBeGreaterThan(0);

        // The horizon: what has no final state is asked about now, before the held reports come.
        const lookupsBefore = facts.lookups.length > 0 ? sandbox.requests(vendor).length : 0;
        const reconcileStart = Date.now();
        const reconciled = await msgkit(['reconcile', journal, '--horizon', '0s', ...base, ...facts.reconcile]);
        const reconcileMs = Date.now() - reconcileStart;
        expect([reconciled.signal, complaints(reconciled.stderr)]).toEqual([null, []]);
        const afterReconcile = join(dir, `${vendor}-reconciled.csv`);
        expect((await msgkit(['report', journal, '--results', afterReconcile])).stderr).toBe('');
        const mid = count(readStates(afterReconcile));

        // The late reports arrive, past the horizon and after the reconcile.
        const released = sandbox.reports.release(vendor);
        expect(released).toBe(held);
        await sandbox.settled();
        const late = sandbox.deliveries(vendor).filter((d) => d.late);
        expect(late.filter((d) => !d.ok)).toEqual([]);
        const stopped = await receiver.stop();
        expect(stopped.stderr.split('\n').filter((l) => l && !/refused a callback \(403 replayed\)/.test(l))).toEqual([]);

        const results = join(dir, `${vendor}-states.csv`);
        const report = await msgkit(['report', journal, '--results', results]);
        expect(report.stderr).toBe('');
        const rows = readStates(results);
        expect(rows).toHaveLength(RECIPIENTS);
        expect(new Set(rows.map((r) => r.e164)).size).toBe(RECIPIENTS);
        const truth = new Map(messages.map((m) => [digits(m.to), m.status]));
        for (const r of rows) {
          const held = truth.get(digits(r.e164));
          if (held === undefined) expect.fail(`${r.e164} is not at ${vendor}`);
          if (r.state === 'unknown') {
            if (!/^[a-z_]+$/.test(r.reason ?? '')) expect.fail(`${r.e164} is unknown without a reason`);
          } else if (r.state !== (DELIVERED.test(held) ? 'delivered' : 'failed')) expect.fail(`${r.e164} is ${r.state}, but ${vendor} holds ${held}`);
        }
        const { byState, reasons } = count(rows);

        // The lookups, as the sandbox answered them, against the pace the reconcile announced.
        const lookups = sandbox.requests(vendor).slice(lookupsBefore).filter((r) => facts.lookups.includes(r.operationId));
        const said = /(\d+) requests, \d+ answer/.exec(reconciled.stdout);
        expect(Number(said?.[1])).toBe(lookups.length);
        let pace;
        if (facts.fact) {
          const { requests, periodSeconds, published } = facts.fact.rateLimit;
          expect(reconciled.stdout).toContain(`at most ${requests} requests per ${periodSeconds} s (${published ? "the vendor's published limit" : 'a pace msgkit decided: the vendor publishes none'})`);
          const periodMs = periodSeconds * 1000;
          // Lookups go one at a time, so request i+N left after the answer to i-1 was written; the pacer
          // let it go at least a period after request i left, which was after that answer: i+N cannot
          // arrive earlier than a period after it. (Arrival times alone would count the network's jitter.)
          for (let i = 1; i + requests < lookups.length; i++) {
            const gap = lookups[i + requests].receivedAt - lookups[i - 1].answeredAt;
            if (gap < periodMs) expect.fail(`${vendor}: lookup ${i + requests} arrived ${gap} ms after the answer to lookup ${i - 1}, inside ${periodSeconds} s for ${requests} requests`);
          }
          // For the report: the closest N+1 lookups came together at the sandbox (arrival times, jitter included).
          const spans = lookups.slice(requests).map((r, i) => r.receivedAt - lookups[i].receivedAt);
          pace = { closestSpanMs: spans.length > 0 ? Math.min(...spans) : null, limit: `${requests}/${periodSeconds}s`, published, source: facts.fact.source, maxArrivedInAnyWindow: maxInWindow(lookups.map((r) => r.receivedAt.getTime()), periodMs) };
        }
        const figures = {
          vendor,
          recipients: RECIPIENTS,
          batch,
          dropped,
          late: held,
          afterReconcile: mid.byState,
          ...byState,
          unknownReasons: reasons,
          lookups: lookups.length,
          lookupsByOperation: Object.fromEntries(facts.lookups.map((op) => [op, lookups.filter((r) => r.operationId === op).length])),
          ...pace,
          ms: { send: sentAt - started, reconcile: reconcileMs, total: Date.now() - started },
          loadavg: loadavg().map((l) => l.toFixed(2)),
        };
        console.log(`dlr-drops e2e ${JSON.stringify(figures)}`);

        expect(byState.pending ?? 0).toBe(0);
        expect((byState.delivered ?? 0) + (byState.failed ?? 0) + (byState.unknown ?? 0)).toBe(RECIPIENTS);
        expect(byState.failed ?? 0).toBeGreaterThan(0);
        if (facts.fact) {
          // A vendor with a read of what it holds: the reconcile settles every recipient, and a late report regresses none.
          expect(mid.byState.pending ?? 0).toBe(0);
          expect(byState.unknown ?? 0).toBe(0);
          expect(byState).toEqual(mid.byState);
          expect(lookups.length).toBeGreaterThan(0);
        } else {
          // Octopush: nothing to ask. What had no report is unknown with that reason; the late reports settle theirs; the dropped stay unknown.
          expect(lookups).toEqual([]);
          expect(mid.byState.unknown).toBe(dropped + held);
          expect(reasons).toEqual({ no_lookup: dropped });
        }
      } finally {
        receiver.kill();
        await sandbox.close();
      }
    });
  }
});
