// What an app imports from `@msgkit/core` (and, with full metadata, `@msgkit/core/max`): the names
// DESIGN.md makes public. The machinery the provider packages are built with is at
// `@msgkit/core/internal`; entry.test.ts lists these names, so one added here is added on purpose.
export {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InsufficientCreditError,
  MsgkitError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  ServerError,
  TimeoutError,
  ValidationError,
  JournalMismatchError,
  JournalWriteError,
} from './errors';
export { compileTemplate, countSegments, countSegmentsFor, NATIONAL_LANGUAGES, renderTemplate, splitSegments, suggestCheaper, TemplateError } from './text/index';
export { batchDedupeKey, chunk, outcomeOfError, resumeDecision, sendInBatches } from './batch/index';
export {
  DELIVERY_STATUSES,
  FINAL_DELIVERY_STATUSES,
  NEGATIVE_DELIVERY_STATUSES,
  InvalidReportError,
  deliveryProgress,
  isDeliveryStatus,
  isFinalDeliveryStatus,
  isNegativeDeliveryStatus,
} from './delivery/index';
export { ChainValidationError, MissingCredentialsError, REPORT_FAILOVER_STATUSES, failoverProofs, reportMovesOn, sendWithFailover } from './campaign/index';
export type { AbsenceProof, LookupProof, LookupReason, LookupResult } from './campaign/index';
export type * from './types';
