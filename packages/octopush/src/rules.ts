/**
 * Octopush's limits, checked before anything is sent. Sources: specs/octopush.yaml (SEED = the
 * vendor's "Multichannel message" page) and /work/shared/vendors/octopush.md; vendor codes are the
 * v1 codes seen in Octopush's bodies (121, 442, 2005) or the legacy return codes its v1 docs still
 * refer to (§4.8: 103 no recipients, 106 bad sender, 107 text missing).
 *
 * Generic limits use core's rule factories; what depends on the channel is a plain check function
 * because every channel needs a different set of fields in the same request object.
 */
import {
  collectIssues,
  isCalendarDateTime,
  maxRecipients,
  messageFor,
  messageText,
  optional,
  type RequestCheck,
  requestRules,
  senderId,
  type ValidationIssue,
  type Note,
  type VendorCode,
} from '@msgkit/core/internal';

export const OCTOPUSH_CODES = {
  recipientsMissing: 103,
  senderInvalid: 106,
  textMissing: 107,
  stopMissing: 121,
  voiceLanguage: 442,
  emailInvalid: 2005,
} as const;

/** SEED: "campaign (up to 500 contacts)"; spec maxItems 500. */
export const MAX_RECIPIENTS = 500;
/** SEED: text 1–1224 characters (8 × 153 GSM-7 parts). */
export const MAX_TEXT_LENGTH = 1224;
/** DEV personalised sendings: each `{first_name}`…`{param5}` value is at most 50 characters. */
export const MAX_PERSONALISATION_LENGTH = 50;
/** SEED: `metadata.subject` at most 1000 characters. */
export const MAX_SUBJECT_LENGTH = 1000;

export const CHANNELS = ['sms', 'voice_sms', 'rcs', 'email', 'live_chat'] as const;
export const CANCELLABLE_CHANNELS = ['sms', 'voice_sms', 'rcs', 'email'] as const;
export const SMS_TYPES = ['sms_premium', 'sms_low_cost'] as const;
export const PURPOSES = ['alert', 'wholesale'] as const;
/** SEED's list; anything else is answered with field code 442. */
export const VOICE_LANGUAGES = ['en-US', 'en-GB', 'el-GR', 'pl-PL', 'hu-HU', 'sv-SE', 'de-DE', 'es-ES', 'es-LA', 'fr-FR', 'it-IT', 'pt-BR', 'ru-RU'] as const;
/**
 * check-balance `product_name` (spec DECISION): the four DEV's check-balance page lists, and the
 * four more the official PHP client's ProductEnum names (`euro` among them).
 */
export const PRODUCT_NAMES = ['sms_low_cost', 'sms_premium', 'vocal_sms', 'hlr', 'virtual_number', 'euro', 'database_renting_b2c', 'database_renting_b2b'] as const;
export const WITH_DETAILS = [true, false, 1, 0, 'true', 'false', '1', '0'] as const;

const recipients = maxRecipients({ max: MAX_RECIPIENTS, vendorCode: { required: OCTOPUSH_CODES.recipientsMissing, recipients_empty: OCTOPUSH_CODES.recipientsMissing } });
const text = messageText({ minLength: 1, maxLength: MAX_TEXT_LENGTH, vendorCode: { required: OCTOPUSH_CODES.textMissing, text_empty: OCTOPUSH_CODES.textMissing } });
/** SEED/DEV: 3–11 of [a-zA-Z0-9], no spaces (legacy 106); an all-digit sender has the same limits. */
const sender = senderId({ alpha: [3, 11], numeric: [3, 11], vendorCode: OCTOPUSH_CODES.senderInvalid });

type Path = (string | number)[];
type Obj = Record<string, unknown>;

function issue(path: Path, code: string, message: string, vendorCode?: VendorCode): ValidationIssue {
  return vendorCode === undefined ? { path, code, message } : { path, code, message, vendorCode };
}
const asObject = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Obj) : {});
const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const given = (value: unknown) => value !== undefined && value !== null;

