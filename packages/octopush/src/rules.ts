/**
 * Octopush's rules beyond its spec, checked before anything is sent. Every length, count, enum,
 * pattern and format of a request is the spec's (src/generated-checks, which the client runs
 * first; specs/octopush.yaml, SEED = the vendor's "Multichannel message" page, and
 * /work/shared/vendors/octopush.md); what is here is what a schema cannot say: which fields each
 * channel needs or reads, the STOP mention, the kind of sender, dates that name no real day, and
 * Octopush's codes: the v1 codes seen in its bodies (121, 442, 2005) or the legacy return codes its
 * v1 docs still refer to (§4.8: 103 no recipients, 106 bad sender, 107 text missing).
 */
import {
  checkShape,
  collectPlainIssues,
  isCalendarDateTime,
  mergeIssues,
  messageFor,
  type Note,
  plainOptional,
  plainRequestRules,
  plainRule,
  type PlainCheck,
  senderIdPartsUnchecked,
  type SpecCodes,
  type ValidationIssue,
  type VendorCode,
} from '@msgkit/core/internal';
import * as checks from './generated-checks/index';

export const OCTOPUSH_CODES = {
  recipientsMissing: 103,
  senderInvalid: 106,
  textMissing: 107,
  stopMissing: 121,
  voiceLanguage: 442,
  emailInvalid: 2005,
} as const;

const multichannel = checks.sendMultichannel.body!.properties!;
const campaign = checks.sendSmsCampaign.body!.properties!;
/** The channels of /multi-channel/send (spec enum), and those /multi-channel/cancel takes. */
export const CHANNELS = multichannel.channel!.enum as ReadonlyArray<'sms' | 'voice_sms' | 'rcs' | 'email' | 'live_chat'>;
type Channel = (typeof CHANNELS)[number];
/** The SMS routes and purposes of /sms-campaign/send (spec enums), and its recipients per request (spec maxItems). */
export const SMS_TYPES = campaign.type!.enum as ReadonlyArray<'sms_premium' | 'sms_low_cost'>;
export const PURPOSES = campaign.purpose!.enum as ReadonlyArray<'alert' | 'wholesale'>;
export const MAX_RECIPIENTS: number = campaign.recipients!.maxItems!;

/** Octopush's codes for what its spec constrains, by field and keyword. */
export const specCodes: SpecCodes = {
  fields: {
    recipients: {
      required: OCTOPUSH_CODES.recipientsMissing,
      type: OCTOPUSH_CODES.recipientsMissing,
      minItems: { code: 'recipients_empty', vendorCode: OCTOPUSH_CODES.recipientsMissing },
      maxItems: { code: 'recipients_too_many' },
    },
    text: { required: OCTOPUSH_CODES.textMissing, type: OCTOPUSH_CODES.textMissing, minLength: OCTOPUSH_CODES.textMissing },
    sender: { any: OCTOPUSH_CODES.senderInvalid },
    'recipients[].email': { any: OCTOPUSH_CODES.emailInvalid },
    'metadata.emailFrom': { any: OCTOPUSH_CODES.emailInvalid },
    'metadata.voiceLanguage': { any: OCTOPUSH_CODES.voiceLanguage },
    sendAt: { any: { code: 'date_invalid', params: {} } },
    countryCode: { any: { code: 'invalid_country', params: { expected: 'an ISO 3166-1 alpha-2 country code, e.g. FR' } } },
  },
};

/**
 * SEED/DEV: 3–11 of [a-zA-Z0-9], no spaces (legacy 106); an all-digit sender has the same limits.
 * The campaign spec's sender, read in sender terms; a multi-channel send's non-RCS sender must be
 * such a sender too (the spec leaves that field free, for RCS agent names).
 */
