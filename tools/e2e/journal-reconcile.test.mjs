// The journal kill test, then `msgkit reconcile`: `msgkit send --journal` through the fault proxy
// (answers lost after the vendor acted, connections dropped before it, 500s), SIGKILLed at seeded
// moments and resumed, then reconciled against the sandbox. Infobip's lookup by the ids msgkit
// chose is a proof (its logs, kept 48 h): no recipient may be left unknown there. The SMS Works
// documents no such proof: what it does not list stays unknown, and says why. Every recipient that
// arrived at the vendor must come out delivered, never unknown or failed; every one that did not
// must never be called delivered.
// CI size: MSGKIT_RECONCILE_RECIPIENTS (default 3 000), MSGKIT_RECONCILE_KILLS (default 5);
// `pnpm --filter @msgkit/e2e e2e:reconcile-full` runs 100 000 recipients and 20 kills.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startDashboard } from '@msgkit/dashboard';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { mulberry32, startFaultProxy } from './fault-proxy.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);

const RECIPIENTS = Number(process.env.MSGKIT_RECONCILE_RECIPIENTS ?? 3_000);
const KILLS = Number(process.env.MSGKIT_RECONCILE_KILLS ?? 5);
const BATCH = Math.max(100, Math.min(1_000, Math.round(RECIPIENTS / 12)));
const TEXT = 'Your parcel is on its way.';
const ENV = { PATH: process.env.PATH, SMSWORKS_TOKEN: 'e2e-token', INFOBIP_API_KEY: 'e2e-key' };
const VENDORS = {
  smsworks: { send: ['--from', 'Msgkit'], reconcile: ['--from', 'Msgkit', '--text', TEXT], proof: false },
  infobip: { send: [], reconcile: [], proof: true },
};

