// A failover campaign through chains of two and three vendors against the sandbox, sent by the
// msgkit command (`msgkit send -p a,b[,c] --journal … --results …`) as a process: the first vendor
// faults across the matrix (5xx before and after acting, unreadable 2xx, timeouts and 429s after
// acting, resets, and its documented refusals) in a seeded order, the second refusing now and then
// in a chain of three; each seed's run is SIGKILLed once at a seeded moment and resumed by the same
// command. Checked from the sandbox's own stores against the results file: no number accepted by
// two vendors (or twice by one), none lost (each accepted number is reported sent by, or unknown
// at, the vendor holding it), and every failover of an allowed class, counted per class.
//
// CI runs a small seeded size; `pnpm --filter @msgkit/e2e e2e:failover-full` runs 100 000
// recipients × 20 seeds (MSGKIT_FAILOVER_RECIPIENTS, MSGKIT_FAILOVER_SEEDS, MSGKIT_FAILOVER_FIRST_SEED,
// MSGKIT_FAILOVER_BATCH).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from './fault-proxy.mjs';
import { MESSAGE, RATE_LIMITED, REFUSALS, SERVER_ERROR, acceptedByVendor, digits, infobipScenario, sendPath } from './failover-helpers.mjs';
import { HANG_LIMIT_MS } from '../test-child.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);
// The credentials the sandbox takes, as each sender factory reads them from the environment.
const ENV = { PATH: process.env.PATH, SMSCX_API_KEY: 'e2e-key', SMSWORKS_TOKEN: 'e2e.jwt.token', OCTOPUSH_API_LOGIN: 'e2e@example.com', OCTOPUSH_API_KEY: 'e2e-key' };

const RECIPIENTS = Number(process.env.MSGKIT_FAILOVER_RECIPIENTS ?? 2_000);
const SEEDS = Number(process.env.MSGKIT_FAILOVER_SEEDS ?? 2);
// The first seed's index: a full run can be split across invocations (seeds FIRST … FIRST+SEEDS-1).
const FIRST_SEED = Number(process.env.MSGKIT_FAILOVER_FIRST_SEED ?? 0);
const BATCH = Number(process.env.MSGKIT_FAILOVER_BATCH ?? 100);
const CONCURRENCY = RECIPIENTS > 10_000 ? 4 : 1;
const TIMEOUT_MS = 1_000;
const CHAINS = { 2: ['smscx', 'smsworks'], 3: ['octopush', 'smscx', 'smsworks'] };
const PROVEN = new Set(['authentication', 'no_route', 'invalid_number', 'insufficient_credit']);

let sandbox;
let dir;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, dlrDelayMs: 60_000 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-failover-'));
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The faults a vendor can be armed with, the healthy answer first: [name, fault or undefined]. */
function faultKinds(vendor) {
  return [
    ['healthy', {}],
    ['5xx before acting', { status: 500, body: SERVER_ERROR[vendor] }],
    ['5xx after acting', { after: true, status: 500, body: SERVER_ERROR[vendor] }],
    ['unreadable 2xx after acting', { after: true, status: 200, body: '<html>gateway</html>' }],
    ['timeout after acting', { after: true, delayMs: TIMEOUT_MS * 2.5 }],
    ['429 after acting', { after: true, status: 429, body: RATE_LIMITED[vendor] }],
    ['reset', { drop: true }],
    ['reset after acting', { after: true, drop: true }],
    ...Object.entries(REFUSALS[vendor]).map(([cls, fault]) => [`refusal ${cls}`, fault]),
  ];
}

/** Arms one seeded fault (or a healthy pass) per request `vendor` will get, in arrival order; returns their names. */
function armSeeded(vendor, random, requests, faultShare) {
  const kinds = faultKinds(vendor);
  const sequence = [];
  for (let i = 0; i < requests; i++) {
    const [name, fault] = random() < faultShare ? kinds[1 + Math.floor(random() * (kinds.length - 1))] : kinds[0];
    sequence.push(name);
    sandbox.faults.add({ vendor, path: sendPath(vendor), ...fault });
  }
  return sequence;
}

/** How many requests met each armed kind: the faults of one vendor and path are taken in order. */
function consumed(vendor, sequence) {
  const left = sandbox.faults.list().filter((f) => f.vendor === vendor).length;
  const met = {};
  for (const name of sequence.slice(0, sequence.length - left)) met[name] = (met[name] ?? 0) + 1;
  return met;
}

/** The msgkit command line of one campaign: every run of a seed is the same command. */
function command(config) {
  const { options } = MESSAGE;
  return [
    'send',
    '-p',
    config.chain.join(','),
    '--from',
    MESSAGE.from,
    '--text',
    MESSAGE.text,
    '--to-file',
    config.list,
    ...config.chain.flatMap((vendor) => ['--base-url', `${vendor}=${config.baseUrls[vendor]}`]),
    ...(config.chain.includes('octopush') ? ['--type', options.octopush.type, '--purpose', options.octopush.purpose] : []),
    '--timeout',
    String(config.timeoutMs / 1000),
    '--retries',
    '0',
    '--batch-size',
    String(config.batchSize),
    '--concurrency',
    String(config.concurrency),
    '--journal',
    config.journal,
    '--campaign-id',
    config.campaign,
    '--results',
    config.results,
  ];
}

