/**
 * The journal's writes, each one Lua script so that every worker sees a batch move in one step:
 * two workers can never both find a batch fresh, and counters never drift from the outcomes.
 */

/**
 * The Redis process serving this call (`run_id` changes on every restart) and whether it writes an
 * append-only file. INFO is allowed in scripts, so the check and the write it guards are one step.
 */
const SERVER = `
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') or ''
local aof = string.match(redis.call('INFO', 'persistence'), 'aof_enabled:(%d)') or '0'
`;

/**
 * KEYS: meta, lineage. ARGV: meta JSON, content digest.
 * Stores the campaign's description and digest once, and the Redis process it was stored under
 * (`run`, and `since`: the process that created the record) unless a record already exists (a
 * restored one must stay, so that a loss is seen). Returns {created (1|0), stored meta JSON}.
 */
export const REGISTER = `${SERVER}
local created = redis.call('HSETNX', KEYS[1], 'json', ARGV[1])
if created == 1 then redis.call('HSET', KEYS[1], 'digest', ARGV[2]) end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('HSET', KEYS[2], 'run', run, 'aof', aof, 'since', run) end
return {created, redis.call('HGET', KEYS[1], 'json')}
`;

/**
 * KEYS: begin, outcome, events, lineage, meta, sent-at (the campaign's delivery key of begin times).
 * ARGV: index, token, require AOF ('1'|'0'), the calling worker's memory of this campaign (run,
 * aof, digest; '' when it has none), the job's content digest ('' for a job without one), now (ISO).
 *
 * Before anything else: with AOF required and none written, nothing is marked ({'not_durable'}).
 * A job whose digest is not the campaign's is another campaign's ({'mismatch'}).
 *
 * State lost: the campaign's state was last written by another Redis process (a restart) that did
 * not write every change to an AOF, or this worker saw the campaign under such a process, or this
 * worker saw it under an earlier process and the campaign's record was created by this one (Redis
 * came back empty, AOF or not: a lost data directory). Writes after its last snapshot, begin
 * markers included, may be gone, so from then on every batch without an outcome is taken as begun
 * ({'lost'}), never as fresh. The flag stays. A job whose digest is not the one known before the
 * loss is a reused id ({'reused'}).
 *
 * Otherwise as before: {'done', outcome JSON} | {'resumed'} | {'fresh'}, marking the batch begun.
 * A fresh batch's begin time (now) is written in the same step as its marker: reconcile bounds its
 * lookups by it, and a worker that died between two writes would leave it unknown.
 * Every answer starts with the run id and aof flag, for the worker's memory.
 */
export const BEGIN = `${SERVER}
if ARGV[3] == '1' and aof ~= '1' then return {'not_durable', run, aof, ''} end
local metaDigest = redis.call('HGET', KEYS[5], 'digest')
if ARGV[7] ~= '' and metaDigest and metaDigest ~= ARGV[7] then return {'mismatch', run, aof, metaDigest} end

local storedRun = redis.call('HGET', KEYS[4], 'run')
local storedAof = redis.call('HGET', KEYS[4], 'aof')
local since = redis.call('HGET', KEYS[4], 'since')
local lost = redis.call('HGET', KEYS[4], 'lost')
if not lost then
  local from = nil
  if storedRun and storedRun ~= run and not (storedAof == '1' and aof == '1') then from = storedRun end
  if ARGV[4] ~= '' and ARGV[4] ~= run and (not (ARGV[5] == '1' and aof == '1') or not since or since == run) then from = ARGV[4] end
  if from then
    local before = ARGV[6]
    if before == '' then before = metaDigest or '' end
    lost = cjson.encode({at = ARGV[8], previousRun = from, run = run, digest = before})
    redis.call('HSET', KEYS[4], 'lost', lost)
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'state_lost', 'previousRun', from, 'run', run)
  end
end
local keptAof = aof
if storedRun == run and storedAof ~= '1' then keptAof = '0' end
redis.call('HSET', KEYS[4], 'run', run, 'aof', keptAof)
if not since then redis.call('HSET', KEYS[4], 'since', run) end

local done = redis.call('HGET', KEYS[2], ARGV[1])
if done then return {'done', run, aof, done} end
if lost then
  local before = cjson.decode(lost)['digest']
  if ARGV[7] ~= '' and before ~= '' and before ~= ARGV[7] then return {'reused', run, aof, lost} end
end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local state = 'fresh'
if previous then state = 'resumed' end
if lost then state = 'lost' end
if state == 'fresh' then redis.call('HSET', KEYS[6], ARGV[1], ARGV[8]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'begin', 'index', ARGV[1], 'state', state)
return {state, run, aof, ''}
`;

