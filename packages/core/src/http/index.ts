export {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  RETRY_AFTER_MAX_MS,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
  backoffDelayMs,
  retryAfterMs,
} from './retry';
export { apiErrorFromResponse, execute } from './execute';
export type {
  HttpPolicyOptions,
  Operation,
  RawResponse,
  RequestOptions,
  VendorErrorFields,
  VendorErrorParser,
  VendorProfile,
  WithRequestId,
} from './execute';