function run(config, kill) {
  const child = spawn(process.execPath, [bin, ...command(config)], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.on('data', (c) => (stdout += c));
  // The kill counts the run's own requests the sandbox acted on (not wall time), so it lands while
  // batches are going out however loaded the machine is; the delay varies whether the answer of
  // the last one got back and was journaled before the kill.
  const before = sandbox.received().length;
  let timer;
  const watch =
    kill &&
    setInterval(() => {
      if (sandbox.received().length - before < kill.afterRequests) return;
      clearInterval(watch);
      timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    }, 1);
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

/** One line of the results CSV (RFC 4180: a quoted cell may hold commas and doubled quotes). */
function csvCells(line) {
  const cells = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        cell += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          cell += '"';
          i++;
        } else break;
      }
      cells.push(cell);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

function readResults(path) {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = csvCells(head);
  return lines.map((l) => Object.fromEntries(csvCells(l).map((v, i) => [names[i], v])));
}

/** The tries cell (`smscx:refused:no_route smsworks:sent`) as { sender, outcome, label } in order. */
const triesOf = (cell) => (cell ? cell.split(' ').map((t) => ({ sender: t.split(':')[0], outcome: t.split(':')[1], label: t.split(':')[2] })) : []);

async function campaign(length, seed) {
  sandbox.reset();
  await infobipScenario(sandbox);
  const random = mulberry32(seed);
  const chain = CHAINS[length];
  const batches = Math.ceil(RECIPIENTS / BATCH);
  const armed = { [chain[0]]: armSeeded(chain[0], random, batches * 2, 0.5), ...(length === 3 && { [chain[1]]: armSeeded(chain[1], random, batches, 0.3) }) };
  const faults = () => Object.fromEntries(Object.entries(armed).map(([vendor, sequence]) => [vendor, consumed(vendor, sequence)]));
  const list = join(dir, `${length}-${seed}.txt`);
  writeFileSync(list, `${Array.from({ length: RECIPIENTS }, (_, i) => `+447400${String(i).padStart(6, '0')}`).join('\n')}\n`);
  const config = {
    baseUrls: sandbox.baseUrls,
    chain,
    list,
    batchSize: BATCH,
    campaign: `failover-${length}-${seed}`,
    journal: join(dir, `${length}-${seed}.journal`),
    results: join(dir, `${length}-${seed}.csv`),
    timeoutMs: TIMEOUT_MS,
    concurrency: CONCURRENCY,
  };
  const killed = await run(config, { afterRequests: 1 + Math.floor(random() * (batches / 2)), delayMs: Math.floor(random() * 20) });
  const resumed = await run(config);
  // 0 when every recipient was sent, 1 when some are unknown or refused (each has its row).
  expect(resumed.signal, resumed.stderr).toBeNull();
  expect([0, 1], resumed.stderr).toContain(resumed.code);
  expect(resumed.stderr).not.toMatch(/stopped|could not be written/);
  // A run that finished wrote its results file; a crash (exit 1 too) did not.
  expect(existsSync(config.results), resumed.stderr).toBe(true);

  const results = readResults(config.results);
  const { twice, owner } = acceptedByVendor(sandbox);
  const figures = { chain: chain.join('→'), seed, killed: killed.signal === 'SIGKILL', sent: {}, unknown: 0, refused: 0, failovers: {}, lost: 0, faults: faults() };
  for (const r of results) {
    const holder = owner.get(digits(r.e164));
    const tried = triesOf(r.tries);
    if (r.status === 'sent') figures.sent[r.provider] = (figures.sent[r.provider] ?? 0) + 1;
    else figures[r.status]++;
    // Not lost: a number a vendor holds is reported sent by it, or unknown at it; a refused one is held by none.
    const unknownAt = tried.filter((t) => t.outcome === 'unknown').map((t) => t.sender);
    if (holder !== undefined && !(r.status === 'sent' ? r.provider === holder : r.status === 'unknown' && unknownAt.includes(holder))) figures.lost++;
    if (r.status === 'sent' && holder === undefined) figures.lost++;
    // A failover: a refused try with a later vendor tried after it; its label is the class that allowed it.
    tried.forEach((t, i) => {
      if (t.outcome === 'refused' && i < tried.length - 1) figures.failovers[t.label] = (figures.failovers[t.label] ?? 0) + 1;
    });
  }
  console.log(JSON.stringify(figures));
  expect(results).toHaveLength(RECIPIENTS);
  expect(twice).toEqual([]);
  expect(figures.lost).toBe(0);
  for (const cls of Object.keys(figures.failovers)) expect(PROVEN.has(cls), cls).toBe(true);
  return figures;
}

describe(`failover chains, ${RECIPIENTS} recipients × ${SEEDS} seeds, one SIGKILL per seed`, () => {
  for (const length of [2, 3]) {
    it(`a chain of ${length} never has a number accepted by two vendors and loses none`, async () => {
      const all = [];
      for (let s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++) all.push(await campaign(length, 20_261_207 + 97 * s + length));
      expect(all.some((f) => f.killed)).toBe(true);
      // The faults really happened: numbers moved on, and some stayed unknown at the vendor that may have them.
      expect(all.reduce((n, f) => n + Object.values(f.failovers).reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
      expect(all.reduce((n, f) => n + f.unknown, 0)).toBeGreaterThan(0);
      expect(all.some((f) => (f.sent[CHAINS[length][1]] ?? 0) > 0)).toBe(true);
    }, 60_000 + RECIPIENTS * SEEDS * 20);
  }
});
