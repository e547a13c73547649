/**
 * SMS.CX per-request limits, each with the vendor's documented error code. Sources: the error
 * tables in specs/smscx.yaml (from the official SDKs' docs, seeds 000/001) and
 * ../shared/vendors/smscx.md; DECISIONs are the spec's.
 */
import {
  callbackUrl,
  channelStrategy,
  collectIssues,
  maxRecipients,
  messageFor,
  messageText,
  type Note,
  optional,
  type RequestCheck,
  requestRules,
  rule,
  scheduleDate,
  senderId,
  type ValidationIssue,
  validity,
} from '@msgkit/core/internal';

/** `to`: 1 to 25 000 numbers (1104 empty, 1103 too many). */
export const MAX_RECIPIENTS = 25_000;
/** Concatenated SMS: at most 10 parts, i.e. 1 530 GSM-7 characters (vendor model docs; no code). */
export const MAX_PARTS = 10;
/** Multichannel `ttl` in seconds: 5 minutes to 14 days (1125 / 1134 / 1124). */
export const TTL_SECONDS = { min: 300, max: 1_209_600 } as const;
/** The channels a multichannel `strategy` step may name. */
export const CHANNELS = ['viber', 'whatsapp', 'sms'] as const;
/** The `transliteration.alphabet` values SMS.CX documents. */
export const ALPHABETS = [
  'NONE', 'NON_GSM', 'POLISH', 'TURKISH', 'GREEK', 'ROMANIAN', 'RUSSIAN_CYRILLIC', 'BULGARIAN_CYRILLIC',
  'UKRAINIAN_CYRILLIC', 'MACEDONIAN_CYRILLIC', 'BELARUSIAN_CYRILLIC', 'SERBIAN_CYRILLIC',
] as const;

/** Invalid numbers: 1207 for one, 1210 for several (unless `allowInvalid`). */
export const INVALID_NUMBER_CODE = { one: 1207, several: 1210 } as const;

// The vendor documents no character set for senders; only control characters are refused here.
const SENDER_CHAR = /[^\p{Cc}]/u;
/** `from`: 1105 when missing, 1106 when invalid; 3-15 for SMS and Multichannel (spec DECISION). */
const sender = (max: number) =>
  senderId({ alpha: [3, max], numeric: [3, max], allowedChar: SENDER_CHAR, vendorCode: { required: 1105, sender_empty: 1105, invalid_type: 1106, sender_alpha_length: 1106, sender_numeric_length: 1106, sender_chars: 1106 } });

/** SMS text: 1107 when empty; random placeholders `{{numbers:N}}` etc. with N 1-20 (1136 / 1137). */
const text = messageText({
  maxParts: MAX_PARTS,
  placeholders: true,
  vendorCode: { required: 1107, text_empty: 1107, invalid_type: 1107, placeholder_invalid: 1136, placeholder_length: 1137 },
});

const recipients = maxRecipients({ max: MAX_RECIPIENTS, vendorCode: { required: 1104, recipients_empty: 1104, invalid_type: 1104, recipients_too_many: 1103 } });

/** Campaign `groups`: at least one (1101), each an existing group id (1140). */
const groups = rule<number[]>({ vendorCode: { required: 1101, recipients_empty: 1101, invalid_type: 1140 } }, (value, report) => {
  if (!Array.isArray(value)) return report('invalid_type', { expected: 'a list of group ids' });
  if (value.length === 0) report('recipients_empty', { min: 1 });
  value.forEach((id, index) => {
    if (!Number.isInteger(id) || (id as number) <= 0 || (id as number) > 2_147_483_647) report('invalid_type', { expected: 'a group id (positive int32)' }, [index]);
  });
});

const ttl = validity({ unit: 'seconds', ...TTL_SECONDS, vendorCode: { validity_not_integer: 1124, validity_too_short: 1125, validity_too_long: 1134 } });

