/**
 * Campaigns on several workers: BullMQ batch jobs over Redis, with per-account pacing and the never-twice guarantees of the msgkit clients.
 *
 * @module @msgkit/queue
 */
export { enqueueCampaign } from './producer';
export type { BatchJobData, EnqueueCampaignOptions, EnqueuedCampaign, ProducerSender } from './producer';
export { createCampaignWorker } from './worker';
export type { CampaignWorker, CampaignWorkerOptions } from './worker';
export type { CampaignWorkerEvent } from './batch';
// The contract a worker sends through is core's: each provider package exports its sender.
export type { CampaignMessage, CampaignSender } from '@msgkit/core';
export { campaignRecipients, campaignStatus, followCampaign, formatCampaignEvent, listCampaigns } from './status';
export type { CampaignEvent, CampaignStatus, DeliveryTotals, FollowOptions, StatusOptions, Tally } from './status';
export { campaignResults, CampaignNotFoundError } from './results';
export type { CampaignResultRow, ResultsOptions, SendStatus } from './results';
export { DELIVERY_STATES, DeliveryRecords, standingOf } from './deliveries';
export type { DeliveryRecord, DeliveryState, KeptVerdict, RecipientStanding } from './deliveries';
export { deliveryCallbacks, parseReference, referenceOf } from './callbacks';
export type { DeliveryReportOptions } from './callbacks';
export { createDeliveryRecorder, UnplacedReportError } from './recorder';
export type { DeliveryRecorder, DeliveryRecorderOptions, KeptSettings, RecorderPersistence } from './recorder';
export { DEFAULT_AGED_OUT_CAP, DEFAULT_KEPT_PER_FLUSH, DEFAULT_KEPT_WINDOW_MS, VendorIds } from './vendorIds';
export type { AgedOutReport, IdPlace, KeptReport } from './vendorIds';
export { DEFAULT_FAILOVER_LEASE_MS, failoverCampaign, FailoverBusyError } from './failover';
export type { FailoverCampaignOptions, FailoverCampaignResult, FailoverLater, FailoverMove, FailoverPlan, FailoverTotals } from './failover';
export { FailoverWatchError, watchFailover } from './failoverWatch';
export type { FailoverPassSummary, FailoverWatchOptions, FailoverWatchResult } from './failoverWatch';
export { reconcileCampaign, RedisReconcileStore } from './reconcileStore';
export type { ReconcileCampaignOptions } from './reconcileStore';
export { formatCampaignStatus } from './format';
export type { BatchOutcome, CampaignMeta, RecipientRecord, RecipientRefused, RecipientTally, StateLost } from './journal';
export { MAX_RATE_LIMIT_PAUSE_MS, resumeAccount } from './account';
export type { AccountPause, AccountState, RateLimitNotice, ResumeAccountOptions } from './account';
export { DEFAULT_CONNECT_TIMEOUT_MS } from './connection';
export { RedisNotDurableError, RedisUnavailableError } from './errors';
export type { RedisPersistence, RedisUnavailableReason } from './errors';
export { batchJobId, chainName, queueName } from './names';
export type { RedisConnection } from './connection';
export { openAccountQueues } from './board';
export type { AccountQueues } from './board';