function oneOf(path: Path, value: unknown, allowed: readonly string[], vendorCode?: VendorCode): ValidationIssue[] {
  if (!given(value) || allowed.includes(value as string)) return [];
  return [issue(path, 'invalid', `must be one of ${list(allowed)}`, vendorCode)];
}
function required(path: Path, value: unknown, why: string, vendorCode?: VendorCode): ValidationIssue[] {
  return given(value) && value !== '' ? [] : [issue(path, 'required', [messageFor('required'), why].filter(Boolean).join(' '), vendorCode)];
}
/** Runs a core rule on a nested value and re-roots its issues at `path`. */
function nested(path: Path, value: unknown, check: RequestCheck): ValidationIssue[] {
  return collectIssues(value, check).map((i) => ({ ...i, path: [...path, ...i.path] }));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * live_chat `conversation_id` (spec DECISION): the SEED says "UUID v4" but its own example is
 * 00000000-0000-0000-0000-000000000001, so the shape of a UUID is checked, not its version.
 */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * `send_at` as Octopush's own sources write it, sent exactly as given (spec DECISION):
 * - ISO 8601 with an offset: SEED/DEV `2018-10-03T07:42:39-07:00`, PHP client `DateTime::ATOM`
 *   (`+01:00`), PHP README `DATE_ISO8601` (`+0100`), or `Z`, with or without fractional seconds;
 * - `YYYY-MM-DD HH:mm:ss` without a zone, which the PHP README says "also works (Central European
 *   TimeZone by default)": its meaning is the vendor's documented one, so it goes through untouched.
 * Any other form (a `T` time without a zone among them) is refused: the SEED says a value the
 * server cannot read is ignored "but your request will be sent", so a misread date would send the
 * message at once.
 */
const SEND_AT = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})| (\d{2}:\d{2}:\d{2}))$/;
function emailAddress(path: Path, value: unknown): ValidationIssue[] {
  if (!given(value)) return [];
  return typeof value === 'string' && EMAIL.test(value) ? [] : [issue(path, 'invalid', 'must be a valid e-mail address', OCTOPUSH_CODES.emailInvalid)];
}

/**
 * `request_id` is an optional string (SEED, DEV); an empty one names no key and the client sends
 * a generated one instead (spec DECISION). Only a value that is not a string at all is refused.
 */
function dedupeKey(path: Path, value: unknown): ValidationIssue[] {
  if (value === undefined || value === null || typeof value === 'string') return [];
  return [issue(path, 'invalid_type', 'must be a string (the de-duplication key of this send)')];
}

/**
 * Whether a `send_at` string is one of the SEND_AT forms and names a real calendar instant:
 * Date.parse alone takes 2030-02-30 as 2 March, while a date Octopush cannot read is ignored and
 * the message sent at once (SEED), so the calendar fields are checked first.
 */
function readableSendAt(value: string): boolean {
  const m = SEND_AT.exec(value);
  if (!m || !isCalendarDateTime(value)) return false;
  const [, date, zonedTime, zone, localTime] = m;
  // The zone only decides which instant is meant; any offset of the form proves the text reads.
  const offset = zone === undefined ? '+01:00' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  return !Number.isNaN(Date.parse(`${date}T${zonedTime ?? localTime}${offset}`));
}

/**
 * A `sendAt` already past goes out as given (no source refuses one) with this note. A zone-less
 * value is Central European time (UTC+01:00 or +02:00): it counts as past only when even its
 * latest reading (+01:00) is.
 */
export function sendAtNotes(value: unknown, now = Date.now()): Note[] {
  let time = Number.NaN;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'string') {
    const m = SEND_AT.exec(value);
    if (m) time = Date.parse(m[4] === undefined ? value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : `${m[1]}T${m[4]}+01:00`);
  }
  if (Number.isNaN(time) || time >= now) return [];
  return [{ path: ['sendAt'], code: 'date_in_past', message: 'is in the past: sent as given, since no Octopush source refuses one; Octopush may send the message at once' }];
}

/**
 * `sendAt`: a Date or one of the SEND_AT forms. A time already past is sent as given: no Octopush
 * source documents a refusal for it (DEV `send-sms/` and RDM show `"2024-12-19T10:00:00-07:00"`,
 * itself past now), and msgkit refuses only what a vendor source documents as refused.
 */
