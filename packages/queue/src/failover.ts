/**
 * `failoverCampaign`: a chain campaign's recipients move on to the next vendor after the send,
 * judged by core's rule (`failoverProofs`) from the delivery reports Redis holds (a final
 * `undelivered`, `expired` or `failed` that the vendor does not call permanent), or, only when asked
 * for by name, from a timer. Nothing is assumed: a call names its rule or is refused.
 *
 * Each moved batch goes through core's `sendWithFailover` with the proofs as `moveOn` and Redis as
 * its journal, so the move is the chain's own next attempt: begun in Redis (with its proofs) before
 * its request leaves, and only as the batch's next attempt (ATTEMPT_BEGIN), so two movers at once,
 * or a mover and a resumed one, never both send it. A mover killed mid-move leaves that attempt
 * begun and unsettled: the next call resumes it by core's rule (resent with its key where the
 * vendor deduplicates, else left unknown), never at another vendor. One call moves a campaign at a
 * time (a lease, renewed while it runs, fencing each begin); a call stalled past its lease whose
 * attempt another resent does not record that attempt's late answer (the resend's answer says it).
 *
 * After a move the batch's outcome, its counts and each recipient's record are replaced, only by a
 * writer that saw more of the batch's attempts than the one stored (a version: attempts begun plus
 * attempts settled), and the delivery record of each moved recipient names its new holder: the old
 * vendor's reports are kept and decide nothing but a `delivered`; a recipient two vendors reported
 * delivered is counted (delivered twice) in `campaignStatus(…).failover`.
 */
import { randomUUID } from 'node:crypto';
import { deliveredEarlier, planChain } from '@msgkit/core/internal';
import { failoverProofs, JournalMismatchError, sendWithFailover, ValidationError, type CampaignSender, type FailoverAttempt, type FailoverJournal, type MoveProof, type ValidationIssue } from '@msgkit/core';
import type { MessageDelivery } from '@msgkit/webhooks';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { dedupeKeyOf } from './batch';
import { chainDeliveryCallbacks, type DeliveryReportOptions } from './callbacks';
import { chainOutcome, holderOf, redisFailoverJournal } from './chain';
import { connectRedis, type RedisConnection } from './connection';
import { DeliveryRecords, messagesOf, standingOf, type DeliveryRecord } from './deliveries';
import { RedisJournal, type BatchOutcome, type RecipientRecord } from './journal';
import { batchJobId, campaignKeys, DEFAULT_PREFIX } from './names';
import { ATTEMPT_BEGIN } from './scripts';
import { accountSendersOf, chainIndexIdsOf, VendorIds } from './vendorIds';
import type { BatchJobData } from './producer';

/** Options of {@link failoverCampaign}. */
export interface FailoverCampaignOptions {
  connection: RedisConnection;
  campaignId: string;
  /** The campaign's chain, in the order it was enqueued with, each sender with its credentials. */
  senders: readonly CampaignSender[];
  /** Move a recipient on a final negative delivery report of the vendor that sent it (core's `reportMovesOn`). */
  onReport?: boolean;
  /**
   * Timer failover, only when asked for by name: a recipient with no final report this long (ms)
   * after its attempt began moves on. The recipient may then get the message twice: once both
   * vendors reported it delivered it is counted in `campaignStatus(…).failover.deliveredTwice`.
   */
  afterNoReportMs?: number;
  /** Say what would move and send nothing. */
  dryRun?: boolean;
  /** Called with what moves, before anything is sent (a dry run too). */
  onPlan?: (plan: FailoverPlan) => void;
  /** The same receiver the workers sign callback URLs for: the next vendor reports there too. Unset: no callback is sent. */
  deliveryReports?: DeliveryReportOptions;
  prefix?: string;
  connectTimeoutMs?: number;
  /** Aborts the sends: a request under way is cut off (its attempt then ends unknown), and no batch after it is begun. */
  signal?: AbortSignal;
  /**
   * Stops the call at its next batch, at a safe point: a batch whose move was begun is sent and
   * recorded whole (no request is cut off, unlike `signal`), and no batch after it is begun
   * (`notStarted` names them; the next call plans them again). `watchFailover` stops a pass so.
   */
  stop?: AbortSignal;
  /** The time the timer is judged at (default now). */
  now?: Date;
  /**
   * How long this call's hold on the campaign's moves lasts unless renewed (default 30 000 ms; it
   * is renewed every third of it while the call runs). One mover at a time per campaign: another
   * call meanwhile gets FailoverBusyError and sends nothing; a mover killed mid-move is resumed by
   * the first call after its hold lapsed.
   */
  leaseMs?: number;
}

