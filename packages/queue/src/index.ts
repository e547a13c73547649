/**
 * Campaigns on several workers: BullMQ batch jobs over Redis, with per-account pacing and the never-twice guarantees of the msgkit clients.
 *
 * @module @msgkit/queue
 */
export { enqueueCampaign } from './producer';
export type { BatchJobData, EnqueueCampaignOptions, EnqueuedCampaign } from './producer';
export { createCampaignWorker } from './worker';
export type { CampaignWorker, CampaignWorkerOptions } from './worker';
export type { CampaignWorkerEvent } from './batch';
export { infobipAdapter, octopushAdapter, smscxAdapter, smsWorksAdapter } from './adapters';
export type { CampaignMessage, InfobipLike, OctopushAdapterOptions, OctopushLike, ProviderAdapter, SendContext, SentBatch, SmscxLike, SmsWorksLike } from './adapters';
export { campaignStatus, followCampaign, formatCampaignEvent, listCampaigns } from './status';
export type { CampaignEvent, CampaignStatus, FollowOptions, StatusOptions, Tally } from './status';
export { formatCampaignStatus } from './format';
export type { BatchOutcome, CampaignMeta, StateLost } from './journal';
export { MAX_RATE_LIMIT_PAUSE_MS, resumeAccount } from './account';
export type { AccountPause, AccountState, RateLimitNotice, ResumeAccountOptions } from './account';
export { DEFAULT_CONNECT_TIMEOUT_MS } from './connection';
export { RedisNotDurableError, RedisUnavailableError } from './errors';
export type { RedisPersistence, RedisUnavailableReason } from './errors';
export { batchJobId, MAX_BATCH_SIZE, queueName } from './names';
export type { ProviderName } from './names';
export type { RedisConnection } from './connection';
export { openAccountQueues } from './board';
export type { AccountQueues } from './board';
