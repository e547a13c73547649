/**
 * Turns what a caller wrote into what Infobip reads, collecting every problem on the way: phone
 * numbers into international digits without `+` (S0, S1: "41793026727"), Dates into Infobip's
 * `yyyy-MM-dd'T'HH:mm:ss.SSS+0000`, then the limits of rules.ts; one ValidationError lists them
 * all. The caller's objects are never changed; each function returns a new request, built once
 * per logical call so that every attempt sends the same bytes.
 */
import { ValidationError, normalizePhone } from '@msgkit/core';
import { isCalendarDateTime, messageFor, unknownFieldIssues, type IssueCode, type Note, type ValidationIssue } from '@msgkit/core/internal';
import { OmniAdvancedRequestToJSON } from './generated';
import { paramIssues, scenarioIssues, sendAtIssues, sendAtNotes, sendIssues, validityNotes } from './rules';
import type {
  CreateOrUpdateScenarioRequest,
  Destination,
  GetOmniLogsRequest,
  GetOmniReportsRequest,
  ListScenariosRequest,
  OmniAdvancedRequest,
} from './generated';

import type { OmniLogsQuery, OmniReportsQuery, OmniSendRequest, ScenarioInput, ScenarioListQuery } from './types';

export type { OmniLogsQuery, OmniSendRequest, ScenarioInput };

export interface PrepareContext {
  defaultCountry?: string;
  /** Clock for tests. */
  now?: () => number;
}

function throwIfAny(issues: ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2021-05-24T10:45:38.000+0000`: the form Infobip writes itself (S1), in UTC. */
export function formatInfobipDate(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+0000`
  );
}

/** Infobip's own request format (spec InfobipDateTime), offset with or without a colon: sent as given. */
const INFOBIP_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:?\d{2}$/;
/** Other ISO 8601 timestamps with an explicit zone name one instant, so they can be rewritten. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant and its wire form, or an issue. A zoneless time is refused: whose 10:00 would it be? */
function infobipDate(issues: ValidationIssue[], key: string, value: unknown): { text: string; date: Date } | undefined {
  if (value === undefined) return undefined;
  let date: Date | undefined;
  let text: string | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' && (INFOBIP_DATE.test(value) || ISO_WITH_ZONE.test(value)) && isCalendarDateTime(value)) {
    date = new Date(Date.parse(value));
    if (INFOBIP_DATE.test(value)) text = value;
  }
  if (!date || Number.isNaN(date.getTime())) {
    issues.push({ path: [key], code: 'date_invalid', message: `${messageFor('date_invalid')} (use a Date or e.g. 2021-05-24T10:45:38.000+0000)`, vendorCode: 'BAD_REQUEST' });
    return undefined;
  }
  return { text: text ?? formatInfobipDate(date), date };
}

/** International digits without `+`, or undefined with an issue. */
function phoneDigits(issues: ValidationIssue[], path: (string | number)[], input: string, context: PrepareContext): string | undefined {
  const result = normalizePhone(input, context.defaultCountry === undefined ? undefined : { defaultCountry: context.defaultCountry });
  if (result.ok) return result.e164.slice(1);
  const code = `phone_${result.code}` as IssueCode;
  // Infobip takes the request and rejects that message with status 52 REJECTED_DESTINATION.
  issues.push({ path, code, message: messageFor(code), vendorCode: 'REJECTED_DESTINATION' });
  return undefined;
}

/**
 * Legacy content keys of the seed (S0), the old docs (S7) and Infobip's old generated clients
 * (S3-S6) that Infobip's current OMNI spec (S1) no longer has (spec DECISION).
 */
const LEGACY_CHANNELS: Record<string, string> = { facebook: 'Facebook Messenger', parseco: 'Parseco' };

function legacyChannel(path: (string | number)[]): string | undefined {
  const name = path.length === 1 ? LEGACY_CHANNELS[String(path[0])] : undefined;
  return name === undefined
    ? undefined
    : `${name} is a legacy channel of the seed and Infobip's old clients that Infobip's current OMNI spec (S1) no longer has, and no scenario step can use it, so its content could never be sent`;
}

/**
 * Every field of the request reaches the wire, or is named: the generated model drops what it does
 * not know. What ToJSON writes is compared, not a FromJSON of it: every request model's wire names
 * are its property names (no `_default`), and reading the request models back would put their
 * FromJSON readers, used nowhere else, into every app (1.7 kB gzip).
 */