/** How long a mover's hold on a campaign lasts unless renewed, when `leaseMs` is not given (ms). */
export const DEFAULT_FAILOVER_LEASE_MS = 30_000;

/** Another call is moving this campaign's recipients now (or was killed less than its lease ago): this one sent nothing. */
export class FailoverBusyError extends Error {
  override name = 'FailoverBusyError';
  readonly code = 'failover_busy';
  /** How long the other mover's hold lasts unless renewed, in ms. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * KEYS: attempts, lease. ARGV: batch index, attempt number, attempt JSON, the attempt it resends
 * ('' for none), the mover's lease token.
 * ATTEMPT_BEGIN (with its resend mark), only while the mover still holds the campaign's lease (-1
 * otherwise): a mover that stalled past its lease, whose campaign another mover took, begins
 * nothing more; its late answer to an attempt another mover resent is not recorded (ATTEMPT_SETTLE).
 */
const FENCED_BEGIN = `
if redis.call('GET', KEYS[2]) ~= ARGV[5] then return -1 end
${ATTEMPT_BEGIN}`;

/** KEYS: lease. ARGV: token, ms. Renews (ms > 0) or releases (ms = 0) the lease if this token holds it. */
const LEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/** One recipient that moves: from the vendor that sent it to the next one, on its proof. */
export interface FailoverMove {
  batch: number;
  to: string;
  from: string;
  next: string;
  proof: MoveProof;
}

/** What moves, before it is sent. */
export interface FailoverPlan {
  campaignId: string;
  dryRun: boolean;
  moves: FailoverMove[];
  /** One line per step of the chain that moves someone: `smsworks → smscx: 3 (undelivered 2, timer 1)`. */
  steps: string[];
  /** Batches whose earlier move was interrupted (a mover stopped mid-move): continued by core's resume rule. */
  resumed: number[];
  /**
   * What could still move after this call, though nothing moves it now: nothing left here, no move
   * now and none resumed means the campaign's failover is done under the rules named
   * (`watchFailover` stops there).
   */
  later: FailoverLater;
}

/** See FailoverPlan.later. */
export interface FailoverLater {
  /** Batches the workers have not given an outcome yet: their recipients are not judged yet. */
  unsentBatches: number;
  /**
   * Recipients sent by a vendor that is not the chain's last, with no final report of it yet, that
   * a named rule could still move: on a final negative report still to come (`onReport`), or when
   * the timer falls due (`afterNoReportMs`; an attempt whose start Redis does not hold never does).
   * A recipient with a final report that does not move it (delivered, rejected, permanent), at the
   * chain's last vendor, or whose move ended unknown or refused, is settled: not counted.
   */
  awaitingReport: number;
}

/** What {@link failoverCampaign} did. */
export interface FailoverCampaignResult extends FailoverPlan {
  /** Moved recipients the next vendor took. */
  sent: number;
  /** Moved recipients whose attempt at the next vendor ended unknown (it may have them): never moved on again by this. */
  unknown: number;
  /** Moved recipients the next vendor refused with proof that nothing was sent. */
  refused: number;
  /** Batches another mover was moving at the same time: it sends them, this call sent nothing of them. */
  takenByAnother: number[];
  /**
   * Batches of the plan this call did not begin, as `stop` (or `signal`) aborted before them: their
   * moves are in `moves`, nothing of them was sent, and the next call plans them again.
   */
  notStarted: number[];
  /** The batches' outcomes as recorded after the move. */
  outcomes: BatchOutcome[];
}

/**
 * KEYS: outcome, counts, events, recipients, failover, attempts. ARGV: batch index, version,
 * outcome kind, outcome JSON, tally JSON, recipient count, number of recipient pairs n, n pairs of
 * number and record JSON, then pairs of number and moves JSON.
 * Replaces a batch's recorded outcome after a move, and its counts with it, only when it was
 * computed from the whole record as it stands (`version` is the attempts begun plus settled now:
 * else -1, read again) and is newer than the one stored (a worker's outcome has none: 0; else 0).
 * Returns 1 when written.
 */
const REPLACE = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local n = tonumber(redis.call('HGET', KEYS[6], ARGV[1]) or '0')
local now = n
for i = 0, n - 1 do now = now + redis.call('HEXISTS', KEYS[6], ARGV[1] .. ':' .. i .. ':o') end
if now ~= tonumber(ARGV[2]) then return -1 end
local field = 'v:' .. ARGV[1]
local version = tonumber(redis.call('HGET', KEYS[5], field) or '0')
if tonumber(ARGV[2]) <= version then return 0 end
local was = cjson.decode(stored)
redis.call('HINCRBY', KEYS[2], was['outcome'] .. ':batches', -1)
if type(was['tally']) == 'table' then
  for f, n in pairs(was['tally']) do redis.call('HINCRBY', KEYS[2], f, -n) end
else
  redis.call('HINCRBY', KEYS[2], was['outcome'] .. ':recipients', -was['count'])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HINCRBY', KEYS[2], ARGV[3] .. ':batches', 1)
for f, n in pairs(cjson.decode(ARGV[5])) do redis.call('HINCRBY', KEYS[2], f, n) end
redis.call('HSET', KEYS[5], field, ARGV[2])
local count = tonumber(ARGV[7])
for i = 8, 7 + 2 * count, 2 do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
for i = 8 + 2 * count, #ARGV, 2 do redis.call('HSET', KEYS[5], 'm:' .. ARGV[i], ARGV[i + 1]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'outcome', 'index', ARGV[1], 'outcome', ARGV[3], 'count', ARGV[6])
return 1
`;

/** How much of a batch's record an outcome was computed from: attempts begun plus attempts settled. */
const versionOf = (attempts: readonly FailoverAttempt[]) => attempts.length + attempts.filter((a) => a.outcome !== undefined).length;

/** The latest reduced report of the message `vendor` sent, from a recipient's delivery record (`id`: its message id, when known). */
export function reportOf(record: DeliveryRecord | undefined, vendor: string, id: string | undefined): MessageDelivery | undefined {
  if (!record) return undefined;
  const views = messagesOf(record).filter((v) => v.vendor === vendor);
  // Reports of several messages of one vendor, none the one it answered with: none decides.
  return (id !== undefined ? views.find((v) => v.messageId === id) : undefined) ?? (views.length === 1 ? views[0] : undefined);
}

/** One entry of a recipient's moves, as kept for `campaignStatus`. */
interface KeptMove {
  from: string;
  kind: MoveProof['kind'];
}

/** The refusal of a call that names no rule to move recipients on (the mover's and the watch's): nothing is assumed. */
export function ruleIssue(options: Pick<FailoverCampaignOptions, 'onReport' | 'afterNoReportMs'>): ValidationIssue | undefined {
  if (options.onReport === true || options.afterNoReportMs !== undefined) return undefined;
  return { path: ['onReport'], code: 'failover_rule_required', message: 'name the rule that moves recipients on: onReport (a final negative delivery report) and/or afterNoReportMs (a timer); nothing is assumed' };
}

/**
 * Moves on the recipients of a chain campaign that its rule proves (see the module comment).
 * Resolves undefined for a campaign Redis does not hold; throws a ValidationError before anything
 * is sent for a call that names no rule, a campaign that is not a chain, or other senders.
 */
export async function failoverCampaign(options: FailoverCampaignOptions): Promise<FailoverCampaignResult | undefined> {
  const issues: ValidationIssue[] = [];
  const rule = ruleIssue(options);
  if (rule) issues.push(rule);
  if (options.afterNoReportMs !== undefined && !(Number.isFinite(options.afterNoReportMs) && options.afterNoReportMs > 0)) {
    issues.push({ path: ['afterNoReportMs'], code: 'invalid', message: 'must be a positive number of milliseconds' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  try {
    const journal = new RedisJournal(redis, prefix);
    const meta = await journal.meta(options.campaignId);
    if (!meta) return undefined;
    const names = options.senders.map((s) => s.name);
    if (!meta.chain) throw new ValidationError([{ path: ['campaignId'], code: 'not_a_chain', message: `campaign ${options.campaignId} was sent by ${meta.provider} alone: there is no next vendor to move to` }]);
    if (names.join('\u0000') !== meta.chain.join('\u0000')) {
      throw new ValidationError([{ path: ['senders'], code: 'chain_mismatch', message: `campaign ${options.campaignId} was sent with the chain ${meta.chain.join(' → ')}, not ${names.join(' → ') || 'no sender'}: give its senders in that order; nothing was sent` }]);
    }
    const queue = new Queue<BatchJobData>(meta.queue, { connection: redis, prefix });
    const lease = campaignKeys(prefix, options.campaignId).failoverLease;
    const leaseMs = options.leaseMs ?? DEFAULT_FAILOVER_LEASE_MS;
    const token = randomUUID();
    let renewing: NodeJS.Timeout | undefined;
    try {
      // A dry run reads only; a move holds the campaign's lease from its plan to its last outcome.
      if (options.dryRun !== true) {
        if ((await redis.set(lease, token, 'PX', leaseMs, 'NX')) !== 'OK') {
          const left = Math.max(0, await redis.pttl(lease));
          throw new FailoverBusyError(`another mover holds campaign ${options.campaignId}'s moves (for ${left} ms more unless it renews): nothing was sent`, left);
        }
        renewing = setInterval(() => void redis.eval(LEASE, 1, lease, token, String(leaseMs)).catch(() => undefined), Math.max(1, Math.floor(leaseMs / 3)));
        renewing.unref();
      }
      return await move(redis, prefix, journal, queue, meta.chain, meta.batches, options, { lease, token });
    } finally {
      clearInterval(renewing);
      if (options.dryRun !== true) await redis.eval(LEASE, 1, lease, token, '0').catch(() => undefined);
      await queue.close();
    }
  } finally {
    await release();
  }
}

