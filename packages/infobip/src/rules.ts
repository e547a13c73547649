/**
 * Infobip OMNI rules beyond its spec, checked before anything is sent. Every length, range, count,
 * enum and pattern of a request is the spec's (src/generated-checks, which the client runs first;
 * specs/infobip.yaml is from S1, Infobip's own OpenAPI 3.210.0, and shared/vendors/infobip.md §5);
 * what is here is what a schema cannot say: which address a destination needs, the Viber and
 * Kakao combinations, validity periods in their units, distinct push subscriptions. Infobip has no
 * numeric error codes: what its schema validation refuses comes back as
 * `400 {messageId: "BAD_REQUEST"}`, so those limits carry vendorCode BAD_REQUEST. Limits it does not
 * answer with a 400 carry the per-message status it answers with instead, or no code.
 */
import {
  callbackUrlPartsUnchecked,
  channelStrategyPartsUnchecked,
  checkShape,
  collectPlainIssues,
  mergeIssues,
  type Note,
  plainOptional,
  plainRequestRules,
  plainRule,
  type PlainCheck,
  scheduleDatePartsUnchecked,
  type ShapeNode,
  type SpecCodes,
  TIME_UNIT_SECONDS,
  type TimeUnit,
  type ValidationIssue,
  validityWithUnitPartsUnchecked,
} from '@msgkit/core/internal';
import * as checks from './generated-checks/index';

const BAD_REQUEST = 'BAD_REQUEST';

/** Keys of the per-channel content objects of a send (case-sensitive on the wire). */
export const CONTENT_KEYS = ['sms', 'viber', 'voice', 'email', 'push', 'whatsApp', 'line', 'vKontakte', 'kakaoChingu', 'kakaoAlim'] as const;

/** S1 `callbackData`: the reference Infobip echoes in every delivery report (spec maxLength). */
export const CALLBACK_DATA_MAX: number = checks.sendOmniAdvanced.body!.properties!.callbackData!.maxLength!;

/** S1 `sendAt`: "must be less than 180 days in the future". */
export const SEND_AT_MAX_DAYS = 180;

const invalid = { any: { code: 'invalid' } };
/** What Infobip's schema validation refuses is a 400 BAD_REQUEST; msgkit's codes where its tests name them. */
export const specCodes: SpecCodes = {
  vendorCode: BAD_REQUEST,
  fields: {
    destinations: { minItems: { code: 'recipients_empty' } },
    'whatsApp.latitude': invalid,
    'whatsApp.longitude': invalid,
    'whatsApp.mediaTemplateData.header.latitude': invalid,
    'whatsApp.mediaTemplateData.header.longitude': invalid,
    'kakaoChingu.buttons': invalid,
    'kakaoAlim.buttons': invalid,
    'viber.fileUrl': { pattern: { code: 'url_invalid' } },
    flow: { type: { code: 'strategy_not_list' }, minItems: { code: 'strategy_too_few_channels' } },
    'flow[].channel': { any: { code: 'strategy_unknown_channel' } },
    limit: invalid,
    page: invalid,
  },
};

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
// Plain rules (no zod schema is built), reported as the factories' schemas would.
const validityOf = (minSeconds: number) =>
  plainRule<Record<string, unknown>>(...validityWithUnitPartsUnchecked({ valueKey: 'validityPeriod', unitKey: 'validityPeriodTimeUnit', defaultUnit: 'minutes', minSeconds, maxSeconds: Number.POSITIVE_INFINITY, exclusiveMin: true, units: UNITS }));
export const VALIDITY = { floorSeconds: 30, capSeconds: 48 * 3600, viberFloorSeconds: 35, viberCapSeconds: 14 * 86_400 } as const;
const validity = validityOf(VALIDITY.floorSeconds);
const viberValidity = validityOf(VALIDITY.viberFloorSeconds);

/** Infobip POSTs delivery reports to `notifyUrl` (a plain string in the spec): an http(s) URL. */
const httpUrl = plainOptional(plainRule<string>(...callbackUrlPartsUnchecked({ vendorCode: BAD_REQUEST })));

// ---- helpers: core's checks applied below a path, or to each item of a list ----

type Loose = Record<string, unknown>;
type Check = (value: unknown) => readonly ValidationIssue[];
const get = (value: unknown, key: string | number): unknown => (value !== null && typeof value === 'object' ? (value as Loose)[key] : undefined);
const issue = (path: (string | number)[], message: string, vendorCode?: string, code = 'invalid'): ValidationIssue =>
  vendorCode === undefined ? { path, code, message } : { path, code, message, vendorCode };

/** Runs `checks` on the value at `path`, when there is one, reporting paths from the request's root. */
function at(path: (string | number)[], ...checks: PlainCheck[]): Check {
  return (request) => {
    const value = path.reduce<unknown>(get, request);
    if (value === undefined) return [];
    return collectPlainIssues(value, ...checks).map((i) => ({ ...i, path: [...path, ...i.path] }));
  };
}

/** Runs `checks` on each item of the list at `path`. */
function each(path: (string | number)[], ...checks: PlainCheck[]): Check {
  return (request) => {
    const list = path.reduce<unknown>(get, request);
    if (!Array.isArray(list)) return [];
    return list.flatMap((_, index) => at([...path, index], ...checks)(request));
  };
}