/**
 * `strategy`: 2-3 ordered channels (1121), no repeats (1129), known channels (1123), ending with
 * `sms` (1122); viber/whatsapp steps need `templateId` (1126), the sms step `text` (1107).
 */
const strategy = channelStrategy({
  channels: CHANNELS,
  minChannels: 2,
  lastChannel: 'sms',
  requiredFields: {
    viber: [{ field: 'templateId', vendorCode: 1126 }],
    whatsapp: [{ field: 'templateId', vendorCode: 1126 }],
    sms: [{ field: 'text', vendorCode: 1107 }],
  },
  vendorCode: { required: 1120, strategy_not_list: 1120, strategy_too_few_channels: 1121, strategy_unknown_channel: 1123, strategy_duplicate_channel: 1129, strategy_last_channel: 1122 },
});

/** What the strategy factory does not look into: template ids (1127) and the failover SMS text. */
function strategySteps(request: { strategy?: unknown }): ValidationIssue[] {
  if (!Array.isArray(request.strategy)) return [];
  const issues: ValidationIssue[] = [];
  request.strategy.forEach((step: unknown, index) => {
    if (typeof step !== 'object' || step === null) return;
    const { channel, templateId, text: smsText } = step as Record<string, unknown>;
    if (channel !== 'sms' && templateId != null && (!Number.isInteger(templateId) || (templateId as number) <= 0)) {
      issues.push({ path: ['strategy', index, 'templateId'], code: 'invalid', message: messageFor('invalid'), vendorCode: 1127 });
    }
    if (channel === 'sms' && smsText != null && smsText !== '') {
      for (const issue of collectIssues(smsText, text)) issues.push({ ...issue, path: ['strategy', index, 'text', ...issue.path] });
    }
  });
  return issues;
}

/** `scheduledDate`: one of the two documented shapes (spec pattern), else 1108; in the past 1116. */
const SCHEDULE_SHAPE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const scheduleCodes = { required: 1108, date_invalid: 1108, date_in_past: 1116 };
const utcDate = scheduleDate({ vendorCode: scheduleCodes });
// With `isUtc: false` the date is the destination's wall clock; UTC-12 is the latest any zone can
// be, so only a date that is past even there is surely past.
const LATEST_ZONE_MS = 12 * 3_600_000;
const localDate = scheduleDate({ vendorCode: scheduleCodes, now: () => Date.now() - LATEST_ZONE_MS });

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
  if (typeof value !== 'string' || !SCHEDULE_SHAPE.test(value)) {
    return [{ path: ['scheduledDate'], code: 'date_invalid', message: messageFor('date_invalid'), vendorCode: 1108 }];
  }
  return collectIssues(value, request.isUtc === false ? localDate : utcDate).map((issue) => ({ ...issue, path: ['scheduledDate'] }));
}

/** `transliteration`: an object (1135) with a known `alphabet` (1110) and a boolean `removeEmojis` (1503). */
const transliteration = rule<object>({ vendorCode: { invalid_type: 1135 } }, (value, report) => {
  if (typeof value !== 'object' || Array.isArray(value)) return report('invalid_type', { expected: 'an object' });
  const { alphabet, removeEmojis } = value as Record<string, unknown>;
  if (!(ALPHABETS as readonly unknown[]).includes(alphabet)) report('invalid', { allowed: ALPHABETS }, ['alphabet'], 1110);
  if (removeEmojis !== undefined && typeof removeEmojis !== 'boolean') report('invalid_type', { expected: 'true or false' }, ['removeEmojis'], 1503);
});

const countryIso = rule<string>({}, (value, report) => {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value)) report('invalid', {});
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

