/**
 * What msgkit's provider packages are built with: the HTTP policy, validation rule factories, the
 * sender kit, report parsing and lookups. Not for applications: it changes with the providers of
 * the same release.
 *
 * @module @msgkit/core/internal
 */
// `@msgkit/core/internal`: what the provider packages are built with (the HTTP policy, rule
// factories, the sender kit, report parsing). Not for apps: it changes with the providers of the
// same release. An app's names are at the root (public.ts).
export { apiErrorKind, createApiError, errorMessages } from './errors';
export type { ApiErrorInit, MsgkitErrorOptions } from './errors';
export * from './http/index';
export * from './rules/index';
export type { Lenient } from './lenient';
export { CAMPAIGN_KEY_NAMESPACE, batchDigest, interruptedOutcome } from './batch/index';
export { TEMPLATE_DIGEST_NAMESPACE } from './text/index';
export { mapStatus, reportReader, reportTime } from './delivery/index';
export type { StatusMapping } from './delivery/index';
export { NOT_SENT_REASON, compareMessageReports, recipientStanding, reportReason } from './delivery/index';
export type { MessageReport, RecipientDeliveryStanding, RecipientDeliveryState, StandingInput, StandingLookup } from './delivery/index';
export {
  FAILOVER_CLASSES,
  INTERRUPTED_ATTEMPT,
  attemptDedupeKey,
  chainBatchSize,
  chainIssues,
  classifyError,
  createSender,
  deliveredEarlier,
  matchRefusal,
  messageShapeIssues,
  optionIssues,
  planChain,
  readCredentials,
  recipientMessageId,
  recipientRefusal,
  remapIssues,
  resolveCredentials,
  senderFactory,
  senderOptions,
  sendingTry,
} from './campaign/index';
export type { ChainPlan, NextAttempt, SenderImplementation, SenderReport } from './campaign/index';
export { absenceVerdict, lookupRequests, matchRecipients, notFoundProof, strictestRateLimit } from './campaign/index';
export type { LookupOptions, LookupQuery, RateLimit, StatusLookupFact } from './campaign/index';
export type * from './types';
