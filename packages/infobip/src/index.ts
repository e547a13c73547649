/**
 * Infobip client: OMNI advanced messages, scenarios, delivery reports and logs, validated before the wire.
 *
 * @module @msgkit/infobip
 */
export { InfobipClient } from './client';
export { billing } from './billing';
export type { InfobipClientOptions } from './client';
export type {
  GeneralStatusName,
  KakaoAlimButtonTarget,
  KakaoAlimButtonType,
  KakaoChinguButtonType,
  Lenient,
  LineMessageType,
  NotifyContentType,
  OmniChannelName,
  OmniLogsQuery,
  OmniReportsQuery,
  OmniSendRequest,
  PushInAppStyle,
  ScenarioInput,
  ScenarioListQuery,
  SmsLanguageCode,
  SmsTransliterationName,
  TimeUnitName,
} from './types';
export { formatInfobipDate } from './prepare';
export * from './errors';
export { INFOBIP_REPORT_GROUPS, INFOBIP_REPORT_NAMES, INFOBIP_REPORT_STATUSES, infobipReports } from './reports';
export type { RequestOptions, WithRequestId } from '@msgkit/core';

// The generated enums, for callers who prefer them to the plain literals the request types accept.
export { GeneralStatus, OmniChannel, SmsDataTransliterationEnum, ValidityPeriodTimeUnit } from './generated';
export type {
  AccountBalance,
  CreateOrUpdateScenarioRequest,
  DeliveryReport,
  Destination,
  DestinationAddress,
  EmailData,
  GetOmniReportsRequest,
  KakaoAlimButton,
  KakaoAlimData,
  KakaoChinguButton,
  KakaoChinguData,
  LineData,
  ListScenariosRequest,
  ListScenariosResponse,
  MessageError,
  MessagePrice,
  MessageStatus,
  OmniAdvancedRequest,
  OmniLog,
  OmniLogsResponse,
  OmniReportsResponse,
  PushData,
  PushNotificationOptions,
  ReportContact,
  Scenario,
  ScenarioStep,
  SendOmniAdvancedResponse,
  SentMessage,
  SmsData,
  SmsIndiaDltOptions,
  SmsKoreaOptions,
  SmsLanguage,
  SmsRegionalOptions,
  VKontakteData,
  ViberData,
  VoiceData,
  WhatsAppContact,
  WhatsAppData,
  WhatsAppMediaTemplateBody,
  WhatsAppMediaTemplateButton,
  WhatsAppMediaTemplateData,
  WhatsAppMediaTemplateHeader,
} from './generated';
export { infobipSender, infobipSenderFacts, infobipSenderFactory } from './sender';
export { infobipStatusLookup } from './lookup';
export type { InfobipSenderOptions } from './sender';