/**
 * KEYS: begin, outcome. ARGV: index, token.
 * Forgets the begin marker of an attempt that provably never reached the vendor (so the next
 * attempt is not taken for a resumed one), only if this attempt still owns it.
 */
export const CLEAR = `
if redis.call('HGET', KEYS[2], ARGV[1]) then return 0 end
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS: outcome, counts, events, lineage, meta, recipients. ARGV: index, outcome kind, outcome JSON,
 * recipient count, the job's content digest ('' for a job without one), the recipients counted per
 * outcome and per sending vendor as a JSON object (`{"sent:recipients": 3, "refused:recipients": 1,
 * "sent@smscx:recipients": 3}`; '' counts every recipient under the batch's kind), then pairs of
 * recipient number and its record JSON (for the recipients hash).
 * The first outcome of a batch stands, except that a proven 'sent' replaces an 'unknown' (a worker
 * that lost its lock while the vendor was answering). Returns {1, json} when written, {0, stored}.
 * An outcome of a job whose digest is not the campaign's (begun before Redis lost the campaign that
 * was then enqueued again with other content) belongs to no campaign Redis holds: {0, ''}.
 * A write under the run the lineage names, with no AOF, marks that run as not durable; the run
 * itself is changed only by BEGIN, which is where a loss is looked for.
 */
export const RECORD = `${SERVER}
local metaDigest = redis.call('HGET', KEYS[5], 'digest')
if ARGV[5] ~= '' and metaDigest and metaDigest ~= ARGV[5] then return {0, ''} end
if aof ~= '1' and redis.call('HGET', KEYS[4], 'run') == run then redis.call('HSET', KEYS[4], 'aof', '0') end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local previous
if stored then
  local was = cjson.decode(stored)
  previous = was['outcome']
  if not (previous == 'unknown' and ARGV[2] == 'sent') then return {0, stored} end
  redis.call('HINCRBY', KEYS[2], previous .. ':batches', -1)
  if type(was['tally']) == 'table' then
    for field, n in pairs(was['tally']) do redis.call('HINCRBY', KEYS[2], field, -n) end
  else
    redis.call('HINCRBY', KEYS[2], previous .. ':recipients', -was['count'])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':batches', 1)
if ARGV[6] ~= '' then
  for field, n in pairs(cjson.decode(ARGV[6])) do redis.call('HINCRBY', KEYS[2], field, n) end
else
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':recipients', tonumber(ARGV[4]))
end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'outcome', 'index', ARGV[1], 'outcome', ARGV[2], 'count', ARGV[4])
return {1, ARGV[3]}
`;

/**
 * KEYS: attempts. ARGV: batch index, attempt number, attempt JSON, the attempt it resends ('' for none).
 * Records a chain attempt before its request leaves, only as the batch's next one: a second worker
 * on the same batch (a lock that lapsed) that planned the same attempt gets 0 and sends nothing.
 * A resend (the same key again, of an attempt left without an answer) is refused with 0 when that
 * attempt's answer was recorded meanwhile (the worker reads the batch again), and otherwise marks it
 * resent (`<index>:<n>:r`): its own answer, should its stalled worker still get one, is then not
 * recorded (ATTEMPT_SETTLE). The resend's answer stands for both (the vendor deduplicated the key),
 * and the batch's record stays one core's planChain reads.
 */
export const ATTEMPT_BEGIN = `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n ~= tonumber(ARGV[2]) then return 0 end
local resent = ARGV[4] ~= nil and ARGV[4] ~= ''
if resent and redis.call('HEXISTS', KEYS[1], ARGV[1] .. ':' .. ARGV[4] .. ':o') == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], ARGV[3], ARGV[1], n + 1)
if resent then redis.call('HSET', KEYS[1], ARGV[1] .. ':' .. ARGV[4] .. ':r', ARGV[2]) end
return 1
`;

/**
 * KEYS: attempts. ARGV: batch index, attempt number, outcome JSON.
 * Records how a begun chain attempt ended; the first record stands, and none is recorded for an
 * attempt a later one resends (ATTEMPT_BEGIN).
 */
export const ATTEMPT_SETTLE = `
local at = ARGV[1] .. ':' .. ARGV[2]
if redis.call('HEXISTS', KEYS[1], at) == 0 or redis.call('HEXISTS', KEYS[1], at .. ':r') == 1 then return 0 end
return redis.call('HSETNX', KEYS[1], at .. ':o', ARGV[3])
`;