/** Fields every send and estimate shares. */
const common = {
  dlrCallbackUrl: optional(callbackUrl({ vendorCode: 1109 })),
};
/**
 * The SDKs' pattern for `idempotencyId` and `trackData`: a lowercase 36-character UUID of any
 * version. Spec DECISION: 1111's text says "v1-v5", but the vendor's own example value
 * bf325375-e030-fccb-… (seeds 000/001, both SDK READMEs) has version digit f, and the SDKs,
 * generated from the vendor's spec, check the shape only.
 */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuidShape = (vendorCode?: number) =>
  optional(
    rule<string>(vendorCode === undefined ? undefined : { vendorCode }, (value, report) => {
      if (typeof value !== 'string' || !UUID_SHAPE.test(value)) report('uuid_invalid', { lowercase: true });
    }),
  );
/** `idempotencyId` (only the four paid sends have it); 1111 when it is not of the SDKs' shape. */
const idempotencyId = uuidShape(1111);
/**
 * `trackData`: refused when not of the SDKs' shape, as the SDKs refuse it (the server itself would
 * drop it without an error); a UUID of another version than 1-5 is sent, with a note (trackDataNotes).
 */
const trackData = uuidShape();
const UUID_V1_TO_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * PY SendSmsMessageRequest and SendMultichannelMessageRequest docstrings: "If the value is not a
 * valid UUID (v1-v5) the API will not return an error but will discard this parameter". The seeds'
 * own example is such a value, so it is sent as given, and said.
 */
export function trackDataNotes(request: { trackData?: unknown }): Note[] {
  const value = request.trackData;
  if (typeof value !== 'string' || !UUID_SHAPE.test(value) || UUID_V1_TO_V5.test(value)) return [];
  return [
    {
      path: ['trackData'],
      code: 'uuid_version',
      message:
        'is not a UUID of version 1 to 5: sent as given (the SDKs accept it), but SMS.CX documents that it may discard such a trackData without an error, so delivery reports may come without it',
    },
  ];
}

type Checks = ReadonlyArray<RequestCheck<never>>;

const smsMessage = requestRules({ ...common, to: recipients, from: sender(15), text, countryIso: optional(countryIso), trackData, transliteration: optional(transliteration) });
const smsCampaign = requestRules({ ...common, groups, from: sender(15), text, transliteration: optional(transliteration) });
const mcMessage = requestRules({ ...common, to: recipients, from: sender(15), strategy, ttl: optional(ttl), countryIso: optional(countryIso), trackData });
const mcCampaign = requestRules({ ...common, groups, from: sender(15), strategy, ttl: optional(ttl) });
const paid = requestRules({ idempotencyId });

/** The checks for each operation, run by the client on the request as it will be sent. */
export const rules = {
  sms: {
    send: [smsMessage, paid, schedule],
    estimate: [smsMessage, schedule],
    sendCampaign: [smsCampaign, paid, schedule],
    estimateCampaign: [smsCampaign, schedule],
  },
  multichannel: {
    send: [mcMessage, paid, strategySteps, schedule],
    estimate: [mcMessage, strategySteps, schedule],
    sendCampaign: [mcCampaign, paid, strategySteps, schedule],
    estimateCampaign: [mcCampaign, strategySteps, schedule],
  },
} satisfies Record<string, Record<string, Checks>>;

/**
 * Path ids are lowercase UUIDs (spec pattern, any version). The vendor's code for a bad one: 1115 for
 * a msgId and 1155 for a campaignId (deletes, campaign report), 1165 for the single-message report.
 */
const PATH_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function pathIdIssues(name: 'msgId' | 'campaignId', value: unknown, vendorCode: number = name === 'msgId' ? 1115 : 1155): ValidationIssue[] {
  if (typeof value === 'string' && PATH_UUID.test(value)) return [];
  return [{ path: [name], code: 'uuid_invalid', message: messageFor('uuid_invalid', { lowercase: true }), vendorCode }];
}

/** The page size of the campaign report: 1 to 500 (specs/smscx.yaml getCampaignReport `limit`, the vendor's Paging.size maximum). */
export const MAX_REPORT_PAGE = 500;
/** 1165 "Campaign ID or msg ID provided is not valid" (ReportsApi.md get_single_report). */
export const INVALID_REPORT_ID = 1165;
