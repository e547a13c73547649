// `msgkit send --journal` SIGKILLed at 20 seeded random moments per vendor (a random count of the
// run's requests, then a random delay), each time resumed by a
// fresh process running the same command, 100 000 recipients through the fault proxy into the
// sandbox (in pnpm test: 5 kills, 20 000 recipients in as many batches; tools/e2e/size.mjs).
// SMS.CX and Octopush deduplicate by key, so every recipient must arrive exactly once. The
// SMS Works and Infobip cannot: no recipient may arrive twice (no --resend-unknown), and every
// recipient that did not demonstrably arrive must be listed `unknown` (or `refused`) in the results
// file. For every vendor the results file accounts for every input row exactly once.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { mulberry32, startFaultProxy } from './fault-proxy.mjs';
import { bySize } from './size.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);

const RECIPIENTS = bySize(100_000, 20_000);
// As many batches at either size, so that every kill still falls in the middle of the campaign.
const BATCH = bySize(1000, 200);
const KILLS = bySize(20, 5);
const ENV = {
  PATH: process.env.PATH,
  SMSCX_API_KEY: 'e2e-key',
  SMSWORKS_TOKEN: 'e2e-token',
  OCTOPUSH_API_LOGIN: 'e2e@example.com',
  OCTOPUSH_API_KEY: 'e2e-key',
  INFOBIP_API_KEY: 'e2e-key',
};
const VENDORS = {
  smscx: { args: ['--from', 'Msgkit', '--batch-size', String(BATCH)], deduplicates: true },
  octopush: { args: ['--from', 'Msgkit', '--type', 'sms_premium', '--purpose', 'alert', '--batch-size', String(BATCH / 2)], deduplicates: true },
  smsworks: { args: ['--from', 'Msgkit', '--batch-size', String(BATCH)], deduplicates: false },
  infobip: { args: ['--batch-size', String(BATCH)], deduplicates: false },
};

let sandbox;
let proxy;
let dir;
let list;
const numbers = Array.from({ length: RECIPIENTS }, (_, i) => `+447700${String(i).padStart(6, '0')}`);
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  proxy = await startFaultProxy({ target: sandbox.url, rate: 0.03, seed: 20261201 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-kill-'));
  list = join(dir, 'list.csv');
  writeFileSync(list, `phone\n${numbers.join('\n')}\n`);
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One `msgkit send` process, SIGKILLed when `kill` is given: `delayMs` after the sandbox has seen
 * `afterRequests` requests of this run. Counting the run's own requests (not wall time) makes the
 * kill land while batches are going out however fast or loaded the machine is; the delay varies
 * whether the last answer got back and was journaled before the kill.
 */
function send(vendor, journal, results, kill) {
  const base = sandbox.baseUrls[vendor].replace(sandbox.url, proxy.url);
  const args = ['send', '-p', vendor, ...VENDORS[vendor].args, '--to-file', list, '--text', 'Your order has shipped.', '--base-url', base, '--concurrency', '3', '--journal', journal, '--results', results];
  const child = spawn(process.execPath, [bin, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const before = sandbox.received(vendor).length;
  let timer;
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

const digits = (to) => String(to).replace(/^\+/, '');

function readResults(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  // msgkit's columns, then the list's own (`phone`).
  expect(header).toBe('row,input,e164,status,provider,vendor_id,error,tries,type,campaign,phone');
  return lines.map((l) => {
    const [row, input, e164, status] = l.split(',');
    return { row: Number(row), input, e164, status };
  });
}

async function campaign(vendor, seed) {
  const random = mulberry32(seed);
  const journal = join(dir, `${vendor}.journal`);
  const results = join(dir, `${vendor}-results.csv`);
  let killed = 0;
  let finishedEarly = 0;
  for (let k = 0; k < KILLS; k++) {
    const run = await send(vendor, journal, results, { afterRequests: 1 + Math.floor(random() * 3), delayMs: Math.floor(random() * 60) });
    if (run.signal === 'SIGKILL') killed++;
    else finishedEarly++;
  }
  // Then run to the end: a deduplicating vendor until everything is sent (faults can leave unknown
  // batches, resent with their key by the next run); the others until no batch is left refused.
  let last;
  for (let attempt = 0; attempt < 6; attempt++) {
    last = await send(vendor, journal, results);
    expect(last.signal, last.stderr).toBeNull();
    if (last.code === 0) break;
    const rows = readResults(results);
    if (!VENDORS[vendor].deduplicates && !rows.some((r) => r.status === 'refused')) break;
  }
  const rows = readResults(results);
  const received = sandbox.messages(vendor).map((m) => digits(m.to));
  const counts = new Map();
  for (const to of received) counts.set(to, (counts.get(to) ?? 0) + 1);
  const twice = [...counts.values()].filter((c) => c > 1).length;
  const byStatus = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const figures = {
    vendor,
    killed,
    finishedEarly,
    received: received.length,
    unique: counts.size,
    twice,
    ...byStatus,
    exit: last.code,
    // Recipients the last run found already sent: the kills fell while batches were going out.
    sentByKilledRuns: Number(/(\d+) of the sent were sent by an earlier run/.exec(last.stdout)?.[1] ?? 0),
  };
  console.log(`kill test ${JSON.stringify(figures)}`);
  return { rows, counts, twice, killed, figures };
}

function expectEveryRowOnce(rows) {
  expect(rows).toHaveLength(RECIPIENTS);
  const seen = new Set(rows.map((r) => r.row));
  expect(seen.size).toBe(RECIPIENTS);
  // Line 1 is the header: rows are lines 2 … RECIPIENTS + 1.
  for (let line = 2; line <= RECIPIENTS + 1; line++) if (!seen.has(line)) expect.fail(`row ${line} missing from the results`);
}

describe(`a campaign SIGKILLed ${KILLS} times and resumed`, () => {
  for (const vendor of ['smscx', 'octopush']) {
    it(`${vendor}: every recipient arrives exactly once, and every row is sent`, async () => {
      const { rows, counts, twice, killed } = await campaign(vendor, vendor.length * 7919);
      expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
      expect(twice).toBe(0);
      expect(counts.size).toBe(RECIPIENTS);
      for (const n of numbers) if (counts.get(digits(n)) !== 1) expect.fail(`${n} received ${counts.get(digits(n)) ?? 0} times`);
      expectEveryRowOnce(rows);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    });
  }

  for (const vendor of ['smsworks', 'infobip']) {
    it(`${vendor}: no recipient arrives twice, and every one not sent is listed unknown or refused`, async () => {
      const { rows, counts, twice, killed } = await campaign(vendor, vendor.length * 104729);
      expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
      expect(twice).toBe(0);
      expectEveryRowOnce(rows);
      for (const r of rows) {
        const arrived = counts.has(digits(r.e164));
        // `sent` only where the vendor has it; where it does not, the row says unknown or refused.
        if (r.status === 'sent' && !arrived) expect.fail(`row ${r.row} is reported sent but never arrived`);
        if (!arrived && r.status !== 'unknown' && r.status !== 'refused') expect.fail(`row ${r.row} did not arrive and is ${r.status}`);
      }
      // Every recipient the vendor may have sent without our knowing is in the results as unknown.
      const unknown = rows.filter((r) => r.status === 'unknown').length;
      const sent = rows.filter((r) => r.status === 'sent').length;
      expect(sent + unknown + rows.filter((r) => r.status === 'refused').length).toBe(RECIPIENTS);
      expect(counts.size).toBeGreaterThanOrEqual(sent);
    });
  }
});