/** S1 marks both push lists uniqueItems; the spec drops it (a generated Set would serialize as `{}`). */
function unique(key: string): PlainCheck {
  return (value) => {
    const list = get(value, key);
    return Array.isArray(list) && new Set(list).size !== list.length ? [issue([key], 'must not repeat a value', BAD_REQUEST)] : [];
  };
}

// ---- send ----

/** Infobip answers a destination without any address with per-message status 51 MISSING_TO. */
const destinationAddress: PlainCheck = (destination) => {
  const to = get(destination, 'to');
  const has = (key: string) => typeof get(to, key) === 'string' && get(to, key) !== '';
  if (has('phoneNumber') || has('emailAddress') || has('pushRegistrationId') || has('whatsAppUserId')) return [];
  return [issue(['to'], 'needs at least one of phoneNumber, emailAddress, pushRegistrationId or whatsAppUserId', 'MISSING_TO', 'required')];
};

/** S1 ViberData: "text only; image only; file only; text with a button; text with image and button". */
const viberCombination: PlainCheck = (viber) => {
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

const present = (button: unknown, key: string) => {
  const v = get(button, key);
  return v !== undefined && v !== null && v !== '';
};
const needs = (button: unknown, type: string, keys: string[]): ValidationIssue[] =>
  keys.filter((key) => !present(button, key)).map((key) => issue([key], `is required for a ${type} button`, BAD_REQUEST, 'required'));

/** FriendTalk (S1): URL needs `buttonUrl`; APP_LINK `androidScheme` and `iosScheme`; the others only `buttonText`. */
const chinguButtonFields: PlainCheck = (button) => {
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
const alimButtonFields: PlainCheck = (button) => {
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

// No source makes content for some channel required (S1 has no `required` list; what a step needs
// depends on the account's scenario, which Infobip checks), so a send without any is not refused.
const sendChecks: PlainCheck[] = [
  plainRequestRules({ notifyUrl: httpUrl }),
  each(['destinations'], destinationAddress),
  ...(['sms', 'voice', 'email', 'whatsApp', 'line', 'vKontakte'] as const).map((key) => at([key], validity)),
  at(['push'], validity, unique('personSubscriptions'), unique('deviceSubscriptions')),
  at(['viber'], viberValidity, viberCombination),
  at(['kakaoChingu'], validity, each(['buttons'], chinguButtonFields)),
  at(['kakaoAlim'], validity, each(['buttons'], alimButtonFields)),
];

/** Every issue of a send whose phone numbers and dates prepare.ts has already normalized, with its own `found`. */
export function sendIssues(request: unknown, found: readonly ValidationIssue[] = []): ValidationIssue[] {
  return specIssues(checks.sendOmniAdvanced.body!, request, [...found, ...collectPlainIssues(request, ...sendChecks)]);
}

/**
 * `sendAt` schedules the first step; S1: "must be less than 180 days in the future". No source
 * refuses one in the past (the seed's own example is 2016-04-26): it is sent as given, with a note.
 */
export function sendAtIssues(sendAt: Date, now?: () => number): ValidationIssue[] {
  return [...at(['sendAt'], plainRule<string | Date>(...scheduleDatePartsUnchecked({ maxAheadDays: SEND_AT_MAX_DAYS, allowPast: true, vendorCode: BAD_REQUEST, ...(now && { now }) })))({ sendAt })];
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
 * S1 CreateOrUpdateScenarioRequest: its `flow` (length and channels the spec's) said in channel
 * terms. Nothing documents whether a channel may appear twice in a flow, so that is left to Infobip.
 */
/**
 * The channels a scenario step may name: the spec's OmniChannel enum, read from the checks a
 * scenario body already brings (the generated OmniChannel enum object would add its own copy).
 */
function scenarioChannels(): string[] {
  const channel = checks.createScenario.body!.properties!.flow!.items!.properties!.channel!;
  return channel.enum as string[];
}

const scenarioChecks: PlainCheck[] = [
  plainRequestRules({ flow: plainOptional(plainRule(...channelStrategyPartsUnchecked({ channels: scenarioChannels(), unique: false, vendorCode: BAD_REQUEST }))) }),
];

/** The spec's issues of what will be sent (src/generated-checks), merged with the rules' `issues`. */
function specIssues(shape: ShapeNode, wire: unknown, issues: readonly ValidationIssue[]): ValidationIssue[] {
  return mergeIssues(checkShape(shape, wire, specCodes), issues, shape);
}

/** A scenario body's issues: the spec's, then scenarioChecks. */
export function scenarioIssues(request: unknown): ValidationIssue[] {
  return specIssues(checks.createScenario.body!, request, collectPlainIssues(request, ...scenarioChecks));
}

/**
 * The operations whose parameters paramIssues checks, each read by name: a namespace read by a
 * computed key (`checks[operation]`) makes a bundler build the namespace object, with a helper, in
 * every app.
 */
const paramChecks = {
  getScenario: checks.getScenario,
  updateScenario: checks.updateScenario,
  listScenarios: checks.listScenarios,
  getOmniReports: checks.getOmniReports,
  getOmniLogs: checks.getOmniLogs,
};

/** The spec's issues of an operation's query or path parameters (S1 ScenarioKey; S1/S10/S11 limits and enums). */
export function paramIssues(operation: 'getScenario' | 'updateScenario' | 'listScenarios' | 'getOmniReports' | 'getOmniLogs', params: unknown): ValidationIssue[] {
  return checkShape(paramChecks[operation].params!, params, specCodes);
}

