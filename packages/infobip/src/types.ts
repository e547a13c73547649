/**
 * The public request types. The generated models type every enum as a TypeScript enum, which a
 * plain string literal does not satisfy (`'SMS'` is not an `OmniChannel`); callers of msgkit write
 * literals as they do with every other client. `Lenient` widens each enum to its string values,
 * derived from the generated enums so the two cannot drift apart.
 */
import type {
  CreateOrUpdateScenarioRequest,
  GeneralStatus,
  GetOmniLogsRequest,
  GetOmniReportsRequest,
  KakaoAlimButtonTargetEnum,
  KakaoAlimButtonTypeEnum,
  KakaoChinguButtonTypeEnum,
  LineDataTypeEnum,
  ListScenariosRequest,
  OmniAdvancedRequest,
  OmniAdvancedRequestNotifyContentTypeEnum,
  OmniChannel,
  PushNotificationOptionsInAppStyleEnum,
  SmsDataTransliterationEnum,
  SmsLanguageLanguageCodeEnum,
  ValidityPeriodTimeUnit,
} from './generated';

import type { Lenient } from '@msgkit/core/internal';

export type { Lenient };

/** The string values callers write, one type per generated enum. */
export type OmniChannelName = `${OmniChannel}`;
export type GeneralStatusName = `${GeneralStatus}`;
export type TimeUnitName = `${ValidityPeriodTimeUnit}`;
export type SmsTransliterationName = `${SmsDataTransliterationEnum}`;
export type SmsLanguageCode = `${SmsLanguageLanguageCodeEnum}`;
export type KakaoChinguButtonType = `${KakaoChinguButtonTypeEnum}`;
export type KakaoAlimButtonType = `${KakaoAlimButtonTypeEnum}`;
export type KakaoAlimButtonTarget = `${KakaoAlimButtonTargetEnum}`;
export type LineMessageType = `${LineDataTypeEnum}`;
export type NotifyContentType = `${OmniAdvancedRequestNotifyContentTypeEnum}`;
export type PushInAppStyle = `${PushNotificationOptionsInAppStyleEnum}`;

/** A send as callers write it: literals for enums, and `sendAt` may also be a Date. */
export type OmniSendRequest = Omit<Lenient<OmniAdvancedRequest>, 'sendAt'> & { sendAt?: string | Date };

/** A scenario as callers write it: Infobip's own `default` is accepted beside the generated `_default`. */
export type ScenarioInput = Lenient<CreateOrUpdateScenarioRequest> & { default?: boolean };

/** A logs query as callers write it: `sentSince` / `sentUntil` may also be Dates. */
export type OmniLogsQuery = Omit<Lenient<GetOmniLogsRequest>, 'sentSince' | 'sentUntil'> & { sentSince?: string | Date; sentUntil?: string | Date };

export type OmniReportsQuery = Lenient<GetOmniReportsRequest>;
export type ScenarioListQuery = Lenient<ListScenariosRequest>;
