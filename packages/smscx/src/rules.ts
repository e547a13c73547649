/**
 * SMS.CX's rules beyond its spec, and its codes. Every length, range, enum and pattern of a request
 * is the spec's (src/generated-checks, which the client runs first); what is here is what a schema
 * cannot say: the kind of sender, SMS parts and placeholders, the strategy's order, dates, and the
 * vendor's documented error codes (the error tables in specs/smscx.yaml, from the official SDKs'
 * docs, seeds 000/001, and ../shared/vendors/smscx.md). DECISIONs are the spec's.
 */
import {
  callbackUrlPartsUnchecked,
  channelStrategyPartsUnchecked,
  checkShape,
  collectPlainIssues,
  mergeIssues,
  messageFor,
  messageTextPartsUnchecked,
  type Note,
  type OperationShape,
  plainOptional,
  plainRequestRules,
  plainRule,
  type PlainCheck,
  scheduleDatePartsUnchecked,
  senderIdPartsUnchecked,
  type ShapeNode,
  type SpecCodes,
  type ValidationIssue,
} from '@msgkit/core/internal';
import * as checks from './generated-checks/index';
import { StrategyChannelChannelEnum, TransliterationAlphabetEnum } from './generated/models/index';

const sms = checks.sendSms.body!.properties!;
const mc = checks.sendMultichannel.body!.properties!;

/** `to`: at most this many numbers per request (spec maxItems; 1104 empty, 1103 too many). */
export const MAX_RECIPIENTS: number = sms.to!.maxItems!;
/** Concatenated SMS: at most 10 parts, i.e. 1 530 GSM-7 characters (vendor model docs; no code). */
export const MAX_PARTS = 10;
/** Multichannel `ttl` in seconds (spec minimum and maximum; 1125 / 1134 / 1124). */
export const TTL_SECONDS: { readonly min: number; readonly max: number } = { min: mc.ttl!.minimum!, max: mc.ttl!.maximum! };
/** The channels a multichannel `strategy` step may name (the spec's enum). */
export const CHANNELS = Object.values(StrategyChannelChannelEnum) as ReadonlyArray<`${StrategyChannelChannelEnum}`>;
/** The `transliteration.alphabet` values SMS.CX documents (the spec's enum). */
export const ALPHABETS = Object.values(TransliterationAlphabetEnum) as ReadonlyArray<`${TransliterationAlphabetEnum}`>;

const seconds = { unit: 'seconds' };
/**
 * SMS.CX's codes for what its spec constrains, by field and keyword (the error tables of
 * specs/smscx.yaml). Kept here, not in the spec: the spec holds the wire and its limits, the
 * package the vendor's codes (DESIGN.md, "A vendor fact lives once").
 */
export const specCodes: SpecCodes = {
  fields: {
    to: { required: 1104, type: 1104, minItems: { code: 'recipients_empty', vendorCode: 1104 }, maxItems: { code: 'recipients_too_many', vendorCode: 1103 } },
    groups: { required: 1101, type: 1101, minItems: { code: 'recipients_empty', vendorCode: 1101 } },
    'groups[]': { any: 1140 },
    from: { required: 1105, any: 1106 },
    text: { any: 1107 },
    countryIso: { any: { code: 'invalid' } },
    ttl: {
      type: { code: 'validity_not_integer', vendorCode: 1124 },
      format: { code: 'validity_not_integer', vendorCode: 1124 },
      minimum: { code: 'validity_too_short', vendorCode: 1125, params: seconds },
      maximum: { code: 'validity_too_long', vendorCode: 1134, params: seconds },
    },
    scheduledDate: { any: { code: 'date_invalid', vendorCode: 1108 } },
    dlrCallbackUrl: { any: 1109 },
    idempotencyId: { any: { code: 'uuid_invalid', vendorCode: 1111, params: { shape: true, lowercase: true } } },
    trackData: { any: { code: 'uuid_invalid', params: { shape: true, lowercase: true } } },
    transliteration: { any: 1135 },
    'transliteration.alphabet': { any: 1110 },
    'transliteration.removeEmojis': { any: 1503 },
    strategy: { required: 1120, type: { code: 'strategy_not_list', vendorCode: 1120 }, minItems: { code: 'strategy_too_few_channels', vendorCode: 1121 } },
    'strategy[].channel': { any: 1123 },
    'strategy[].templateId': { any: 1127 },
    'strategy[].text': { any: 1107 },
    msgId: { any: { code: 'uuid_invalid', vendorCode: 1115, params: { shape: true, lowercase: true } } },
    campaignId: { any: { code: 'uuid_invalid', vendorCode: 1155, params: { shape: true, lowercase: true } } },
  },
};

/** Invalid numbers: 1207 for one, 1210 for several (unless `allowInvalid`). */
export const INVALID_NUMBER_CODE = { one: 1207, several: 1210 } as const;

// The vendor documents no character set for senders; only control characters are refused here.
const SENDER_CHAR = /[^\p{Cc}]/u;
/**
 * `from`: the spec's 3-15 for any sender; this says which kind of sender broke it, 1105 when
 * empty, 1106 otherwise (spec DECISION on Multichannel's limit).
 */
