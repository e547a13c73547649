// Shared by the dashboard's browser test and its screenshot script: the msgkit CLI as a process,
// a gate in front of the sandbox that holds each send until the test lets it through (so "the
// page changes while the campaign runs" is a sequence of steps, not a race), Chromium from
// Debian's package driven by playwright-core, and a journal's totals as the page should show them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { HANG_LIMIT_MS } from '../test-child.mjs';
import { readChainJournal } from './chain-journal.mjs';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('@msgkit/cli/package.json'));
const bin = join(cliDir, JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')).bin.msgkit);

/** msgkit as a child process; stdout and stderr are kept as they come. Killed after `limitMs`. */
export function msgkit(args, { env = {}, limitMs = HANG_LIMIT_MS } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '' };
  child.stdout.on('data', (c) => (run.stdout += c));
  child.stderr.on('data', (c) => (run.stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  run.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: run.stdout, stderr: run.stderr });
    }),
  );
  return run;
}

/** `msgkit dashboard --journal <journal> --port 0`: resolves with its address once it printed it. */
export async function startDashboardProcess(journal, { limitMs = HANG_LIMIT_MS } = {}) {
  const run = msgkit(['dashboard', '--journal', journal, '--port', '0'], { limitMs: 30 * 60_000 });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`msgkit dashboard printed no address within ${limitMs} ms: ${run.stderr}`)), limitMs);
    const look = () => {
      const match = /msgkit dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    run.child.stdout.on('data', look);
    run.exited.then((r) => reject(new Error(`msgkit dashboard exited (${r.code}): ${r.stderr}`)));
    look();
  });
  return {
    url,
    async stop() {
      run.child.kill('SIGTERM');
      return run.exited;
    },
  };
}

/**
 * An HTTP proxy to `target` on 127.0.0.1 that forwards GETs at once and holds every POST until
 * `release()` lets the oldest one through. `held()` resolves when a POST is waiting.
 */
export async function startGate(target) {
  const upstream = new URL(target);
  const queue = [];
  const waiters = [];
  let opened = false;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const forward = () => {
        const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (req.method !== 'POST' || opened) return forward();
      queue.push({ path: req.url, forward });
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const passed = [];
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Paths of the POSTs let through so far. */
    passed,
    /** Paths of the POSTs waiting. */
    waiting: () => queue.map((r) => r.path),
    /** Resolves once a POST waits at the gate; rejects after `limitMs`. */
    held(limitMs = HANG_LIMIT_MS) {
      if (queue.length > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request reached the gate within ${limitMs} ms`)), limitMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    release() {
      const next = queue.shift();
      if (!next) throw new Error('no request is waiting at the gate');
      passed.push(next.path);
      next.forward();
    },
    /** Lets every POST through from now on. */
    open() {
      opened = true;
      for (const r of queue.splice(0)) {
        passed.push(r.path);
        r.forward();
      }
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Chromium from Debian's `chromium` package (MSGKIT_CHROMIUM names another binary); no browser is downloaded. */
export async function launchChromium() {
  const executablePath = process.env.MSGKIT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (or set MSGKIT_CHROMIUM)`);
  // As root (CI, containers) Chromium's own sandbox cannot start.
  return chromium.launch({ executablePath, chromiumSandbox: false, timeout: HANG_LIMIT_MS });
}

/**
 * What the dashboard should show of a journal, per state: a recipient whose latest attempt is not
 * settled is pending while its run holds the journal's lock (`running`), unknown (interrupted) once
 * it stopped; a refused one is failed.
 */
export async function journalTotals(path, running) {
  const { recipients } = await readChainJournal(path);
  const totals = { pending: 0, sent: 0, delivered: 0, failed: 0, unknown: 0 };
  const codes = new Set();
  for (const { status, code } of recipients.values()) {
    const state = status === 'pending' ? (running ? 'pending' : 'unknown') : status === 'refused' ? 'failed' : status;
    totals[state] += 1;
    if (status === 'pending' && !running) codes.add('interrupted');
    else if (code !== undefined) codes.add(code);
  }
  return { totals, recipients: recipients.size, codes: [...codes].sort() };
}

/** Waits until the page's totals equal `expected` (bounded by `limitMs`); the page marks each figure with data-state and data-value. */
export async function pageShows(page, expected, limitMs = HANG_LIMIT_MS) {
  await page.waitForFunction(
    (want) => Object.entries(want).every(([state, value]) => document.querySelector(`#totals dd[data-state="${state}"]`)?.getAttribute('data-value') === String(value)),
    { recipients: expected.recipients, ...expected.totals },
    { timeout: limitMs, polling: 100 },
  );
}

/** A recipient list of UK and French mobile numbers. */
export function recipientList(count) {
  return Array.from({ length: count }, (_, i) => (i % 4 === 3 ? `+3361234${String(i).padStart(4, '0')}` : `+447400${String(i).padStart(6, '0')}`));
}