const senderLength = [campaign.sender!.minLength!, campaign.sender!.maxLength!] as const;
// A plain rule (no zod schema is built), reported as senderId's schema would.
const sender = plainRule<string>(...senderIdPartsUnchecked({ alpha: senderLength, numeric: senderLength, vendorCode: OCTOPUSH_CODES.senderInvalid }));

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
function nested(path: Path, value: unknown, check: PlainCheck): ValidationIssue[] {
  return collectPlainIssues(value, check).map((i) => ({ ...i, path: [...path, ...i.path] }));
}

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
 * `sendAt`: the spec's pattern holds its forms; this refuses an invalid Date, and a text of those
 * forms that names no real day or hour. A time already past is sent as given: no Octopush source
 * documents a refusal for it (DEV `send-sms/` and RDM show `"2024-12-19T10:00:00-07:00"`, itself
 * past now), and msgkit refuses only what a vendor source documents as refused.
 */
function sendAtChecks(value: unknown): ValidationIssue[] {
  const unreadable = value instanceof Date ? Number.isNaN(value.getTime()) : typeof value === 'string' && SEND_AT.test(value) && !readableSendAt(value);
  return unreadable ? [issue(['sendAt'], 'date_invalid', SEND_AT_FORMS)] : [];
}

const SEND_AT_FORMS = 'must be a Date or an ISO 8601 date-time such as 2030-01-31T09:00:00+01:00 (also +0100 or Z), or 2030-01-31 09:00:00 (Central European time)';
/** The spec's pattern refused the text: say which forms Octopush reads. */
export function sendAtExplanations(value: unknown): ValidationIssue[] {
  return value === undefined ? [] : [issue(['sendAt'], 'date_invalid', SEND_AT_FORMS)];
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
const METADATA_FIELDS: Record<Channel, readonly string[]> = {
  sms: ['type', 'withReplies'],
  voice_sms: ['type', 'voiceGender', 'voiceLanguage', 'getBackPressedKeys'],
  rcs: ['withReplies', 'messageType', 'cards', 'actions'],
  email: ['emailingService', 'emailFrom', 'nameFrom', 'subject', 'templateName', 'bodyFormat', 'language'],
  live_chat: [],
};
const RECIPIENT_FIELDS: Record<Channel, readonly string[]> = {
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

function recipientChecks(channel: Channel, recipients: unknown): ValidationIssue[] {
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
    // Their formats are the spec's (e-mail 2005; conversation_id a UUID of any version, spec DECISION).
    if (channel === 'email') {
      out.push(...required(at('email'), r.email, "for channel 'email'", OCTOPUSH_CODES.emailInvalid));
    } else if (channel === 'live_chat') {
      // SEED: at least one of the three; none resolving is "[recipients] field does not contain any valid recipient."
      if (!given(r.phoneNumber) && !given(r.email) && !given(r.conversationId)) {
        out.push(issue(['recipients', index], 'required', "needs at least one of phoneNumber, email or conversationId for channel 'live_chat'"));
      }
    } else {
      out.push(...required(at('phoneNumber'), r.phoneNumber, `for channel '${channel}'`));
    }
  });
  return out;
}

function metadataChecks(channel: Channel, request: Obj): ValidationIssue[] {
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
      // Which genders and languages exist is the spec's enums (442 for a language).
      out.push(
        ...oneOf(at('type'), m.type, ['voice_sms']),
        ...required(at('voiceGender'), m.voiceGender, why),
        ...required(at('voiceLanguage'), m.voiceLanguage, why, OCTOPUSH_CODES.voiceLanguage),
      );
      break;
    case 'rcs':
      if (m.messageType === 'rich_card' && !(Array.isArray(m.cards) && m.cards.length > 0)) {
        out.push(issue(at('cards'), 'required', "is required when messageType is 'rich_card'"));
      }
      break;
    case 'email':
      out.push(...required(at('emailFrom'), m.emailFrom, why), ...required(at('subject'), m.subject, why));
      break;
    case 'live_chat':
      break;
  }
  return out;
}

