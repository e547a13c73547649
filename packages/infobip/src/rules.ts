/**
 * Infobip OMNI limits, checked before anything is sent, built from core's rule factories.
 * Sources: specs/infobip.yaml (from S1, Infobip's own OpenAPI 3.210.0) and shared/vendors/infobip.md
 * §5. Infobip has no numeric error codes: what its schema validation refuses comes back as
 * `400 {messageId: "BAD_REQUEST"}`, so those limits carry vendorCode BAD_REQUEST. Limits it does not
 * answer with a 400 carry the per-message status it answers with instead, or no code.
 */
import {
  callbackUrl,
  channelStrategy,
  collectIssues,
  maxRecipients,
  messageText,
  optional,
  type Note,
  type RequestCheck,
  requestRules,
  scheduleDate,
  TIME_UNIT_SECONDS,
  type TimeUnit,
  type ValidationIssue,
  validityWithUnit,
} from '@msgkit/core/internal';

const BAD_REQUEST = 'BAD_REQUEST';

export const CHANNELS = ['SMS', 'EMAIL', 'VOICE', 'PUSH', 'VIBER', 'LINE', 'VKONTAKTE', 'KAKAO_CHINGU', 'KAKAO_ALIM', 'WHATSAPP'] as const;
export const GENERAL_STATUSES = ['ACCEPTED', 'PENDING', 'UNDELIVERABLE', 'DELIVERED', 'EXPIRED', 'REJECTED'] as const;
/** Keys of the per-channel content objects of a send (case-sensitive on the wire). */
export const CONTENT_KEYS = ['sms', 'viber', 'voice', 'email', 'push', 'whatsApp', 'line', 'vKontakte', 'kakaoChingu', 'kakaoAlim'] as const;

/** S1 `callbackData` maxLength. */
export const CALLBACK_DATA_MAX = 4000;
/** S1 `sendAt`: "must be less than 180 days in the future". */
export const SEND_AT_MAX_DAYS = 180;
/** S1/S10/S11: reports and logs `limit` maximum. */
export const REPORTS_LIMIT_MAX = 1000;

/**
 * validityPeriod, S1/S7: "must be over 30 seconds" (Viber: over 35 s), and "longer than 48h is not
 * supported (in this case, it will be automatically set to 48h)" (S0, S1, S7; Viber: 14 days).
 *
 * A period over the cap is sent as given, with a note (validityNotes): Infobip documents that it
 * takes the request and cuts the period, so msgkit has no source to refuse it on, and changing the
 * value itself would hide from the caller when the next failover step really starts (spec
 * DECISION). NANOSECONDS and MICROSECONDS, which S1 allows, are refused as units: an int32 of
 * either never reaches the 30-second floor.
 */