function sendAtChecks(value: unknown): ValidationIssue[] {
  if (value === undefined) return [];
  const readable = value instanceof Date ? !Number.isNaN(value.getTime()) : typeof value === 'string' && readableSendAt(value);
  if (!readable) {
    return [issue(['sendAt'], 'date_invalid', 'must be a Date or an ISO 8601 date-time such as 2030-01-31T09:00:00+01:00 (also +0100 or Z), or 2030-01-31 09:00:00 (Central European time)')];
  }
  return [];
}

/**
 * SEED 121 "Mention STOP is missing.": marketing SMS (`purpose: wholesale`) to French numbers must
 * carry "STOP au XXXXX" (case-sensitive; the operator replaces XXXXX with its short code).
 * `defaultPurpose` is the purpose the endpoint applies when the request gives none.
 */
function stopMention(request: Obj, defaultPurpose?: { purpose: string; source: string }): ValidationIssue[] {
  const purpose = request.purpose ?? defaultPurpose?.purpose;
  const french = (r: unknown) => {
    const phone = asObject(r).phoneNumber;
    return typeof phone === 'string' && phone.startsWith('+33');
  };
  const toFrance = Array.isArray(request.recipients) && request.recipients.some(french);
  if (purpose !== 'wholesale' || !toFrance || typeof request.text !== 'string' || request.text.includes('STOP au ')) return [];
  const why = request.purpose === undefined && defaultPurpose ? ` (purpose is not given, and Octopush's default for it is '${defaultPurpose.purpose}': ${defaultPurpose.source}; set purpose 'alert' for a transactional SMS)` : '';
  return [issue(['text'], 'stop_mention_missing', `must contain the opt-out mention 'STOP au XXXXX' for marketing SMS (purpose 'wholesale') to French numbers${why}`, OCTOPUSH_CODES.stopMissing)];
}

/**
 * /sms-campaign/send without `purpose` is marketing: Octopush's "Transactional SMS" page
 * documents the field as "(optional) … ['wholesale' (default), 'alert']" (spec DECISION).
 */
const SMS_CAMPAIGN_PURPOSE = {
  purpose: 'wholesale',
  source: 'dev.octopush.com/en/sms-gateway-api-documentation/transactional-sms/ documents "wholesale" (default)',
};

// ---- multi-channel send ---------------------------------------------------------------------

/** Which metadata fields each channel reads (SEED metadata table); `requestId` is for every channel. */
const METADATA_FIELDS: Record<(typeof CHANNELS)[number], readonly string[]> = {
  sms: ['type', 'withReplies'],
  voice_sms: ['type', 'voiceGender', 'voiceLanguage', 'getBackPressedKeys'],
  rcs: ['withReplies', 'messageType', 'cards', 'actions'],
  email: ['emailingService', 'emailFrom', 'nameFrom', 'subject', 'templateName', 'bodyFormat', 'language'],
  live_chat: [],
};
const RECIPIENT_FIELDS: Record<(typeof CHANNELS)[number], readonly string[]> = {
  sms: ['phoneNumber'],
  voice_sms: ['phoneNumber'],
  rcs: ['phoneNumber'],
  email: ['email'],
  live_chat: ['phoneNumber', 'email', 'conversationId'],
};
const ALL_METADATA = [...new Set(Object.values(METADATA_FIELDS).flat())];
const ALL_RECIPIENT = ['phoneNumber', 'email', 'conversationId'];

function usedBy(field: string, table: Record<string, readonly string[]>): string {
  return list(Object.keys(table).filter((channel) => table[channel]!.includes(field)));
}

