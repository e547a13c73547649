/**
 * The SMS Works client: batch and single messages, validated before the wire.
 *
 * @module @msgkit/smsworks
 */
export { SmsWorksClient } from './client';
export { billing } from './billing';
export type {
  SmsWorksBatch,
  SmsWorksMessages,
  SmsWorksClientOptions,
  SendMessageRequest,
  ScheduleMessageRequest,
  SendBatchRequest,
  ScheduleBatchRequest,
  SearchQuery,
} from './client';
export * from './errors';
export { SMSWORKS_REPORT_STATUSES, smsworksReports } from './reports';
export { MAX_BATCH_SIZE, MAX_CONTENT_LENGTH, MAX_TAG_LENGTH, VALIDITY_MINUTES } from './rules';
export type { RequestOptions } from '@msgkit/core';
export type {
  BatchMessage,
  BatchMessageResponse,
  CancelledMessageResponse,
  CreditsResponse,
  DeliveryReport,
  ErrorModel,
  ExtendedErrorModel,
  FailureReason,
  Message,
  MessageResponse,
  MetaData,
  Query,
  ScheduledBatchResponse,
  ScheduledMessageResponse,
  SendMessageResponse,
} from './generated/index';
export { smsworksSender, smsworksSenderFacts, smsworksSenderFactory } from './sender';
export { smsworksStatusLookup } from './lookup';