async function move(redis: Redis, prefix: string, journal: RedisJournal, queue: Queue<BatchJobData>, chain: readonly string[], batches: number, options: FailoverCampaignOptions, held: { lease: string; token: string }): Promise<FailoverCampaignResult> {
  const { campaignId } = options;
  const keys = campaignKeys(prefix, campaignId);
  const deliveries = new DeliveryRecords(redis, prefix, campaignId);
  const now = options.now ?? new Date();
  const outcomes = await journal.outcomes(campaignId);
  const plan: FailoverPlan = { campaignId, dryRun: options.dryRun === true, moves: [], steps: [], resumed: [], later: { unsentBatches: Math.max(0, batches - outcomes.length), awaitingReport: 0 } };
  const work: Array<{ data: BatchJobData; proofs: Map<string, MoveProof> }> = [];
  const sentAt = (a: FailoverAttempt) => ('at' in a && typeof a.at === 'string' ? new Date(a.at) : undefined);
  for (const outcome of outcomes) {
    // Redis may have forgotten attempts of a batch whose state was lost: nothing of it is judged.
    if (outcome.outcome === 'unknown' && outcome.reason === 'state_lost') continue;
    const attempts = await journal.attempts(campaignId, outcome.index);
    if (attempts.length === 0) continue;
    const data = (await queue.getJob(batchJobId(campaignId, outcome.index)))?.data;
    if (!data) continue;
    const batch = data.recipients;
    const [records, dlr] = await Promise.all([journal.recipientsOf(campaignId, batch), deliveries.getMany(batch)]);
    const report = (to: string, sender: string) => reportOf(dlr.get(to), sender, records.get(to)?.sentBy === sender ? records.get(to)?.id : undefined);
    const proofs = failoverProofs(chain, batch, attempts, {
      report,
      onReport: options.onReport === true,
      ...(options.afterNoReportMs !== undefined && { timer: { afterMs: options.afterNoReportMs, now, sentAt } }),
    });
    plan.later.awaitingReport += awaitingReport(chain, batch, attempts, proofs, report, options, sentAt);
    const stored = Number((await redis.hget(keys.failover, `v:${outcome.index}`)) ?? '0');
    // A move begun and never recorded as the batch's outcome: a mover stopped mid-move.
    const resume = attempts.some((a) => a.proofs !== undefined) && versionOf(attempts) > stored;
    if (resume) plan.resumed.push(outcome.index);
    if (proofs.size === 0 && !resume) continue;
    work.push({ data, proofs });
    for (const proof of proofs.values()) {
      const from = attempts[proof.attempt]!.sender;
      plan.moves.push({ batch: outcome.index, to: proof.to, from, next: chain[chain.indexOf(from) + 1]!, proof });
    }
  }
  plan.steps = stepsOf(plan.moves);
  options.onPlan?.(plan);
  const result: FailoverCampaignResult = { ...plan, sent: 0, unknown: 0, refused: 0, takenByAnother: [], notStarted: [], outcomes: [] };
  if (plan.dryRun) return result;
  const perSender = options.deliveryReports ? chainDeliveryCallbacks(options.senders, options.deliveryReports) : undefined;
  // Moved recipients whose next vendor posts to its account's URL (Octopush) are placed by the ids of its answer.
  const indexIds = options.deliveryReports?.accountUrl === true && options.senders.some((s) => s.callback === false) ? chainIndexIdsOf(new VendorIds(redis, prefix), options.senders, options.deliveryReports.ttlSeconds) : undefined;
  const chainJournal = redisFailoverJournal(journal, campaignId, indexIds);
  // The chain's journal, its begin fenced by this mover's lease.
  const failoverJournal: FailoverJournal = {
    ...chainJournal,
    begin: async (attempt) => {
      const written = await redis.eval(FENCED_BEGIN, 2, keys.attempts, held.lease, String(attempt.batch), String(attempt.attempt), JSON.stringify({ ...attempt, at: new Date().toISOString() }), attempt.resendOf === undefined ? '' : String(attempt.resendOf), held.token);
      if (written === -1) throw new FailoverBusyError(`campaign ${campaignId}: this mover's lease lapsed and another mover may hold it; it begins nothing more`, 0);
      if (written !== 1) throw new JournalMismatchError(['attempts'], `batch ${attempt.batch} of ${campaignId}: attempt ${attempt.attempt} was recorded by another mover; this one sends nothing more of it`);
    },
  };
  for (const [at, { data, proofs }] of work.entries()) {
    // The safe point between batches: the one before is sent and recorded, this one not begun.
    if (options.signal?.aborted || options.stop?.aborted) {
      result.notStarted = work.slice(at).map((w) => w.data.index);
      break;
    }
    const common = { dedupeKey: dedupeKeyOf(data), batchIndex: data.index, journal: failoverJournal, ...(perSender && { perSender: perSender(campaignId, data.index) }) };
    try {
      await sendWithFailover(options.senders, data.recipients, data.message, { ...common, moveOn: proofs, ...(options.signal && { signal: options.signal }) });
    } catch (error) {
      // Another mover recorded this batch's next attempt first: it sends it, this one sends nothing more of it.
      if (!(error instanceof JournalMismatchError)) throw error;
      result.takenByAnother.push(data.index);
    }
    // The batch as Redis holds it now, every mover's attempts included (read, nothing sent: the
    // signal is aborted), recorded as its outcome unless the record grew meanwhile: then read again.
    let view;
    for (;;) {
      view = await sendWithFailover(options.senders, data.recipients, data.message, { ...common, signal: AbortSignal.abort() });
      const { outcome, records } = chainOutcome(data.index, view, new Date().toISOString(), indexIds ? accountSendersOf(options.senders) : undefined);
      const moved = records.filter((r) => r.tried.some((t) => t.moved !== undefined));
      // The new holder first: a report of the vendor it moved to then decides, whichever write lands first.
      for (const r of moved) await deliveries.rehold(r.to, data.index, holderOf(r));
      if ((await replace(redis, keys, outcome, versionOf(view.attempts), records, moved)) !== 'stale') break;
    }
    result.outcomes.push((await journal.outcome(campaignId, data.index))!);
    for (const r of view.recipients) {
      const proof = proofs.get(r.to);
      const next = proof && r.tried.find((t) => t.attempt > proof.attempt);
      if (!next) continue;
      if (next.outcome === 'sent') result.sent++;
      else if (next.outcome === 'unknown') result.unknown++;
      else result.refused++;
    }
  }
  return result;
}

