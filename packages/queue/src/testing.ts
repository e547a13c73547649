/**
 * `@msgkit/queue/testing`: the Redis the queue's own tests use, for the tests of packages built on
 * the queue (the CLI's campaign commands, the dashboard's Redis source) and of users' code. Not part
 * of the queue's runtime: nothing in `@msgkit/queue` imports it.
 *
 * - `startTestRedis()`: MSGKIT_TEST_REDIS_URL when set (`.ci/run` starts one with an append-only
 *   file), else a `redis-server` of its own on a free 127.0.0.1 port with an append-only file, and a
 *   key prefix per test so tests share one Redis without seeing each other.
 * - `redisAvailable`: whether either exists. Importing this module in CI (`CI=true`) without one
 *   throws, so a missing Redis fails the run instead of skipping its tests.
 * - `waitDone(url, campaignId, prefix)`: polls a campaign's status until every batch has an outcome.
 * - `startRedisServer(persistence)`: a server a test can SIGKILL, wipe and start again on the same
 *   port and directory.
 *
 * @module @msgkit/queue/testing
 */
export { redisAvailable, startTestRedis, type TestRedis } from './test/redis';
export { freePort, startRedisServer, type Persistence, type RedisServer } from './test/server';
export { waitDone } from './test/helpers';
