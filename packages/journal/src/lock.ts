/**
 * One writer per journal: a lock file beside it (`<journal>.lock`) that names its writer by more
 * than a pid. A pid alone is reused: a busy machine soon gives a dead writer's pid to another
 * process, and a lock that only holds the pid then blocks the resume forever. So the lock holds
 * the pid, the process's start time as the kernel tells it (Linux: `/proc/<pid>/stat` in clock
 * ticks since boot; other Unixes: `ps -o lstart=`), the boot id, the host and a random token.
 * A lock is the writer's only while a process with that pid AND that start time runs on that boot;
 * anything else is a dead run's lock and is taken over without anyone deleting a file. Only a lock
 * msgkit cannot check (another host, a system without /proc or ps) is refused, with the exact step.
 *
 * Why not flock(2): Node has no binding for it, and the packages that add one are native modules
 * to compile on every CLI user's machine (the journal avoids them, see fileJournal.ts). Why not a
 * lock refreshed by a timer (proper-lockfile): a writer whose event loop stalls past the timeout
 * on a loaded machine would lose its lock to a second writer, which could send a batch twice.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  /** The process's start time, as the platform reports it; absent where it cannot be read. */
  start?: string;
  /** Linux's boot id: a lock from an earlier boot is dead whatever its pid. */
  boot?: string;
  host: string;
  token: string;
  /**
   * Held for a moment only (a delivery-report receiver moving its spool into the journal): a
   * taker waits for it to be released instead of being refused.
   */
  brief?: true;
}

/** Options of `acquireLock`. */
export interface AcquireLockOptions {
  /** This hold is brief (see LockOwner.brief): others wait for it rather than fail. */
  brief?: boolean;
  /** Called once when a brief holder is found and waited for, with its pid. */
  onWaiting?: (pid: number) => void;
  /** @internal How long one brief hold is waited for (default BRIEF_HOLD_LIMIT_MS); for tests. */
  briefHoldLimitMs?: number;
}

/**
 * How long one brief holder may keep the lock before a taker gives up waiting and is refused as
 * by any live holder. A receiver holds it for one append and one fdatasync; this bound is only
 * for one that hangs.
 */
const BRIEF_HOLD_LIMIT_MS = 60_000;
const BRIEF_POLL_MS = 10;

/** The journal is in use by another run (named by pid and host), or its lock cannot be checked or taken. */
export class JournalLockedError extends Error {
  override name = 'JournalLockedError';
}

const lockPath = (path: string) => `${path}.lock`;

/** Tokens of the locks this process holds, so a second open in the same process is refused too. */
const held = new Set<string>();

/** Takes the lock of `path`, taking over a dead writer's; throws JournalLockedError when a live one holds it. */
export async function acquireLock(path: string, options: AcquireLockOptions = {}): Promise<LockOwner> {
  const file = lockPath(path);
  const me: LockOwner = { ...processIdentity(process.pid), host: hostname(), token: randomUUID(), ...(options.brief && { brief: true as const }) };
  const mine = `${file}.${me.token}`;
  // Written in full under a private name, then linked into place: link(2) fails if the lock exists,
  // so a lock is never seen half written and two takers can never both win.
  await writeFile(mine, JSON.stringify(me), { flag: 'wx' });
  // The brief holder being waited for, and since when: a new hold (another token) restarts the wait.
  let waiting: { token: string; since: number } | undefined;
  let told = false;
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await link(mine, file);
        held.add(me.token);
        return me;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const verdict = await judge(text, file);
      if (verdict.kind === 'live' && verdict.brief !== undefined) {
        if (waiting?.token !== verdict.brief) waiting = { token: verdict.brief, since: Date.now() };
        if (Date.now() - waiting.since < (options.briefHoldLimitMs ?? BRIEF_HOLD_LIMIT_MS)) {
          if (!told) options.onWaiting?.(verdict.pid);
          told = true;
          attempt--;
          await new Promise((resolve) => setTimeout(resolve, BRIEF_POLL_MS));
          continue;
        }
      }
      if (verdict.kind === 'live') throw new JournalLockedError(`${path} is in use by process ${verdict.pid}${verdict.host ? ` on ${verdict.host}` : ''}: two senders on one journal could send a batch twice. Wait for it to finish, or stop it (Ctrl-C) and run again.`);
      if (verdict.kind === 'undecidable') {
        throw new JournalLockedError(`${path} is locked by process ${verdict.pid} on ${verdict.host}, and msgkit cannot check from here whether it still runs. If no msgkit run is using this journal, delete ${file} and run the same command again.`);
      }
      await takeOver(file, text);
    }
    throw new JournalLockedError(`${path}: could not take its lock after 20 attempts; other processes keep taking it. Make sure only one msgkit run uses this journal.`);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

