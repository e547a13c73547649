/**
 * SMS.CX client: SMS and Multichannel (Viber, WhatsApp, SMS failover) APIs and delivery reports, validated before the wire.
 *
 * @module @msgkit/smscx
 */
export { SmscxClient, SmsMethods, MultichannelMethods, ReportMethods } from './client';
export { billing } from './billing';
export type {
  CampaignReportQuery,
  MultichannelCampaignEstimateRequest,
  MultichannelCampaignRequest,
  MultichannelEstimateRequest,
  MultichannelSendRequest,
  RequestOptions,
  SmsCampaignEstimateRequest,
  SmsCampaignRequest,
  SmsEstimateRequest,
  SmsSendRequest,
  SmscxClientOptions,
  StrategyStep,
  TransliterationOptions,
  WithRequestId,
} from './client';
export * from './errors';
export { SMSCX_REPORT_STATUSES, smscxReports } from './reports';
export { ALPHABETS, CHANNELS, MAX_PARTS, MAX_RECIPIENTS, TTL_SECONDS } from './rules';
// The generated enums are values; callers may use them instead of string literals.
export { AccountBalanceBillingEnum, AccountBalanceCurrencyEnum, MessageReportStatusEnum, StrategyChannelChannelEnum, TransliterationAlphabetEnum } from './generated/models/index';
export type {
  AccountBalance,
  CampaignGroup,
  CampaignReportInfo,
  CampaignReportResponse,
  MessageReport,
  Paging,
  SingleReportResponse,
  DeleteScheduledCampaignResponse,
  DeleteScheduledMessageResponse,
  DeletedCampaignInfo,
  DeletedMessageInfo,
  DlrUpdate,
  DlrUpdateCallback,
  ErrorDetail,
  ErrorResponse,
  EstimateMultichannelCampaignRequest,
  EstimateMultichannelRequest,
  EstimateSmsCampaignRequest,
  EstimateSmsRequest,
  MultichannelCampaignInfo,
  MultichannelInfo,
  MultichannelMessage,
  OriginalText,
  ReplacedText,
  SendMultichannelCampaignRequest,
  SendMultichannelCampaignResponse,
  SendMultichannelRequest,
  SendMultichannelResponse,
  SendSmsCampaignRequest,
  SendSmsCampaignResponse,
  SendSmsRequest,
  SendSmsResponse,
  SmsCampaignInfo,
  SmsInfo,
  SmsMessage,
  StrategyChannel,
  TextAnalysis,
  Transliteration,
  TransliterationAnalysis,
  TransliterationTexts,
} from './generated/models/index';
export { smscxSender, smscxSenderFacts, smscxSenderFactory } from './sender';
export { smscxStatusLookup } from './lookup';