function droppedFields(request: OmniAdvancedRequest): ValidationIssue[] {
  let kept: unknown;
  try {
    kept = OmniAdvancedRequestToJSON(request);
  } catch {
    // A request whose shape the model cannot even read has issues of its own (sendIssues).
    return [];
  }
  return unknownFieldIssues(request, kept, legacyChannel);
}

/** The request as it goes on the wire, and what goes out as given although Infobip takes it differently. */
export function prepareSend(request: OmniSendRequest, context: PrepareContext = {}): { request: OmniAdvancedRequest; notes: Note[] } {
  const issues: ValidationIssue[] = [];
  const destinations = Array.isArray(request?.destinations)
    ? (request.destinations as Destination[]).map((destination, i): Destination => {
        const phone = destination?.to?.phoneNumber;
        if (phone === undefined || phone === null || phone === '') return destination;
        const digits = phoneDigits(issues, ['destinations', i, 'to', 'phoneNumber'], String(phone), context);
        return digits === undefined ? destination : { ...destination, to: { ...destination.to, phoneNumber: digits } };
      })
    : request?.destinations;
  const { sendAt: rawSendAt, ...rest } = request ?? ({} as OmniSendRequest);
  // The literals are the generated enums' own values: the wire form is the same.
  const out = { ...rest, destinations } as OmniAdvancedRequest;
  const sendAt = infobipDate(issues, 'sendAt', rawSendAt);
  if (sendAt) {
    out.sendAt = sendAt.text;
    issues.push(...sendAtIssues(sendAt.date, context.now));
  }
  throwIfAny(sendIssues(out, [...issues, ...droppedFields(out)]));
  return { request: out, notes: [...(sendAt ? sendAtNotes(sendAt.date, context.now?.()) : []), ...validityNotes(out)] };
}

function scenarioBody(issues: ValidationIssue[], request: ScenarioInput): CreateOrUpdateScenarioRequest {
  const { default: plain, ...rest } = request ?? ({} as ScenarioInput);
  if (plain !== undefined && rest._default !== undefined && plain !== rest._default) {
    issues.push({ path: ['default'], code: 'invalid', message: 'disagrees with `_default`; give one of them' });
  }
  const out = { ...rest, _default: rest._default ?? plain } as CreateOrUpdateScenarioRequest;
  issues.push(...scenarioIssues(out));
  return out;
}

export function prepareScenario(request: ScenarioInput): CreateOrUpdateScenarioRequest {
  const issues: ValidationIssue[] = [];
  const out = scenarioBody(issues, request);
  throwIfAny(issues);
  return out;
}

export function prepareScenarioKey(scenarioKey: string): string {
  throwIfAny(paramIssues('getScenario', { scenarioKey }));
  return scenarioKey;
}

/** The key and the body are checked together, so every issue is reported at once. */
export function prepareUpdate(scenarioKey: string, request: ScenarioInput): { scenarioKey: string; createOrUpdateScenarioRequest: CreateOrUpdateScenarioRequest } {
  const issues = paramIssues('updateScenario', { scenarioKey });
  const createOrUpdateScenarioRequest = scenarioBody(issues, request);
  throwIfAny(issues);
  return { scenarioKey, createOrUpdateScenarioRequest };
}

export function prepareList(query: ScenarioListQuery = {}): ListScenariosRequest {
  throwIfAny(paramIssues('listScenarios', query));
  return { ...query };
}

export function prepareReports(query: OmniReportsQuery = {}): GetOmniReportsRequest {
  throwIfAny(paramIssues('getOmniReports', query));
  return { ...query } as GetOmniReportsRequest;
}

/** `to` filters by destination address: a phone number is written the way Infobip stores it. */
export function prepareLogs(query: OmniLogsQuery = {}, context: PrepareContext = {}): GetOmniLogsRequest {
  const issues: ValidationIssue[] = [];
  const { sentSince: since, sentUntil: until, ...rest } = query;
  const out = { ...rest } as GetOmniLogsRequest;
  const sentSince = infobipDate(issues, 'sentSince', since);
  const sentUntil = infobipDate(issues, 'sentUntil', until);
  if (sentSince) out.sentSince = sentSince.text;
  if (sentUntil) out.sentUntil = sentUntil.text;
  if (typeof rest.to === 'string' && /^\+?[\d\s().-]+$/.test(rest.to.trim())) {
    const digits = phoneDigits(issues, ['to'], rest.to, context);
    if (digits !== undefined) out.to = digits;
  }
  throwIfAny([...issues, ...paramIssues('getOmniLogs', out)]);
  return out;
}
