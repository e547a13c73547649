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
/** The status group names of Infobip's reports and logs (`PENDING`, `DELIVERED`, …), as strings. */
export type GeneralStatusName = `${GeneralStatus}`;
/** The time units of `validityPeriod`, as strings. */
export type TimeUnitName = `${ValidityPeriodTimeUnit}`;
/** The SMS `transliteration` values, as strings. */
export type SmsTransliterationName = `${SmsDataTransliterationEnum}`;
/**
 * The national language tables an SMS step may ask for (`sms.language.languageCode`), as strings.
 */
export type SmsLanguageCode = `${SmsLanguageLanguageCodeEnum}`;
/** The button types of a Kakao Chingu (friend talk) step, as strings. */
export type KakaoChinguButtonType = `${KakaoChinguButtonTypeEnum}`;
/** The button types of a Kakao Alim (notification talk) step, as strings. */
export type KakaoAlimButtonType = `${KakaoAlimButtonTypeEnum}`;
/** The button targets of a Kakao Alim step, as strings. */
export type KakaoAlimButtonTarget = `${KakaoAlimButtonTargetEnum}`;
/** The message types of a LINE step, as strings. */
export type LineMessageType = `${LineDataTypeEnum}`;
/** The content types of the delivery-report callback (`notifyContentType`), as strings. */
export type NotifyContentType = `${OmniAdvancedRequestNotifyContentTypeEnum}`;
/** The in-app styles of a push notification step, as strings. */
export type PushInAppStyle = `${PushNotificationOptionsInAppStyleEnum}`;

/** A send as callers write it: literals for enums, and `sendAt` may also be a Date. */
export type OmniSendRequest = Omit<Lenient<OmniAdvancedRequest>, 'sendAt'> & { sendAt?: string | Date };

/** A scenario as callers write it: Infobip's own `default` is accepted beside the generated `_default`. */
export type ScenarioInput = Lenient<CreateOrUpdateScenarioRequest> & { default?: boolean };

/** A logs query as callers write it: `sentSince` / `sentUntil` may also be Dates. */
export type OmniLogsQuery = Omit<Lenient<GetOmniLogsRequest>, 'sentSince' | 'sentUntil'> & { sentSince?: string | Date; sentUntil?: string | Date };

/** The query of `client.omni.reports`, with enums also as plain strings. */
export type OmniReportsQuery = Lenient<GetOmniReportsRequest>;
/** The query of `client.omni.scenarios.list`, with enums also as plain strings. */
export type ScenarioListQuery = Lenient<ListScenariosRequest>;