const senderLength = [sms.from!.minLength!, sms.from!.maxLength!] as const;
const sender = plainRule<string>(...senderIdPartsUnchecked({ alpha: senderLength, numeric: senderLength, allowedChar: SENDER_CHAR, vendorCode: { sender_empty: 1105, invalid_type: 1106, sender_alpha_length: 1106, sender_numeric_length: 1106, sender_chars: 1106 } }));

/** SMS text: at most 10 parts; random placeholders `{{numbers:N}}` etc. with N 1-20 (1136 / 1137). */
const text = plainRule<string>(...messageTextPartsUnchecked({
  minLength: 0,
  maxParts: MAX_PARTS,
  placeholders: true,
  vendorCode: { invalid_type: 1107, placeholder_invalid: 1136, placeholder_length: 1137 },
}));

/** Campaign `groups`: each an existing group id (1140), so a positive one (the spec says int32). */
const groups: PlainCheck<{ groups?: unknown }> = (request) =>
  Array.isArray(request.groups)
    ? request.groups.flatMap((id: unknown, index) =>
        Number.isInteger(id) && (id as number) <= 0 ? [{ path: ['groups', index], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a group id (positive)' }), vendorCode: 1140 }] : [],
      )
    : [];

/**
 * `strategy`: no channel twice (1129), ending with `sms` (1122); viber/whatsapp steps need
 * `templateId` (1126), the sms step `text` (1107). Its length and channels are the spec's.
 */
const strategy = plainRule(...channelStrategyPartsUnchecked({
  channels: CHANNELS,
  lastChannel: 'sms',
  requiredFields: {
    viber: [{ field: 'templateId', vendorCode: 1126 }],
    whatsapp: [{ field: 'templateId', vendorCode: 1126 }],
    sms: [{ field: 'text', vendorCode: 1107 }],
  },
  vendorCode: { strategy_not_list: 1120, strategy_unknown_channel: 1123, strategy_duplicate_channel: 1129, strategy_last_channel: 1122 },
}));

/** What the strategy factory does not look into: a template id is positive (1127; the spec says int32), and the failover SMS text. */
function strategySteps(request: { strategy?: unknown }): ValidationIssue[] {
  if (!Array.isArray(request.strategy)) return [];
  const issues: ValidationIssue[] = [];
  request.strategy.forEach((step: unknown, index) => {
    if (typeof step !== 'object' || step === null) return;
    const { channel, templateId, text: smsText } = step as Record<string, unknown>;
    if (channel !== 'sms' && Number.isInteger(templateId) && (templateId as number) <= 0) {
      issues.push({ path: ['strategy', index, 'templateId'], code: 'invalid', message: messageFor('invalid'), vendorCode: 1127 });
    }
    if (channel === 'sms' && smsText != null && smsText !== '') {
      for (const issue of collectPlainIssues(smsText, text)) issues.push({ ...issue, path: ['strategy', index, 'text', ...issue.path] });
    }
  });
  return issues;
}

/** `scheduledDate`: the spec's pattern (1108) names a real instant (1108), not in the past (1116). */
const scheduleCodes = { required: 1108, date_invalid: 1108, date_in_past: 1116 };
const utcDate = plainRule<string | Date>(...scheduleDatePartsUnchecked({ vendorCode: scheduleCodes }));
// With `isUtc: false` the date is the destination's wall clock; UTC-12 is the latest any zone can
// be, so only a date that is past even there is surely past.
const LATEST_ZONE_MS = 12 * 3_600_000;
const localDate = plainRule<string | Date>(...scheduleDatePartsUnchecked({ vendorCode: scheduleCodes, now: () => Date.now() - LATEST_ZONE_MS }));

function schedule(request: { scheduledDate?: unknown; isUtc?: unknown }): ValidationIssue[] {
  const value = request.scheduledDate;
  if (value === undefined) return [];
  if (value instanceof Date) {
    // The client turns a valid Date into the documented string (toScheduledDate) unless isUtc is false.
    const message = Number.isNaN(value.getTime())
      ? messageFor('date_invalid')
      : "is a Date, an instant, but isUtc is false (the destination's wall-clock time): give that time as 'YYYY-MM-DD HH:MM:SS'";
    return [{ path: ['scheduledDate'], code: 'date_invalid', message, vendorCode: 1108 }];
  }
  if (typeof value !== 'string') return [];
  return collectPlainIssues(value, request.isUtc === false ? localDate : utcDate).map((issue) => ({ ...issue, path: ['scheduledDate'] }));
}

/** ISO 3166-1 alpha-2 is letters; the spec says two of them. */
const countryIso = plainRule<string>({}, (value, report) => {
  if (typeof value === 'string' && !/^[A-Za-z]*$/.test(value)) report('invalid', {});
});

const pad = (n: number) => String(n).padStart(2, '0');
/**
 * A Date as the string the vendor documents, `YYYY-MM-DD HH:MM:SS` (whole seconds, the format has
 * no fraction), in UTC, which is what the default `isUtc: true` says it is; anything else is
 * returned as given, for `schedule` to check.
 */
export function toScheduledDate(value: unknown, isUtc: unknown): unknown {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()) || isUtc === false) return value;
  const d = value;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The vendor POSTs delivery reports to `dlrCallbackUrl`: an http(s) URL, where the spec says any URI (1109). */
const dlrCallbackUrl = plainOptional(plainRule<string>(...callbackUrlPartsUnchecked({ vendorCode: 1109 })));
/**
 * `trackData` of the spec's shape (the SDKs' lowercase UUID of any version, spec DECISION) that is
 * not of version 1 to 5 is sent, with a note (trackDataNotes).
 */
const UUID_V1_TO_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * PY SendSmsMessageRequest and SendMultichannelMessageRequest docstrings: "If the value is not a
 * valid UUID (v1-v5) the API will not return an error but will discard this parameter". The seeds'
 * own example is such a value, so it is sent as given, and said.
 */
export function trackDataNotes(request: { trackData?: unknown }): Note[] {
  const value = request.trackData;
  // Called on a request that passed the spec's pattern: only the version digit is left to read.
  if (typeof value !== 'string' || UUID_V1_TO_V5.test(value)) return [];
  return [
    {
      path: ['trackData'],
      code: 'uuid_version',
      message:
        'is not a UUID of version 1 to 5: sent as given (the SDKs accept it), but SMS.CX documents that it may discard such a trackData without an error, so delivery reports may come without it',
    },
  ];
}

/** One operation's checks: the spec's shape, run first, then the rules a schema cannot say. */
export interface OperationRules {
  shape: ShapeNode;
  checks: ReadonlyArray<PlainCheck<never>>;
}

// Every field optional here: which ones a request needs is the spec's `required`.
// The rules are plain (no zod schema is built), and report as requestRules' schemas would.
const from = plainOptional(sender);
const smsText = plainOptional(text);
const smsMessage = plainRequestRules({ from, text: smsText, countryIso: plainOptional(countryIso), dlrCallbackUrl });
const smsCampaign = plainRequestRules({ from, text: smsText, dlrCallbackUrl });
const mcMessage = plainRequestRules({ from, strategy: plainOptional(strategy), countryIso: plainOptional(countryIso), dlrCallbackUrl });
const mcCampaign = plainRequestRules({ from, strategy: plainOptional(strategy), dlrCallbackUrl });
const on = (operation: OperationShape, ...rest: ReadonlyArray<PlainCheck<never>>): OperationRules => ({ shape: operation.body!, checks: rest });

/** The checks for each operation, run by the client on the request as it will be sent. */
export const rules = {
  sms: {
    send: on(checks.sendSms, smsMessage, schedule),
    estimate: on(checks.estimateSms, smsMessage, schedule),
    sendCampaign: on(checks.sendSmsCampaign, smsCampaign, groups, schedule),
    estimateCampaign: on(checks.estimateSmsCampaign, smsCampaign, groups, schedule),
  },
  multichannel: {
    send: on(checks.sendMultichannel, mcMessage, strategySteps, schedule),
    estimate: on(checks.estimateMultichannel, mcMessage, strategySteps, schedule),
    sendCampaign: on(checks.sendMultichannelCampaign, mcCampaign, groups, strategySteps, schedule),
    estimateCampaign: on(checks.estimateMultichannelCampaign, mcCampaign, groups, strategySteps, schedule),
  },
} satisfies Record<string, Record<string, OperationRules>>;

/** A request's issues without the network or its numbers: the spec's shape merged with the operation's rules. */
export function operationIssues(operation: OperationRules, request: object): ValidationIssue[] {
  return mergeIssues(checkShape(operation.shape, request, specCodes), collectPlainIssues(request as never, ...operation.checks), operation.shape);
}

/** The operations that take no body: path ids and, for the campaign report, a page. */
export type ParamsOperation =
  | 'deleteScheduledSms'
  | 'deleteScheduledSmsCampaign'
  | 'deleteScheduledMultichannel'
  | 'deleteScheduledMultichannelCampaign'
  | 'getSingleReport'
  | 'getCampaignReport';

/**
 * An operation's parameters against its own in the spec, refined by `hand` (what a schema cannot
 * say). Path ids are the spec's lowercase UUID; the vendor's code for a bad one is 1115 for a msgId
 * and 1155 for a campaignId (specCodes), and `vendorCode` where an operation answers another one
 * (1165 for the single-message report).
 */
export function paramIssues(operation: ParamsOperation, params: Record<string, unknown>, hand: readonly ValidationIssue[] = [], vendorCode?: number): ValidationIssue[] {
  const shape = checks[operation].params!;
  const shaped = checkShape(shape, params, specCodes);
  return mergeIssues(vendorCode === undefined ? shaped : shaped.map((issue) => ({ ...issue, vendorCode })), hand, shape);
}

/** The page size of the campaign report (specs/smscx.yaml getCampaignReport `limit`, the vendor's Paging.size maximum). */
export const MAX_REPORT_PAGE: number = checks.getCampaignReport.params!.properties!.limit!.maximum!;
/** 1165 "Campaign ID or msg ID provided is not valid" (ReportsApi.md get_single_report). */
export const INVALID_REPORT_ID = 1165;