const UNITS = ['milliseconds', 'seconds', 'minutes', 'hours', 'days'] as const;
const validityOf = (minSeconds: number) =>
  validityWithUnit({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', minSeconds, maxSeconds: Number.POSITIVE_INFINITY, exclusiveMin: true, units: UNITS });
export const VALIDITY = { floorSeconds: 30, capSeconds: 48 * 3600, viberFloorSeconds: 35, viberCapSeconds: 14 * 86_400 } as const;
const validity = validityOf(VALIDITY.floorSeconds);
const viberValidity = validityOf(VALIDITY.viberFloorSeconds);

/** A string field of at most `max` (and at least `min`) characters, when present. */
const text = (max?: number, min = 0) => optional(messageText({ minLength: min, ...(max !== undefined && { maxLength: max }), vendorCode: BAD_REQUEST }));
const httpUrl = optional(callbackUrl({ vendorCode: BAD_REQUEST }));

// ---- helpers: core's checks applied below a path, or to each item of a list ----

type Loose = Record<string, unknown>;
type Check = (value: unknown) => readonly ValidationIssue[];
const get = (value: unknown, key: string | number): unknown => (value !== null && typeof value === 'object' ? (value as Loose)[key] : undefined);
const issue = (path: (string | number)[], message: string, vendorCode?: string, code = 'invalid'): ValidationIssue =>
  vendorCode === undefined ? { path, code, message } : { path, code, message, vendorCode };

/** Runs `checks` on the value at `path`, when there is one, reporting paths from the request's root. */
function at(path: (string | number)[], ...checks: RequestCheck[]): Check {
  return (request) => {
    const value = path.reduce<unknown>(get, request);
    if (value === undefined) return [];
    return collectIssues(value, ...checks).map((i) => ({ ...i, path: [...path, ...i.path] }));
  };
}

/** Runs `checks` on each item of the list at `path`. */
function each(path: (string | number)[], ...checks: RequestCheck[]): Check {
  return (request) => {
    const list = path.reduce<unknown>(get, request);
    if (!Array.isArray(list)) return [];
    return list.flatMap((_, index) => at([...path, index], ...checks)(request));
  };
}

function range(key: string, min: number, max: number): RequestCheck {
  return (value) => {
    const n = get(value, key);
    if (n === undefined || n === null) return [];
    return typeof n === 'number' && n >= min && n <= max ? [] : [issue([key], `must be a number from ${min} to ${max}`, BAD_REQUEST)];
  };
}

function oneOf(key: string, allowed: readonly string[]): RequestCheck {
  return (value) => {
    const v = get(value, key);
    return v === undefined || allowed.includes(v as string) ? [] : [issue([key], `must be one of ${allowed.join(', ')}`, BAD_REQUEST)];
  };
}

function count(key: string, min: number, max: number): RequestCheck {
  return (value) => {
    const list = get(value, key);
    if (list === undefined) return [];
    return Array.isArray(list) && list.length >= min && list.length <= max ? [] : [issue([key], `must have ${min} to ${max} items`, BAD_REQUEST)];
  };
}

/** S1 marks both push lists uniqueItems; the spec drops it (a generated Set would serialize as `{}`). */
function unique(key: string): RequestCheck {
  return (value) => {
    const list = get(value, key);
    return Array.isArray(list) && new Set(list).size !== list.length ? [issue([key], 'must not repeat a value', BAD_REQUEST)] : [];
  };
}

function wholeNumber(key: string, min: number, max: number): RequestCheck {
  return (value) => {
    const n = get(value, key);
    if (n === undefined) return [];
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? [] : [issue([key], `must be a whole number from ${min} to ${max}`, BAD_REQUEST)];
  };
}

// ---- send ----

/** Infobip answers a destination without any address with per-message status 51 MISSING_TO. */
const destinationAddress: RequestCheck = (destination) => {
  const to = get(destination, 'to');
  const has = (key: string) => typeof get(to, key) === 'string' && get(to, key) !== '';
  if (has('phoneNumber') || has('emailAddress') || has('pushRegistrationId') || has('whatsAppUserId')) return [];
  return [issue(['to'], 'needs at least one of phoneNumber, emailAddress, pushRegistrationId or whatsAppUserId', 'MISSING_TO', 'required')];
};

/** S1 ViberData: "text only; image only; file only; text with a button; text with image and button". */
const viberCombination: RequestCheck = (viber) => {
  const has = (key: string) => get(viber, key) !== undefined && get(viber, key) !== null && get(viber, key) !== '';
  const [txt, image, file] = [has('text'), has('imageURL'), has('fileUrl') || has('fileName') || has('fileType')];
  const button = has('buttonText') || has('buttonURL');
  const out: ValidationIssue[] = [];
  if (button && !(has('buttonText') && has('buttonURL'))) out.push(issue([], 'a button needs both buttonText and buttonURL'));
  if (file && !(has('fileUrl') && has('fileName') && has('fileType'))) out.push(issue([], 'a file needs fileUrl, fileName and fileType'));
  if (file && (txt || image || button)) out.push(issue([], 'a file is sent alone, without text, image or button'));
  else if (button && !txt) out.push(issue([], 'a button needs text'));
  else if (image && txt && !button) out.push(issue([], 'text with an image also needs a button'));
  else if (!txt && !image && !file) out.push(issue([], 'needs text, imageURL or a file'));
  return out;
};

const kakaoButton = (extra: boolean) =>
  requestRules({
    type: messageText({ vendorCode: BAD_REQUEST }),
    buttonText: messageText({ minLength: 1, maxLength: 28, vendorCode: BAD_REQUEST }),
    buttonUrl: text(500, 1),
    buttonUrlMobile: text(500, 1),
    buttonUrlPc: text(500, 1),
    androidScheme: text(500, 1),
    iosScheme: text(500, 1),
    ...(extra && { chatExtra: text(50), chatEvent: text(50) }),
  });

/**
 * The fields each Kakao button `type` needs, as S1 documents them (specs/infobip.yaml
 * KakaoChinguButton / KakaoAlimButton); a button without them is a 400 BAD_REQUEST.
 */
export const KAKAO_CHINGU_BUTTON_TYPES = ['URL', 'APP_LINK', 'BOT_KEYWORD', 'MESSAGE_DELIVERY'] as const;
export const KAKAO_ALIM_BUTTON_TYPES = ['URL', 'APP_LINK', 'DELIVERY_TRACKING', 'CHATBOT_SWITCH', 'MESSAGE_DELIVERY', 'BOT_KEYWORD', 'ADD_CHANNEL'] as const;

const present = (button: unknown, key: string) => {
  const v = get(button, key);
  return v !== undefined && v !== null && v !== '';
};
const needs = (button: unknown, type: string, keys: string[]): ValidationIssue[] =>
  keys.filter((key) => !present(button, key)).map((key) => issue([key], `is required for a ${type} button`, BAD_REQUEST, 'required'));

/** FriendTalk (S1): URL needs `buttonUrl`; APP_LINK `androidScheme` and `iosScheme`; the others only `buttonText`. */
const chinguButtonFields: RequestCheck = (button) => {
  const type = get(button, 'type');
  if (type === 'URL') return needs(button, type, ['buttonUrl']);
  if (type === 'APP_LINK') return needs(button, type, ['androidScheme', 'iosScheme']);
  return [];
};

/**
 * AlimTalk (S1): URL needs `buttonUrlMobile` or the deprecated `buttonUrl`, never both; APP_LINK two
 * of `androidScheme`, `iosScheme`, `buttonUrlMobile`; CHATBOT_SWITCH `chatEvent` and `chatExtra`;
 * the others only `buttonText`.
 */
const alimButtonFields: RequestCheck = (button) => {
  const type = get(button, 'type');
  if (type === 'URL') {
    if (present(button, 'buttonUrlMobile') && present(button, 'buttonUrl')) return [issue(['buttonUrl'], 'is deprecated and must not be given with buttonUrlMobile', BAD_REQUEST)];
    return present(button, 'buttonUrlMobile') || present(button, 'buttonUrl') ? [] : needs(button, type, ['buttonUrlMobile']);
  }
  if (type === 'APP_LINK') {
    const given = ['androidScheme', 'iosScheme', 'buttonUrlMobile'].filter((key) => present(button, key));
    return given.length >= 2 ? [] : [issue([], 'an APP_LINK button needs two of androidScheme, iosScheme and buttonUrlMobile', BAD_REQUEST, 'required')];
  }
  if (type === 'CHATBOT_SWITCH') return needs(button, type, ['chatEvent', 'chatExtra']);
  return [];
};

const sendChecks: RequestCheck[] = [
  // No maximum is documented for destinations (shared/vendors/infobip.md §5), so none is invented.
  requestRules({
    destinations: maxRecipients({ max: Number.POSITIVE_INFINITY, vendorCode: BAD_REQUEST }),
    callbackData: text(CALLBACK_DATA_MAX),
    notifyUrl: httpUrl,
  }),
  each(['destinations'], destinationAddress, at(['to'], requestRules({ whatsAppUserId: text(150) }))),
  // No source makes content for some channel required (S1 has no `required` list; what a step needs
  // depends on the account's scenario, which Infobip checks), so a send without any is not refused.
  at(['sms'], validity, requestRules({ text: text(undefined, 1) }), at(['regional', 'korea'], requestRules({ title: text(66) })), at(['regional', 'indiaDlt'], requestRules({ principalEntityId: messageText({ vendorCode: BAD_REQUEST }) }))),
  at(['voice'], validity, requestRules({ text: text(undefined, 1) })),
  at(['email'], validity, requestRules({ text: text(undefined, 1) })),
  at(['push'], validity, requestRules({ text: text(2000, 1) }), unique('personSubscriptions'), unique('deviceSubscriptions')),
  at(
    ['viber'],
    viberValidity,
    requestRules({ imageURL: text(1000), buttonURL: text(1000), buttonText: text(30), fileName: text(25), trackingData: text(100), fileUrl: httpUrl }),
    viberCombination,
  ),
  at(
    ['whatsApp'],
    validity,
    requestRules({ fileUrl: text(2048), imageUrl: text(2048), audioUrl: text(2048), videoUrl: text(2048), locationName: text(1000), address: text(1000) }),
    range('latitude', -90, 90),
    range('longitude', -180, 180),
    at(['mediaTemplateData', 'header'], range('latitude', -90, 90), range('longitude', -180, 180)),
    each(['mediaTemplateData', 'buttons'], requestRules({ urlPlaceholder: text(1500), quickReplyPayload: text(128) })),
  ),
  at(['line'], validity, requestRules({ url: text(1000), thumbnailUrl: text(1000), altText: text(400) })),
  at(['vKontakte'], validity),
  at(
    ['kakaoChingu'],
    validity,
    requestRules({ text: messageText({ vendorCode: BAD_REQUEST }), imageUrl: text(250, 1), imageLink: text(250, 1) }),
    count('buttons', 1, 5),
    each(['buttons'], kakaoButton(false), oneOf('type', KAKAO_CHINGU_BUTTON_TYPES), chinguButtonFields),
  ),
  at(
    ['kakaoAlim'],
    validity,
    requestRules({ text: text(1000, 1), templateCode: text(30, 1), title: text(50) }),
    count('buttons', 1, 5),
    each(['buttons'], kakaoButton(true), oneOf('type', KAKAO_ALIM_BUTTON_TYPES), alimButtonFields),
  ),
];

/** Every issue of a send whose phone numbers and dates prepare.ts has already normalized. */
export function sendIssues(request: unknown): ValidationIssue[] {
  return collectIssues(request, ...sendChecks);
}

/**
 * `sendAt` schedules the first step; S1: "must be less than 180 days in the future". No source
 * refuses one in the past (the seed's own example is 2016-04-26): it is sent as given, with a note.
 */
export function sendAtIssues(sendAt: Date, now?: () => number): ValidationIssue[] {
  return [...at(['sendAt'], scheduleDate({ maxAheadDays: SEND_AT_MAX_DAYS, allowPast: true, vendorCode: BAD_REQUEST, ...(now && { now }) }))({ sendAt })];
}

export function sendAtNotes(sendAt: Date, now = Date.now()): Note[] {
  if (sendAt.getTime() >= now) return [];
  return [{ path: ['sendAt'], code: 'date_in_past', message: 'is in the past: sent as given, since no Infobip source refuses one (the seed\'s own example is from 2016) or says when the first step then goes out' }];
}

/** What `validityPeriodTimeUnit` a channel object uses, in seconds per unit; undefined when unknown. */
function secondsPerUnit(content: unknown): number | undefined {
  const unit = get(content, 'validityPeriodTimeUnit') ?? 'MINUTES';
  return typeof unit === 'string' ? TIME_UNIT_SECONDS[unit.toLowerCase() as TimeUnit] : undefined;
}

/**
 * A validityPeriod over Infobip's cap goes out as given: "longer than 48h is not supported (in
 * this case, it will be automatically set to 48h)" (S0, S1, S7; Viber: 14 days in S1).
 */
export function validityNotes(request: unknown): Note[] {
  return CONTENT_KEYS.flatMap((key) => {
    const content = get(request, key);
    const amount = get(content, 'validityPeriod');
    const perUnit = secondsPerUnit(content);
    if (typeof amount !== 'number' || perUnit === undefined) return [];
    const cap = key === 'viber' ? { seconds: VALIDITY.viberCapSeconds, text: '14 days' } : { seconds: VALIDITY.capSeconds, text: '48 hours' };
    if (amount * perUnit <= cap.seconds) return [];
    return [{ path: [key, 'validityPeriod'], code: 'validity_capped', message: `is over ${cap.text}: sent as given, and Infobip documents that it sets a longer period to ${cap.text}, so the next failover step starts after ${cap.text}` }];
  });
}

// ---- scenarios, reports, logs ----

/**
 * S1 CreateOrUpdateScenarioRequest: `flow` required, at least one step, each with a known channel.
 * Nothing documents whether a channel may appear twice in a flow, so that is left to Infobip.
 */
const scenarioChecks: RequestCheck[] = [
  requestRules({ name: text(), flow: channelStrategy({ channels: CHANNELS, minChannels: 1, unique: false, vendorCode: BAD_REQUEST }) }),
  each(['flow'], requestRules({ from: text() })),
];

export function scenarioIssues(request: unknown): ValidationIssue[] {
  return collectIssues(request, ...scenarioChecks);
}

/** S1 ScenarioKey path parameter: a non-empty string. */
export function scenarioKeyIssues(scenarioKey: unknown): ValidationIssue[] {
  return collectIssues({ scenarioKey }, requestRules({ scenarioKey: messageText({ vendorCode: BAD_REQUEST }) }));
}

const INT32_MAX = 2_147_483_647;

/** S1 listScenarios: `limit` and `page` are int32 ≥ 0. */
export function listIssues(query: unknown): ValidationIssue[] {
  return collectIssues(query, wholeNumber('limit', 0, INT32_MAX), wholeNumber('page', 0, INT32_MAX));
}

/** S1/S10/S11: reports and logs `limit` up to 1000; channel and status from their enums. */
export function reportQueryIssues(query: unknown): ValidationIssue[] {
  return collectIssues(query, wholeNumber('limit', 0, REPORTS_LIMIT_MAX), oneOf('channel', CHANNELS), oneOf('generalStatus', GENERAL_STATUSES));
}

