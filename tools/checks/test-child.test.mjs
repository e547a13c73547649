// tools/test-child.mjs, the runner of the tools' heavy child processes: it ends a child that stopped
// making progress, with everything it started, and lets a busy one run however long it takes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runChild, stopChildren } from '../test-child.mjs';

const scratch = [];
const temporary = () => {
  const dir = mkdtempSync(join(tmpdir(), 'msgkit-test-child-'));
  scratch.push(dir);
  return dir;
};
/** Whether `pid` is a process that still runs (a zombie, dead but not yet reaped, does not). */
const alive = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
// A shell that starts a sleeping grandchild, writes its pid to a file, and waits for it. The
// grandchild holds the child's stdout, so runChild resolves only once it has ended too.
const sleeper = (pidFile) => ['-c', `sleep 1000 & echo $! > ${pidFile}; wait`];

afterEach(() => {
  stopChildren();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runChild', () => {
  it('kills a child that used no CPU and wrote nothing for the idle limit, and the processes it started', async () => {
    const pidFile = join(temporary(), 'pid');
    const result = await runChild('sh', sleeper(pidFile), { idleLimitMs: 3_000 });
    expect(result.hung).toBe(true);
    expect(result.stderr).toContain('made no progress for 3 s');
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('lets a child that keeps using CPU run past the idle limit to its end', async () => {
    const busy = 'const end = Date.now() + 10000; let n = 0; while (Date.now() < end) n++; console.log(n > 0);';
    const result = await runChild(process.execPath, ['-e', busy], { idleLimitMs: 4_000 });
    expect(result.hung).toBe(false);
    expect([result.status, result.stdout.trim()]).toEqual([0, 'true']);
  });

  it('kills a running child with the processes it started when the test ends (stopChildren)', async () => {
    const pidFile = join(temporary(), 'pid');
    const running = runChild('sh', sleeper(pidFile));
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((resolve) => setTimeout(resolve, 20));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    stopChildren();
    // runChild resolves once the grandchild closed the stdout it held, which it does only as it
    // exits (had stopChildren missed it, this would wait until the test's own limit and fail). The
    // kernel closes a dying process's files before it becomes a zombie, so on a loaded machine it
    // can still show as running for a moment after that: wait for its exit to finish.
    const result = await running;
    expect(result.signal).toBe('SIGKILL');
    while (alive(grandchild)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(grandchild)).toBe(false);
  });
});
