/**
 * Delivery reports of SMS.CX, The SMS Works, Octopush and Infobip: verified (HMAC callback URLs, Infobip basic auth), normalized to one status set, reduced per message by an order-independent state machine, served by one Web-standard handler with a node:http adapter.
 *
 * @module @msgkit/webhooks
 */
export { createWebhookHandler } from './handler';
export type { CallbackAnswer, IncomingCallback, Refusal, ReportBatch, WebhookHandler, WebhookOptions, WebhookStats } from './handler';
export { DeliveryLedger, reduceDeliveries } from './ledger';
export type { LedgerChange } from './ledger';
export { MessageTracker } from './reduce';
export type { MessageDelivery } from './reduce';
export { canonicalEvent, compareDeliveryEvents } from './order';
export { createCallbackUrl, verifyCallbackUrl, TOKEN_PARAM } from './token';
export type { CallbackClaims, CallbackUrlOptions, TokenCheck } from './token';
export { basicAuth, headerSecret } from './auth';
export type { CallbackAuthenticator } from './auth';
export { publicUrl } from './proxy';
export type { HeaderReader, PublicUrlOptions, RequestLike } from './proxy';
export { MemoryReplayStore } from './replay';
export type { ReplayStore } from './replay';
export type { FailedWork, QueueOptions } from './queue';
export { BodyTooLargeError, fromNodeRequest, handleNodeRequest, toNodeListener, writeNodeResponse } from './node';
export { reconcile } from './reconcile';
export type { ReconcileOptions, ReconcileSummary, SenderSummary } from './reconcile';
export type { BatchRecord, BatchRef, MessagesRecord, PendingMessage, ReconcileRecord, ReconcileStore, RecipientVerdict, UnknownBatch, UnresolvedReason } from './reconcile-store';
export { MemoryReconcileStore } from './memory-store';
export { RateLimiter, systemClock } from './limiter';
export type { Clock } from './limiter';
// The vocabulary, re-exported so a receiver needs one import.
export { DELIVERY_STATUSES, FINAL_DELIVERY_STATUSES, InvalidReportError, isFinalDeliveryStatus } from '@msgkit/core';
export type { DeliveryEvent, DeliveryReportFormat, DeliveryStatus } from '@msgkit/core';