function recipientChecks(channel: (typeof CHANNELS)[number], recipients: unknown): ValidationIssue[] {
  if (!Array.isArray(recipients)) return [];
  const out: ValidationIssue[] = [];
  recipients.forEach((raw, index) => {
    const r = asObject(raw);
    const at = (field: string): Path => ['recipients', index, field];
    for (const field of ALL_RECIPIENT) {
      if (given(r[field]) && !RECIPIENT_FIELDS[channel].includes(field)) {
        out.push(issue(at(field), 'not_for_channel', `is not used by channel '${channel}' (only by ${usedBy(field, RECIPIENT_FIELDS)})`));
      }
    }
    if (channel === 'email') {
      out.push(...required(at('email'), r.email, "for channel 'email'", OCTOPUSH_CODES.emailInvalid), ...emailAddress(at('email'), r.email));
    } else if (channel === 'live_chat') {
      // SEED: at least one of the three; none resolving is "[recipients] field does not contain any valid recipient."
      if (!given(r.phoneNumber) && !given(r.email) && !given(r.conversationId)) {
        out.push(issue(['recipients', index], 'required', "needs at least one of phoneNumber, email or conversationId for channel 'live_chat'"));
      }
      out.push(...emailAddress(at('email'), r.email));
      if (given(r.conversationId) && !(typeof r.conversationId === 'string' && UUID_SHAPE.test(r.conversationId))) {
        out.push(issue(at('conversationId'), 'uuid_invalid', 'must be a UUID (8-4-4-4-12 hexadecimal digits)'));
      }
    } else {
      out.push(...required(at('phoneNumber'), r.phoneNumber, `for channel '${channel}'`));
    }
  });
  return out;
}

function metadataChecks(channel: (typeof CHANNELS)[number], request: Obj): ValidationIssue[] {
  const m = asObject(request.metadata);
  const at = (field: string): Path => ['metadata', field];
  const why = `for channel '${channel}'`;
  const out: ValidationIssue[] = [];
  for (const field of ALL_METADATA) {
    if (given(m[field]) && !METADATA_FIELDS[channel].includes(field)) {
      out.push(issue(at(field), 'not_for_channel', `is not used by channel '${channel}' (only by ${usedBy(field, METADATA_FIELDS)})`));
    }
  }
  switch (channel) {
    case 'sms':
      // SEED marks `metadata.type` optional; DEV: "Parameters that are not mandatory, have a default value".
      out.push(...oneOf(at('type'), m.type, SMS_TYPES));
      break;
    case 'voice_sms':
      out.push(
        ...oneOf(at('type'), m.type, ['voice_sms']),
        ...required(at('voiceGender'), m.voiceGender, why),
        ...oneOf(at('voiceGender'), m.voiceGender, ['male', 'female']),
        ...required(at('voiceLanguage'), m.voiceLanguage, why, OCTOPUSH_CODES.voiceLanguage),
        ...oneOf(at('voiceLanguage'), m.voiceLanguage, VOICE_LANGUAGES, OCTOPUSH_CODES.voiceLanguage),
      );
      break;
    case 'rcs':
      out.push(...oneOf(at('messageType'), m.messageType, ['simple_text', 'rich_card']));
      if (m.messageType === 'rich_card' && !(Array.isArray(m.cards) && m.cards.length > 0)) {
        out.push(issue(at('cards'), 'required', "is required when messageType is 'rich_card'"));
      }
      break;
    case 'email':
      out.push(
        ...required(at('emailFrom'), m.emailFrom, why),
        ...emailAddress(at('emailFrom'), m.emailFrom),
        ...required(at('subject'), m.subject, why),
        ...oneOf(at('emailingService'), m.emailingService, ['mailbox', 'gateway']),
        ...oneOf(at('bodyFormat'), m.bodyFormat, ['plain_text', 'html']),
      );
      if (typeof m.subject === 'string' && m.subject.length > MAX_SUBJECT_LENGTH) {
        out.push(issue(at('subject'), 'text_too_long', messageFor('text_too_long', { max: MAX_SUBJECT_LENGTH, length: m.subject.length })));
      }
      break;
    case 'live_chat':
      break;
  }
  return out;
}

function multichannelChecks(request: Obj): ValidationIssue[] {
  const channel = request.channel;
  if (!given(channel)) return [issue(['channel'], 'required', messageFor('required'))];
  if (!CHANNELS.includes(channel as never)) return oneOf(['channel'], channel, CHANNELS);
  const ch = channel as (typeof CHANNELS)[number];
  const m = asObject(request.metadata);
  // SEED: an e-mail may use a template instead of a text; RCS rich cards carry their own content.
  const textOptional = (ch === 'email' && given(m.templateName)) || (ch === 'rcs' && m.messageType === 'rich_card');
  return [
    // An empty text is messageText's issue (text_empty); here only a missing one.
    ...(textOptional || given(request.text) ? [] : required(['text'], request.text, `for channel '${ch}'`, OCTOPUSH_CODES.textMissing)),
    // SEED: the sender of an RCS message is the agent's name (free text), not an SMS sender ID.
    ...(ch !== 'rcs' && given(request.sender) ? nested(['sender'], request.sender, sender) : []),
    ...oneOf(['purpose'], request.purpose, PURPOSES),
    ...sendAtChecks(request.sendAt),
    ...recipientChecks(ch, request.recipients),
    ...metadataChecks(ch, request),
    ...dedupeKey(['metadata', 'requestId'], m.requestId),
    // No Octopush source gives /multi-channel/send a default purpose: an unset one is not presumed marketing.
    ...(ch === 'sms' ? stopMention(request) : []),
  ];
}

