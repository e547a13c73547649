export { InfobipClient } from './client';
export type { InfobipClientOptions, OmniLogsQuery, OmniSendRequest, ScenarioInput } from './client';
export { formatInfobipDate } from './prepare';
export * from './errors';
export type { RequestOptions, WithRequestId } from '@msgkit/core';

// Enums are values: a typed request needs them (`channel: OmniChannel.SMS`).
export { GeneralStatus, OmniChannel, ValidityPeriodTimeUnit } from './generated';
export type {
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
