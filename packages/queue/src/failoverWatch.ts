/**
 * `watchFailover`: `failoverCampaign` run pass after pass, for a user who wants "fail over on a final
 * negative report" without writing the loop. A pass is one `failoverCampaign` call (its lease, its
 * journal, its resume rule: a watch killed mid-pass is resumed by the next pass of any mover, never
 * sent twice); the watch adds only the schedule and the stop condition:
 *
 * - done: a pass that moved no one now, resumed nothing, found every batch with an outcome from the
 *   workers and no recipient that a named rule could still move later (FailoverPlan.later): each
 *   recipient stands delivered, failed in a way that does not move (rejected, permanent), at the
 *   chain's last vendor, or unknown/refused after its move. The watch then resolves `done`.
 * - another mover holds the campaign (`failover_busy`): the pass sent nothing; the watch waits its
 *   interval and tries again. A busy pass decides nothing about done.
 * - any other error of a pass ends the watch with a FailoverWatchError (its cause's code as
 *   `reason`, the pass, the passes before it).
 * - the signal aborts: the watch stops at the next safe point, resolving `aborted`: between passes,
 *   or in a pass under way at its next batch (`failoverCampaign`'s `stop`): a batch whose move was
 *   begun is sent and recorded whole (no request is cut off, nothing sent is left unrecorded), no
 *   batch after it is begun (the pass's `notStarted`), and the next pass of any watch or mover
 *   plans those again, sending none of the others twice.
 *
 * Passes never overlap: one watch runs them one after another, `every` ms from the end of one to the
 * start of the next, and passes of any watches in one process on one campaign (same connection,
 * prefix and id) run one at a time. Nothing is assumed: `every` and the rule are the caller's.
 */
import { ValidationError, type ValidationIssue } from '@msgkit/core';
import type { RedisConnection } from './connection';
import { failoverCampaign, ruleIssue, stepsOf, type FailoverCampaignOptions, type FailoverCampaignResult, type FailoverPlan } from './failover';
import { DEFAULT_PREFIX } from './names';

/** Options of {@link watchFailover}: those of `failoverCampaign` (no dry run: a watch moves), and its schedule. */
export interface FailoverWatchOptions extends Omit<FailoverCampaignOptions, 'dryRun' | 'onPlan' | 'now' | 'signal' | 'stop'> {
  /**
   * How long to wait after a pass before the next, in ms (required: no default). Each pass judges the
   * timer (`afterNoReportMs`), if named, at its own start by this machine's clock.
   */
  every: number;
  /** Stops the watch between passes, or a pass under way at its next batch (see the module comment). */
  signal?: AbortSignal;
  /** Called with what a pass moves, before it sends (see FailoverCampaignOptions.onPlan). */
  onPlan?: (plan: FailoverPlan, pass: number) => void;
  /** Called after each pass with its summary; awaited before the next pass is scheduled. */
  onPass?: (pass: FailoverPassSummary) => void | Promise<void>;
}

/** One pass of a watch. */
export interface FailoverPassSummary {
  /** 1 for the first pass. */
  pass: number;
  /** When it began. */
  at: string;
  /** Another mover held the campaign: this pass read and sent nothing (retryAfterMs: how long its hold lasts unless renewed). */
  busy?: { retryAfterMs: number };
  /** Recipients moved by this pass (their batch's move begun; those of `notStarted` left out). */
  moved: number;
  /** Of those: taken by the next vendor, ended unknown (it may have them), refused with proof nothing was sent. */
  sent: number;
  unknown: number;
  refused: number;
  /** `smsworks → smscx: 3 (undelivered 3)`, one per step of the chain that moved someone. */
  steps: string[];
  /** Batches whose interrupted move this pass resumed. */
  resumed: number[];
  /** Batches another mover moved meanwhile. */
  takenByAnother: number[];
  /** Batches this pass planned to move and did not begin, as the signal stopped it first: nothing of them was sent. */
  notStarted: number[];
  /** What could still move later (FailoverLater), as this pass found it; 0 for a busy pass, which found nothing. */
  unsentBatches: number;
  awaitingReport: number;
  /** Nothing moved, nothing resumed, nothing could move later: the watch ends with this pass. */
  done: boolean;
}

/** What {@link watchFailover} did. */
export interface FailoverWatchResult {
  campaignId: string;
  /** `done`: nothing is left that could move; `aborted`: the signal stopped it first. */
  stopped: 'done' | 'aborted';
  passes: FailoverPassSummary[];
  /** Sums over the passes. */
  moved: number;
  sent: number;
  unknown: number;
  refused: number;
}

/** A pass of a watch failed with something other than another mover's hold: the watch stopped there. */
export class FailoverWatchError extends Error {
  override name = 'FailoverWatchError';
  readonly code = 'failover_watch_failed';
  /** The code of what failed (`validation_error`, `redis_unavailable`, `campaign_not_found`, …; `unexpected` when it had none). */
  readonly reason: string;
  /** The pass that failed (1 for the first). */
  readonly pass: number;
  /** The passes before it. */
  readonly passes: FailoverPassSummary[];
  constructor(message: string, reason: string, pass: number, passes: FailoverPassSummary[], options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.pass = pass;
    this.passes = passes;
  }