function multichannelChecks(request: Obj): ValidationIssue[] {
  const channel = request.channel;
  // Which channels exist is the spec's enum; what each one needs can only be read for a known one.
  if (!CHANNELS.includes(channel as never)) return sendAtChecks(request.sendAt);
  const ch = channel as Channel;
  const m = asObject(request.metadata);
  // SEED: an e-mail may use a template instead of a text; RCS rich cards carry their own content.
  const textOptional = (ch === 'email' && given(m.templateName)) || (ch === 'rcs' && m.messageType === 'rich_card');
  return [
    // An empty text is the spec's minLength (text_empty); here only a missing one.
    ...(textOptional || given(request.text) ? [] : required(['text'], request.text, `for channel '${ch}'`, OCTOPUSH_CODES.textMissing)),
    // SEED: the sender of an RCS message is the agent's name (free text), not an SMS sender ID.
    ...(ch !== 'rcs' && given(request.sender) ? nested(['sender'], request.sender, sender) : []),
    ...sendAtChecks(request.sendAt),
    ...recipientChecks(ch, request.recipients),
    ...metadataChecks(ch, request),
    // No Octopush source gives /multi-channel/send a default purpose: an unset one is not presumed marketing.
    ...(ch === 'sms' ? stopMention(request) : []),
  ];
}

export const multichannelSendRules: PlainCheck[] = [(request) => multichannelChecks(asObject(request))];

// ---- SMS campaign send ----------------------------------------------------------------------

function smsCampaignChecks(request: Obj): ValidationIssue[] {
  return [...sendAtChecks(request.sendAt), ...stopMention(request, SMS_CAMPAIGN_PURPOSE)];
}

export const smsSendRules: PlainCheck[] = [(request) => smsCampaignChecks(asObject(request))];

/** An SMS campaign's issues without the network or its numbers: the spec's, then smsSendRules, with the sender's terms. */
export function smsSendIssues(request: unknown): ValidationIssue[] {
  const shape = checks.sendSmsCampaign.body!;
  return mergeIssues(checkShape(shape, request, specCodes), collectPlainIssues(request, ...smsSendRules), shape, senderExplanations(request));
}

/** The vendor's terms for a campaign sender the spec refused: its length, its characters (106). */
export function senderExplanations(request: unknown): ValidationIssue[] {
  return collectPlainIssues(request, senderRules);
}
// Built once: a send checks its sender with it, and a failover chain does on every batch.
const senderRules = /* @__PURE__ */ plainRequestRules({ sender: plainOptional(sender) });

// ---- cancels and balance --------------------------------------------------------------------

/**
 * RDM: only a draft or a scheduled campaign can be cancelled; live_chat messages never (the spec's
 * enum of cancellable channels leaves it out; this says why). A ticket is required, and named.
 */
export const multichannelCancelRules: PlainCheck[] = [
  (request) => {
    const r = asObject(request);
    const channel = r.channel === 'live_chat' ? [issue(['channel'], 'invalid', 'live_chat messages cannot be cancelled')] : [];
    return [...channel, ...required(['ticketNumber'], r.ticketNumber, '(the sms_ticket or ticket_number of the send)')];
  },
];

export const smsCancelRules: PlainCheck[] = [(request) => required(['ticketNumber'], asObject(request).ticketNumber, '(the sms_ticket of the send)')];

/**
 * DEV check-balance: `country_code` (ISO 3166-1 alpha-2) and `product_name` go together or not at
 * all. Their values, and `with_details` as sent (`true` in DEV, `1` in the PHP client), are the spec's.
 */
export const balanceRules: PlainCheck[] = [
  (request) => {
    const r = asObject(request);
    if (given(r.countryCode) === given(r.productName)) return [];
    const missing = given(r.countryCode) ? 'productName' : 'countryCode';
    return [issue([missing], 'required', 'is required when countryCode or productName is given (both or neither)')];
  },
];
