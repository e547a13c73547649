// `msgkit send` as a process where a real machine breaks: a file-size limit (ulimit -f, EFBIG), a
// full filesystem (a small tmpfs, ENOSPC), a SIGKILL mid-send. The sandbox counts what the vendor
// received: nothing may arrive twice after the resume.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '@msgkit/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseResults } from './testing';

const bin = fileURLToPath(new URL('../bin/msgkit.mjs', import.meta.url));
const ENV = { PATH: process.env.PATH ?? '', SMSWORKS_TOKEN: 'token', INFOBIP_API_KEY: 'key', SMSCX_API_KEY: 'key' };

let sandbox: Sandbox;
let dir: string;
let n = 0;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'msgkit-cli-faults-'));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

const numbers = (count: number) => Array.from({ length: count }, (_, i) => `+4474003${String(i).padStart(5, '0')}`);
const list = (count: number) => {
  const path = join(dir, `${n++}-list.txt`);
  writeFileSync(path, `${numbers(count).join('\n')}\n`);
  return path;
};

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const MSGKIT = '"$NODE" "$MSGKIT_BIN"';

/** Runs a shell script, in which `${MSGKIT}` runs the command; `onStart` may watch and kill it. */
function sh(script: string, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const child = spawn('bash', ['-c', script], { env: { ...ENV, NODE: process.execPath, MSGKIT_BIN: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  onStart?.(child);
  const hardStop = setTimeout(() => child.kill('SIGKILL'), 900_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(hardStop);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const quote = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

/** How many recipients the vendor received more than once. */
function twice(vendor: 'smsworks' | 'infobip' | 'smscx'): number {
  const counts = new Map<string, number>();
  for (const m of sandbox.messages(vendor)) counts.set(String(m.to), (counts.get(String(m.to)) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1).length;
}

describe('msgkit send --journal when the journal cannot be written', () => {
  it('under a file-size limit (ulimit -f), stops before the next send, names the file and EFBIG, and the resume sends no recipient twice', async () => {
    const journal = join(dir, `${n++}.journal`);
    const args = ['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list(400), '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '50', '--concurrency', '2', '--journal', journal];
    // 4 kB: the header and a few begin records of 50 recipients fit, the rest of the campaign does not.
    const limited = await sh(`ulimit -f 4; exec ${MSGKIT} ${quote(args)}`);
    expect(limited.signal).toBeNull();
    expect(limited.code).toBe(1);
    expect(limited.stderr).toContain(`the journal ${journal} could not be written (EFBIG)`);
    const first = sandbox.messages('smsworks').length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(400);

    const resumed = await sh(`exec ${MSGKIT} ${quote(args)}`);
    const received = sandbox.messages('smsworks').length;
    console.log(`ulimit -f: ${first} of 400 received before the journal filled, ${received} in all after the resume, ${twice('smsworks')} twice`);
    expect(twice('smsworks')).toBe(0);
    // A batch whose outcome could not be recorded is unknown, and not resent at a vendor that cannot deduplicate.
    expect(resumed.code).toBeLessThanOrEqual(1);
    expect(new Set(sandbox.messages('smsworks').map((m) => m.to)).size).toBe(received);
  });

  it('on a full filesystem (a 24 kB tmpfs), stops at ENOSPC, and after room is made the resume sends no recipient twice', async () => {
    const mount = join(dir, `${n++}-tmpfs`);
    mkdirSync(mount);
    const journal = join(mount, 'campaign.journal');
    const args = ['send', '-p', 'infobip', '--to-file', list(1000), '--text', 'Hi', '--base-url', sandbox.baseUrls.infobip, '--batch-size', '100', '--journal', journal];
    // Its own mount namespace (root, or an unprivileged user namespace): the mount dies with the script.
    const namespace = process.getuid?.() === 0 ? 'unshare -m' : 'unshare -rm';
    const probe = spawnSync('bash', ['-c', `${namespace} true`]);
    expect(probe.status, `this test needs ${namespace} (a mount namespace) to mount a tmpfs: ${probe.stderr}`).toBe(0);
    const script = join(dir, `${n++}-tmpfs.sh`);
    writeFileSync(
      script,
      `mount -t tmpfs -o size=24k tmpfs ${quote([mount])} || exit 90
${MSGKIT} ${quote(args)}; echo "first exit $?" >&2
mount -o remount,size=4m ${quote([mount])}
${MSGKIT} ${quote(args)}; echo "second exit $?" >&2
`,
    );
    const run = await sh(`${namespace} bash ${quote([script])}`);
    expect(run.stderr).not.toContain('exit 90');
    expect(run.stderr).toContain('first exit 1');
    expect(run.stderr).toContain(`the journal ${journal} could not be written (ENOSPC)`);
    const received = sandbox.messages('infobip').length;
    console.log(`full tmpfs: ${received} of 1000 received after the resume, ${twice('infobip')} twice`);
    expect(twice('infobip')).toBe(0);
    expect(received).toBeGreaterThan(0);
  });
});

describe('msgkit send --results when the results cannot be written', () => {
  it('under a file-size limit, stops the campaign like a journal error, naming the file and EFBIG', async () => {
    const results = join(dir, `${n++}-results.csv`);
    const args = ['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list(2000), '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '100', '--concurrency', '1', '--results', results];
    const run = await sh(`ulimit -f 16; exec ${MSGKIT} ${quote(args)}`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the results file ${results} could not be written (EFBIG)`);
    const received = sandbox.messages('smsworks').length;
    console.log(`results under ulimit -f: ${received} of 2000 sent before the campaign stopped`);
    // 16 kB hold about 260 rows: the campaign stops at the batch whose rows did not fit, not a buffer later.
    expect(received).toBeLessThanOrEqual(300);
  });
});

describe('a run SIGKILLed while a batch is in flight at a vendor that cannot deduplicate', () => {
  it('is reported with one word, unknown, by msgkit report and in the results file', async () => {
    const journal = join(dir, `${n++}.journal`);
    const results = join(dir, `${n++}-results.csv`);
    const args = ['send', '-p', 'smsworks', '--from', 'Shop', '--to-file', list(30), '--text', 'Hi', '--base-url', sandbox.baseUrls.smsworks, '--batch-size', '10', '--concurrency', '1', '--journal', journal];
    // The second request hangs at the vendor: the run is killed while it is in flight.
    sandbox.faults.add({ vendor: 'smsworks', count: 1, delayMs: 0 });
    sandbox.faults.add({ vendor: 'smsworks', count: 1, delayMs: 10_000 });
    const killed = await sh(`exec ${MSGKIT} ${quote([...args, '--results', results])}`, (child) => {
      const watch = setInterval(() => {
        if (sandbox.faults.list().length > 0) return;
        clearInterval(watch);
        child.kill('SIGKILL');
      }, 5);
    });
    expect(killed.signal).toBe('SIGKILL');
    // The killed run's results spools had no name on disk: nothing is left beside the results path.
    expect(readdirSync(dir).filter((name) => name.includes('.msgkit-'))).toEqual([]);

    const report = await sh(`exec ${MSGKIT} report --json ${quote([journal])}`);
    const json = JSON.parse(report.stdout);
    expect(Object.keys(json.totals).sort()).toEqual(['refused', 'sent', 'unknown']);
    expect(json.totals.unknown).toEqual({ batches: 1, recipients: 10 });
    const text = await sh(`exec ${MSGKIT} report ${quote([journal])}`);
    expect(text.stdout).not.toMatch(/in flight/i);

    const resumed = await sh(`exec ${MSGKIT} ${quote([...args, '--results', results])}`);
    expect(resumed.code).toBe(1);
    const rows = parseResults(readFileSync(results, 'utf8'));
    const unknown = rows.filter((r) => r.status === 'unknown');
    expect(unknown.map((r) => r.row)).toEqual(json.unknownRecipients.map((u: { row: number }) => String(u.row)));
    expect(unknown.every((r) => r.error!.startsWith('interrupted'))).toBe(true);
  });
});
