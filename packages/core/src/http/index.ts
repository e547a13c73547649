export {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRIES_LIMIT,
  MAX_TIMEOUT_MS,
  RETRY_AFTER_MAX_MS,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
  backoffDelayMs,
  retryAfterMs,
  sleep,
} from './retry';
export { apiErrorFromResponse, execute } from './execute';
export type {
  ClientPolicy,
  ResponseInfo,
  WithResponse,
  HttpPolicyOptions,
  Operation,
  RawResponse,
  RequestOptions,
  VendorErrorFields,
  VendorErrorParser,
  VendorProfile,
  WithRequestId,
} from './execute';
export { credentialIssues, pathId, pathIdIssues, policyIssues, policyOptions, requestObject, requestOptionsIssues, stringOptionIssues, wireValue } from './input';
export { REDACTED, createRedactor, type Redactor } from './redact';
export { guardFetch, safeLocation, type FetchLike } from './redirect';
export { headerIssues } from './hooks';
export type { AttemptHooks, AttemptResponse, RequestHook, RequestInfo, ResponseHook, RetryHook, RetryInfo } from './hooks';
export { LOG_LEVELS } from './log';
export type { LogLevel, LogRecord, Logger } from './log';
export { clientOptionIssues, clientPolicy, noteHandler, processEnv } from './client';
export type { ClientOptions } from './client';