export async function releaseLock(path: string, owner: LockOwner): Promise<void> {
  held.delete(owner.token);
  const file = lockPath(path);
  // Only our own lock is removed: one taken over meanwhile (we were judged dead) is someone else's.
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined && parse(text)?.token === owner.token) await unlink(file).catch(() => undefined);
}

/** The live process holding `path`'s lock, if any (for a report on a journal in use). */
export async function lockHolder(path: string): Promise<number | undefined> {
  const file = lockPath(path);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const verdict = await judge(text, file);
  return verdict.kind === 'dead' ? undefined : verdict.pid;
}

/** Moves a dead lock aside; if what was moved is not the lock judged dead (a new writer's, taken meanwhile), puts it back. */
async function takeOver(file: string, judged: string): Promise<void> {
  const aside = `${file}.dead-${randomUUID()}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => judged);
  if (moved !== judged) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

type Verdict = { kind: 'dead' } | { kind: 'live'; pid: number; host?: string; /** the token of a brief hold */ brief?: string } | { kind: 'undecidable'; pid: number; host: string };

async function judge(text: string, file: string): Promise<Verdict> {
  const owner = parse(text);
  if (!owner) {
    // msgkit 0.1's lock: the pid alone. Its writer is alive only if that process is older than the lock.
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return { kind: 'dead' };
    const started = startedAtMs(pid);
    if (started === undefined) return { kind: 'undecidable', pid, host: hostname() };
    const written = (await stat(file).catch(() => undefined))?.mtimeMs ?? 0;
    return started > written + 1_000 ? { kind: 'dead' } : { kind: 'live', pid };
  }
  if (owner.host !== hostname()) return { kind: 'undecidable', pid: owner.pid, host: owner.host };
  const brief = owner.brief === true ? { brief: owner.token } : {};
  if (owner.pid === process.pid) return held.has(owner.token) ? { kind: 'live', pid: owner.pid, ...brief } : { kind: 'dead' };
  const now = processIdentity(owner.pid);
  if (owner.boot !== undefined && now.boot !== undefined && owner.boot !== now.boot) return { kind: 'dead' };
  if (!alive(owner.pid)) return { kind: 'dead' };
  // Alive: the same process only if it started when the writer did; else its pid was reused.
  if (owner.start === undefined || now.start === undefined) return { kind: 'undecidable', pid: owner.pid, host: owner.host };
  return now.start === owner.start ? { kind: 'live', pid: owner.pid, ...brief } : { kind: 'dead' };
}

function parse(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return typeof value === 'object' && value !== null && typeof value.pid === 'number' && typeof value.token === 'string' && typeof value.host === 'string' ? (value as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const hasProc = readText('/proc/self/stat') !== undefined;

/** The start time of `pid` (absent when it does not run or the platform cannot tell) and the boot id. */
function processIdentity(pid: number): { pid: number; start?: string; boot?: string } {
  const boot = readText('/proc/sys/kernel/random/boot_id')?.trim();
  let start: string | undefined;
  if (hasProc) {
    const stat = readText(`/proc/${pid}/stat`);
    // Field 22, counted after the command name, which may itself hold spaces and parentheses.
    const ticks = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (ticks) start = `ticks:${ticks}`;
  } else if (process.platform !== 'win32') {
    try {
      const lstart = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (lstart) start = `lstart:${lstart}`;
    } catch {
      // No such process, or no ps: the start stays unknown.
    }
  }
  return { pid, ...(start && { start }), ...(boot && { boot }) };
}

/** When `pid` started, in ms since the epoch (Linux; for msgkit 0.1's pid-only locks). */
function startedAtMs(pid: number): number | undefined {
  const start = processIdentity(pid).start;
  const btime = /^btime (\d+)$/m.exec(readText('/proc/stat') ?? '')?.[1];
  if (!start?.startsWith('ticks:') || btime === undefined) return undefined;
  // USER_HZ, the unit of /proc/<pid>/stat's start time, is 100 on every Linux architecture Node runs on.
  return Number(btime) * 1000 + Number(start.slice('ticks:'.length)) * 10;
}