/**
 * How many of a batch's recipients could still move later though no proof moves them now (see
 * FailoverLater.awaitingReport), read by the chain's own rule as `failoverProofs` reads it.
 */
function awaitingReport(chain: readonly string[], batch: readonly string[], attempts: readonly FailoverAttempt[], proofs: ReadonlyMap<string, MoveProof>, report: (to: string, sender: string) => MessageDelivery | undefined, options: FailoverCampaignOptions, sentAt: (a: FailoverAttempt) => Date | undefined): number {
  const { states } = planChain(chain, chain.map(() => false), batch, attempts);
  let n = 0;
  for (const [to, state] of states) {
    if (state.status !== 'sent' || proofs.has(to) || chain.indexOf(state.sender) + 1 >= chain.length) continue;
    if (report(to, state.sender)?.final) continue;
    // Delivered by an earlier vendor: nothing will move it (failoverProofs' rule).
    if (state.attempt > 0 && deliveredEarlier(chain, state.sender, to, report) !== undefined) continue;
    const timed = options.afterNoReportMs !== undefined && sentAt(attempts[state.attempt]!) !== undefined;
    if (options.onReport === true || timed) n++;
  }
  return n;
}

async function replace(redis: Redis, keys: ReturnType<typeof campaignKeys>, outcome: BatchOutcome, version: number, records: readonly RecipientRecord[], moved: readonly RecipientRecord[]): Promise<'written' | 'stale' | 'older'> {
  const tally = 'tally' in outcome && outcome.tally ? outcome.tally : { [`${outcome.outcome}:recipients`]: outcome.count };
  const movesOf = (r: RecipientRecord): KeptMove[] => r.tried.flatMap((t) => (t.moved ? [{ from: t.sender, kind: t.moved }] : []));
  const answer = await redis.eval(
    REPLACE,
    6,
    keys.outcome,
    keys.counts,
    keys.events,
    keys.recipients,
    keys.failover,
    keys.attempts,
    String(outcome.index),
    String(version),
    outcome.outcome,
    JSON.stringify(outcome),
    JSON.stringify(tally),
    String(outcome.count),
    String(records.length),
    ...records.flatMap((r) => [r.to, JSON.stringify(r)]),
    ...moved.flatMap((r) => [r.to, JSON.stringify(movesOf(r))]),
  );
  return answer === 1 ? 'written' : answer === -1 ? 'stale' : 'older';
}