  /** What `JSON.stringify(error)` shows: the data (the passes left out: see `passes`). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, reason: this.reason, pass: this.pass, message: this.message };
  }
}

/** The pass under way per campaign in this process (see the module comment): a pass starts after the one before it settled. */
const running = new Map<string, Promise<unknown>>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

function campaignSlot(connection: RedisConnection, prefix: string, campaignId: string): string {
  let where: string;
  if (typeof connection === 'string') where = connection;
  else {
    let id = objectIds.get(connection);
    if (id === undefined) objectIds.set(connection, (id = ++nextObjectId));
    where = `#${id}`;
  }
  return `${where}\u0000${prefix}\u0000${campaignId}`;
}

async function oneAtATime<T>(slot: string, run: () => Promise<T>): Promise<T> {
  for (;;) {
    const before = running.get(slot);
    if (!before) break;
    await before.catch(() => undefined);
  }
  const pass = run();
  running.set(slot, pass);
  try {
    return await pass;
  } finally {
    if (running.get(slot) === pass) running.delete(slot);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function summaryOf(pass: number, at: string, result: FailoverCampaignResult): FailoverPassSummary {
  const { unsentBatches, awaitingReport } = result.later;
  const notStarted = new Set(result.notStarted);
  const moves = notStarted.size === 0 ? result.moves : result.moves.filter((m) => !notStarted.has(m.batch));
  const moved = moves.length;
  return {
    pass,
    at,
    moved,
    sent: result.sent,
    unknown: result.unknown,
    refused: result.refused,
    steps: notStarted.size === 0 ? result.steps : stepsOf(moves),
    resumed: result.resumed.filter((b) => !notStarted.has(b)),
    takenByAnother: result.takenByAnother,
    notStarted: result.notStarted,
    unsentBatches,
    awaitingReport,
    done: moved === 0 && result.resumed.length === 0 && notStarted.size === 0 && unsentBatches === 0 && awaitingReport === 0,
  };
}

/**
 * Keeps a chain campaign's failover going (see the module comment) until nothing is left that could
 * move, or the signal aborts. Resolves undefined for a campaign Redis does not hold; throws a
 * ValidationError before any pass for a watch without an interval or a rule, and a
 * FailoverWatchError when a pass fails.
 */
export async function watchFailover(options: FailoverWatchOptions): Promise<FailoverWatchResult | undefined> {
  const issues: ValidationIssue[] = [];
  if (!(Number.isFinite(options.every) && options.every > 0)) issues.push({ path: ['every'], code: 'invalid', message: 'name the interval between passes: a positive number of milliseconds; nothing is assumed' });
  if ((options as { dryRun?: unknown }).dryRun === true) issues.push({ path: ['dryRun'], code: 'invalid', message: 'a watch moves: call failoverCampaign with dryRun to see what would move now' });
  const rule = ruleIssue(options);
  if (rule) issues.push(rule);
  if (issues.length > 0) throw new ValidationError(issues);
  const { every, signal, onPlan, onPass, ...common } = options;
  const slot = campaignSlot(options.connection, options.prefix ?? DEFAULT_PREFIX, options.campaignId);
  const passes: FailoverPassSummary[] = [];
  const ended = (stopped: FailoverWatchResult['stopped']): FailoverWatchResult => {
    const sum = (k: 'moved' | 'sent' | 'unknown' | 'refused') => passes.reduce((n, p) => n + p[k], 0);
    return { campaignId: options.campaignId, stopped, passes, moved: sum('moved'), sent: sum('sent'), unknown: sum('unknown'), refused: sum('refused') };
  };
  /** One pass: its summary (a busy one included); throws FailoverWatchError for anything else. */
  const runPass = async (pass: number): Promise<FailoverPassSummary | undefined> => {
    const at = new Date().toISOString();
    try {
      const result = await oneAtATime(slot, () => failoverCampaign({ ...common, ...(signal && { stop: signal }), ...(onPlan && { onPlan: (plan: FailoverPlan) => onPlan(plan, pass) }) }));
      if (result === undefined) {
        if (pass === 1) return undefined;
        throw Object.assign(new Error(`campaign ${options.campaignId} is no longer in Redis`), { code: 'campaign_not_found' });
      }
      return summaryOf(pass, at, result);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code !== 'failover_busy') {
        const reason = typeof code === 'string' ? code : 'unexpected';
        throw new FailoverWatchError(`campaign ${options.campaignId}: pass ${pass} failed (${reason}): ${(error as Error)?.message ?? String(error)}`, reason, pass, [...passes], { cause: error });
      }
      const retryAfterMs = Number((error as { retryAfterMs?: unknown }).retryAfterMs ?? 0);
      return { pass, at, busy: { retryAfterMs }, moved: 0, sent: 0, unknown: 0, refused: 0, steps: [], resumed: [], takenByAnother: [], notStarted: [], unsentBatches: 0, awaitingReport: 0, done: false };
    }
  };
  for (let pass = 1; ; pass++) {
    if (signal?.aborted) return ended('aborted');
    const summary = await runPass(pass);
    if (summary === undefined) return undefined;
    passes.push(summary);
    await onPass?.(summary);
    if (summary.done) return ended('done');
    await pause(every, signal);
  }
}
