/**
 * The journal's writes, each one Lua script so that every worker sees a batch move in one step:
 * two workers can never both find a batch fresh, and counters never drift from the outcomes.
 */

/**
 * KEYS: begin, outcome, events. ARGV: index, token.
 * Returns {'done', outcomeJson} | {'resumed', previousToken} | {'fresh', ''}; marks the batch begun.
 */
export const BEGIN = `
local done = redis.call('HGET', KEYS[2], ARGV[1])
if done then return {'done', done} end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local state = 'fresh'
if previous then state = 'resumed' end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'begin', 'index', ARGV[1], 'state', state)
return {state, previous or ''}
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
 * KEYS: outcome, counts, events. ARGV: index, outcome kind, outcome JSON, recipient count.
 * The first outcome of a batch stands, except that a proven 'sent' replaces an 'unknown' (a worker
 * that lost its lock while the vendor was answering). Returns {1, json} when written, {0, stored}.
 */
export const RECORD = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local previous
if stored then
  previous = cjson.decode(stored)['outcome']
  if not (previous == 'unknown' and ARGV[2] == 'sent') then return {0, stored} end
  local before = cjson.decode(stored)['count']
  redis.call('HINCRBY', KEYS[2], previous .. ':batches', -1)
  redis.call('HINCRBY', KEYS[2], previous .. ':recipients', -before)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':batches', 1)
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':recipients', tonumber(ARGV[4]))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '10000', '*', 'type', 'outcome', 'index', ARGV[1], 'outcome', ARGV[2], 'count', ARGV[4])
return {1, ARGV[3]}
`;