/** One line per step of the chain that moves someone (FailoverPlan.steps). */
export function stepsOf(moves: readonly FailoverMove[]): string[] {
  const counts = new Map<string, Map<string, number>>();
  for (const m of moves) {
    const step = `${m.from} → ${m.next}`;
    const why = m.proof.kind === 'report' ? m.proof.status : 'timer';
    let byWhy = counts.get(step);
    if (!byWhy) counts.set(step, (byWhy = new Map()));
    byWhy.set(why, (byWhy.get(why) ?? 0) + 1);
  }
  return [...counts].map(([step, byWhy]) => `${step}: ${[...byWhy.values()].reduce((a, b) => a + b, 0)} (${[...byWhy].map(([why, n]) => `${why} ${n}`).join(', ')})`);
}

/** A campaign's moves and its recipients delivered twice (see CampaignStatus.failover). */
export interface FailoverTotals {
  /** Recipients moved on, by proof (a recipient moved twice in a longer chain counts twice). */
  moved: Record<MoveProof['kind'], number>;
  /** Recipients more than one vendor reported delivered: each got the message twice (and each send was paid for). */
  deliveredTwice: number;
  /** Those, by each vendor other than the holder that reported them delivered. */
  deliveredTwiceBy: Record<string, number>;
}

/** The campaign's failover totals; undefined when nothing ever moved. */
export async function failoverTotals(redis: Redis, prefix: string, campaignId: string): Promise<FailoverTotals | undefined> {
  const all = await redis.hgetall(campaignKeys(prefix, campaignId).failover);
  const moves = Object.entries(all).flatMap(([field, json]) => (field.startsWith('m:') ? [[field.slice(2), JSON.parse(json) as KeptMove[]] as const] : []));
  if (moves.length === 0) return undefined;
  const totals: FailoverTotals = { moved: { report: 0, timer: 0 }, deliveredTwice: 0, deliveredTwiceBy: {} };
  for (const [, list] of moves) for (const m of list) totals.moved[m.kind]++;
  // Delivered twice: more than one vendor reported it delivered (deliveries.ts' standingOf, the
  // rule campaignResults' rows follow), whatever moved it: a timer, or a report its vendor corrected.
  const records = await new DeliveryRecords(redis, prefix, campaignId).getMany(moves.map(([to]) => to));
  for (const record of records.values()) {
    const twice = standingOf(record).deliveredTwiceBy;
    if (!twice) continue;
    totals.deliveredTwice++;
    for (const vendor of twice) totals.deliveredTwiceBy[vendor] = (totals.deliveredTwiceBy[vendor] ?? 0) + 1;
  }
  return totals;
}