export const multichannelSendRules: RequestCheck[] = [
  requestRules({ recipients, text: optional(text) }),
  (request) => multichannelChecks(asObject(request)),
];

// ---- SMS campaign send ----------------------------------------------------------------------

const PERSONALISATION = ['firstName', 'lastName', 'param1', 'param2', 'param3', 'param4', 'param5'];

function smsCampaignChecks(request: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [
    ...required(['type'], request.type, "('sms_premium' or 'sms_low_cost')"),
    ...oneOf(['type'], request.type, SMS_TYPES),
    ...oneOf(['purpose'], request.purpose, PURPOSES),
    ...sendAtChecks(request.sendAt),
    ...dedupeKey(['requestId'], request.requestId),
    ...stopMention(request, SMS_CAMPAIGN_PURPOSE),
  ];
  if (Array.isArray(request.recipients)) {
    request.recipients.forEach((raw, index) => {
      const r = asObject(raw);
      out.push(...required(['recipients', index, 'phoneNumber'], r.phoneNumber, ''));
      for (const field of PERSONALISATION) {
        const value = r[field];
        if (typeof value === 'string' && value.length > MAX_PERSONALISATION_LENGTH) {
          out.push(issue(['recipients', index, field], 'text_too_long', messageFor('text_too_long', { max: MAX_PERSONALISATION_LENGTH, length: value.length })));
        }
      }
    });
  }
  return out;
}

export const smsSendRules: RequestCheck[] = [
  requestRules({ recipients, text, sender: optional(sender) }),
  (request) => smsCampaignChecks(asObject(request)),
];

// ---- cancels and balance --------------------------------------------------------------------

/** RDM: only a draft or a scheduled campaign can be cancelled; live_chat messages never. */
export const multichannelCancelRules: RequestCheck[] = [
  (request) => {
    const r = asObject(request);
    const channel = r.channel === 'live_chat' ? [issue(['channel'], 'invalid', 'live_chat messages cannot be cancelled')] : oneOf(['channel'], r.channel, CANCELLABLE_CHANNELS);
    return [...required(['channel'], r.channel, ''), ...channel, ...required(['ticketNumber'], r.ticketNumber, '(the sms_ticket or ticket_number of the send)')];
  },
];

export const smsCancelRules: RequestCheck[] = [(request) => required(['ticketNumber'], asObject(request).ticketNumber, '(the sms_ticket of the send)')];

/** DEV check-balance: `country_code` (ISO 3166-1 alpha-2) and `product_name` go together or not at all. */
export const balanceRules: RequestCheck[] = [
  (request) => {
    const r = asObject(request);
    const out = [...oneOf(['productName'], r.productName, PRODUCT_NAMES)];
    // DEV documents a boolean (`with_details=true`); the PHP client and its curl example send 1.
    if (given(r.withDetails) && !WITH_DETAILS.includes(r.withDetails as never)) {
      out.push(issue(['withDetails'], 'invalid', 'must be true, false, 1 or 0'));
    }
    if (given(r.countryCode) && !(typeof r.countryCode === 'string' && /^[A-Z]{2}$/.test(r.countryCode))) {
      out.push(issue(['countryCode'], 'invalid_country', 'must be an ISO 3166-1 alpha-2 country code, e.g. FR'));
    }
    if (given(r.countryCode) !== given(r.productName)) {
      const missing = given(r.countryCode) ? 'productName' : 'countryCode';
      out.push(issue([missing], 'required', 'is required when countryCode or productName is given (both or neither)'));
    }
    return out;
  },
];
