// Child processes for the tools' tests, ended only when they hang, never because the machine is slow.
//
// A fixed wall-clock limit fails a healthy child on a loaded machine (the drift test's 240 s limit
// did, and left the regeneration it "stopped" running: spawnSync kills the child, not the JVMs under
// it). Here a child runs in its own process group and counts as hung only when, for IDLE_LIMIT_MS,
// nothing in that group used any CPU, no process started or ended, and it wrote no output: a slow
// child still gets CPU time, however little. The whole group is killed then, and by stopChildren()
// when a test ends, so no orphan keeps writing into a folder another test reads.
// Where /proc is missing (macOS), only output counts as progress and the limit is the test's own.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The one wall-clock limit a test may have, which only ends a genuine hang: every package's vitest
 * run uses it for tests and hooks, and tools/checks/short-limits.mjs fails any limit in test code
 * that is shorter. A unit test that takes seconds on an idle machine is nowhere near it at 10×
 * slower; a heavier step runs its children through runChild, which ends only those that stopped.
 */
export const HANG_LIMIT_MS = 900_000;
/** How long a child may make no progress at all before it is called hung: far above any pause of a healthy one. */
export const IDLE_LIMIT_MS = 600_000;
const SAMPLE_MS = 2_000;
const running = new Set();
const hasProc = existsSync('/proc/self/stat');

/** CPU ticks used (by the processes themselves and their reaped children) and the pids, in process group `pgid`. */
function groupFingerprint(pgid) {
  let ticks = 0;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    pids.push(entry);
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return `${ticks}/${pids.join(',')}`;
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Runs `command` to its end and resolves with `{ status, signal, stdout, stderr, output, hung }`
 * (output: stdout then stderr). Never rejects on a non-zero exit; `hung` is true when it was killed
 * for making no progress for `idleLimitMs` (tools/checks tests the watchdog with a short one).
 */
export function runChild(command, args, { cwd, env = process.env, input, idleLimitMs = IDLE_LIMIT_MS } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let last = '';
    let lastProgress = Date.now();
    let hung = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    if (input !== undefined) child.stdin.end(input);
    const watchdog = setInterval(() => {
      const now = `${stdout.length}/${stderr.length}/${hasProc ? groupFingerprint(child.pid) : ''}`;
      if (now !== last) {
        last = now;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > idleLimitMs) {
        hung = true;
        killGroup(child);
      }
    }, SAMPLE_MS);
    child.once('error', (error) => {
      clearInterval(watchdog);
      running.delete(child);
      reject(error);
    });
    child.once('close', (status, signal) => {
      clearInterval(watchdog);
      running.delete(child);
      // The group may outlive its leader (a daemon it started): nothing of it survives the run.
      if (hasProc && groupFingerprint(child.pid).split('/')[1]) killGroup(child);
      const note = hung ? `\n${command} made no progress for ${idleLimitMs / 1000} s (no CPU time, no output) and was killed` : '';
      resolveRun({ status, signal, stdout, stderr: stderr + note, output: `${stdout}\n${stderr}${note}`, hung });
    });
  });
}

/** Kills every child of runChild still running, with its whole process group: call it when a test ends. */
export function stopChildren() {
  for (const child of running) killGroup(child);
}
process.once('exit', stopChildren);
