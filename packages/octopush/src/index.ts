/**
 * Octopush client: multi-channel messages, SMS campaigns and wallet balance, validated before the wire.
 *
 * @module @msgkit/octopush
 */
export { OctopushClient } from './client';
export { billing } from './billing';
export type { CancelResult, OctopushClientOptions, SendResult } from './client';
export type { BalanceRequest, Lenient, MultichannelCancelRequest, MultichannelSendRequest, SmsCancelRequest, SmsSendRequest } from './types';
export * from './errors';
export { OCTOPUSH_REPORT_STATUSES, octopushReports } from './reports';
export type { RequestOptions } from '@msgkit/core';

// The generated models the methods take and return (types), and their enums (values).
export type {
  CancelMultichannelRequest,
  CancelSmsCampaignRequest,
  DeliveryReport,
  EmailDeliveryReport,
  EmailStatusChange,
  ErrorResponse,
  FieldError,
  GetBalanceRequest,
  MultichannelMetadata,
  MultichannelRecipient,
  SendMultichannelRequest,
  SendMultichannelResponse,
  SendSmsCampaignRequest,
  SendSmsCampaignResponse,
  SmsRecipient,
  WalletBalance,
  WalletPack,
} from './generated/index';
export {
  CancelMultichannelRequestChannelEnum,
  GetBalanceProductNameEnum,
  MultichannelMetadataBodyFormatEnum,
  MultichannelMetadataEmailingServiceEnum,
  MultichannelMetadataMessageTypeEnum,
  MultichannelMetadataTypeEnum,
  MultichannelMetadataVoiceGenderEnum,
  MultichannelMetadataVoiceLanguageEnum,
  SendMultichannelRequestChannelEnum,
  SendMultichannelRequestPurposeEnum,
  SendSmsCampaignRequestPurposeEnum,
  SendSmsCampaignRequestTypeEnum,
} from './generated/index';
export { octopushSender, octopushSenderFacts, octopushSenderFactory } from './sender';