let sandbox;
let proxy;
let dir;
let list;
const numbers = Array.from({ length: RECIPIENTS }, (_, i) => `+447701${String(i).padStart(6, '0')}`);
beforeAll(async () => {
  // No report reaches anyone: every final state must come from the lookups.
  sandbox = await startSandbox({ port: 0 });
  proxy = await startFaultProxy({ target: sandbox.url, rate: 0.15, seed: 20261207 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-reconcile-'));
  list = join(dir, 'list.csv');
  writeFileSync(list, `phone\n${numbers.join('\n')}\n`);
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function msgkit(args, kill, vendor) {
  const child = spawn(process.execPath, [bin, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const before = vendor ? sandbox.received(vendor).length : 0;
  let timer;
  // Killed after a count of the run's own requests (not wall time), so it lands mid-campaign however loaded the machine is.
  const watch =
    kill === undefined
      ? undefined
      : setInterval(() => {
          if (sandbox.received(vendor).length - before < kill.afterRequests) return;
          clearInterval(watch);
          timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
        }, 2);
  const hardStop = setTimeout(() => child.kill('SIGKILL'), HANG_LIMIT_MS);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      clearTimeout(hardStop);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** The reconcile runs an hour after the campaign: every begin time (a batch's, or an attempt's of a chain) is moved back one hour, as the clock would have. */
function anHourLater(journal) {
  const lines = readFileSync(journal, 'utf8').split('\n');
  const moved = lines.map((l) => {
    if (!l.startsWith('{"t":"begin"') && !l.startsWith('{"t":"attempt"')) return l;
    const record = JSON.parse(l);
    return JSON.stringify({ ...record, at: new Date(Date.parse(record.at) - 3_600_000).toISOString() });
  });
  writeFileSync(journal, moved.join('\n'));
}

function readStates(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('row,e164,state,status,reason,message_id,provider,tries,delivered_twice_by');
  return lines.map((l) => {
    const [row, e164, state, status, reason] = l.split(',');
    return { row: Number(row), e164, state, status, reason };
  });
}

const digits = (to) => String(to).replace(/^\+/, '');

describe('a campaign SIGKILLed and resumed, then reconciled', () => {
  for (const [vendor, facts] of Object.entries(VENDORS)) {
    it(`${vendor}: every recipient ends delivered, failed or pending with the vendor's word, or unknown with a reason${facts.proof ? ', and none is unknown' : ''}`, async () => {
      const random = mulberry32(vendor.length * 7_877);
      const journal = join(dir, `${vendor}.journal`);
      const base = sandbox.baseUrls[vendor].replace(sandbox.url, proxy.url);
      const send = ['send', '-p', vendor, ...facts.send, '--to-file', list, '--text', TEXT, '--base-url', base, '--batch-size', String(BATCH), '--concurrency', '3', '--journal', journal];
      let killed = 0;
      for (let k = 0; k < KILLS; k++) {
        const run = await msgkit(send, { afterRequests: 1 + Math.floor(random() * 3), delayMs: Math.floor(random() * 60) }, vendor);
        if (run.signal === 'SIGKILL') killed++;
      }
      const last = await msgkit(send);
      expect(last.signal, last.stderr).toBeNull();
      expect(killed).toBeGreaterThan(0);
      const before = await msgkit(['report', journal]);
      const unknownBefore = Number(/unknown\s*│\s*\d+\s*│\s*(\d+)/.exec(before.stdout)?.[1] ?? 0);

      anHourLater(journal);
      const reconciled = await msgkit(['reconcile', journal, '--horizon', '15m', '--base-url', sandbox.baseUrls[vendor], ...facts.reconcile]);
      expect(reconciled.signal, reconciled.stderr).toBeNull();
      expect(reconciled.stderr).toBe('');
      const results = join(dir, `${vendor}-states.csv`);
      const report = await msgkit(['report', journal, '--results', results]);
      expect(report.stderr).toBe('');
      const rows = readStates(results);
      expect(rows).toHaveLength(RECIPIENTS);
      expect(new Set(rows.map((r) => r.e164)).size).toBe(RECIPIENTS);

      const arrived = new Set(sandbox.messages(vendor).map((m) => digits(m.to)));
      const byState = {};
      const reasons = {};
      for (const r of rows) {
        byState[r.state] = (byState[r.state] ?? 0) + 1;
        if (r.state === 'unknown') reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
        // What the vendor has is found: delivered (the sandbox fails none), never unknown nor "not sent".
        if (arrived.has(digits(r.e164)) && r.state !== 'delivered') expect.fail(`${r.e164} arrived at ${vendor} but is ${r.state} (${r.reason})`);
        if (!arrived.has(digits(r.e164)) && r.state === 'delivered') expect.fail(`${r.e164} never arrived at ${vendor} but is delivered`);
        if (r.state === 'unknown' && !/^[a-z_]+$/.test(r.reason)) expect.fail(`${r.e164} is unknown without a reason`);
        // Failed: proven not sent by the lookup (not_sent), or refused at send time (its code).
        if (r.state === 'failed' && !/^[a-z_]+/.test(r.reason)) expect.fail(`${r.e164} failed without a reason`);
      }
      console.log(`reconcile e2e ${JSON.stringify({ vendor, recipients: RECIPIENTS, killed, unknownBefore, ...byState, reasons, lookups: /(\d+) requests, (\d+) answer/.exec(reconciled.stdout)?.slice(1, 3).map(Number) })}`);
      // The dashboard reads the same records by the same rules: its totals are the report's.
      const dashboard = await startDashboard({ journals: [journal], port: 0 });
      try {
        const { campaigns } = await (await fetch(new URL('/api/campaigns', dashboard.url))).json();
        const { totals } = await (await fetch(new URL(`/api/campaigns/${campaigns[0].id}`, dashboard.url))).json();
        expect(totals).toEqual({ pending: 0, sent: byState.pending ?? 0, delivered: byState.delivered ?? 0, failed: byState.failed ?? 0, unknown: byState.unknown ?? 0 });
      } finally {
        await dashboard.close();
      }
      expect(unknownBefore).toBeGreaterThan(0);
      if (facts.proof) expect(byState.unknown ?? 0).toBe(0);
      else expect(Object.keys(reasons).every((reason) => reason === 'vendor_gives_no_proof')).toBe(true);
    }, 900_000);
  }
});
