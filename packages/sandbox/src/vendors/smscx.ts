import { countSegments } from '@msgkit/core';
import { smscxSpec } from '../generated/specs';
import type { SandboxState } from '../state';
import type { Reply, SandboxMessage } from '../types';
import { goodCredential, header, issuesOf, schemeCredential, type Issue, type OpContext, type VendorModule } from '../vendor';
import { deliverReports, type VendorReporter } from '../reports';
import { checkPhone, dispatch, isDue, newMessage, round, uuid } from './common';

const ERRORS_URI = 'https://sms.cx/sms-api-documentation/#section/Errors';
/** EUR per SMS part by destination country; anything else costs DEFAULT_PRICE. */
const SMS_PRICES: Record<string, number> = { NL: 0.074, GB: 0.068, DE: 0.071, FR: 0.072, BE: 0.075, ES: 0.065, IT: 0.07, US: 0.012, RO: 0.045 };
const DEFAULT_PRICE = 0.06;
const MULTICHANNEL_PRICE = 0.05;
const MAX_RECIPIENTS = 25_000;
const DLR_BATCH = 200; // DlrUpdateCallback.data maxItems
const START_BALANCE = 100_000;

/** Contact groups the sandbox account has, for the campaign endpoints. */
export const SMSCX_GROUPS: ReadonlyArray<{ id: number; name: string; phoneNumbers: readonly string[] }> = [
  { id: 1, name: 'Customers NL', phoneNumbers: ['+31612345678', '+31612345679', '+31612345680'] },
  { id: 2, name: 'Customers DE', phoneNumbers: ['+4915112345678', '+4915112345679'] },
  { id: 3, name: 'Customers GB', phoneNumbers: ['+447400123456', '+447400123457', '+31612345678'] },
  { id: 4, name: 'Empty group', phoneNumbers: [] },
];

type ErrorType = 'invalid_param' | 'invalid_request' | 'insufficient_credit' | 'access_denied' | 'not_found' | 'invalid_api_key' | 'no_coverage';

function fail(status: number, type: ErrorType, code: number, message: string, extra?: Record<string, unknown>): Reply {
  return { status, body: { error: { type, code, message, uri: ERRORS_URI }, ...extra }, headers: { 'x-request-id': uuid() } };
}
const badParam = (code: number, message: string, extra?: Record<string, unknown>): Reply => fail(400, 'invalid_param', code, message, extra);

const MESSAGES: Record<number, string> = {
  1101: 'The parameter `groups` is empty or not set',
  1103: 'The phone numbers array is too big (max. allowed: 25000 numbers)',
  1104: 'The parameter `to` is empty or not set',
  1105: 'The parameter `from` is empty or not set',
  1106: 'The parameter `from` is not valid',
  1107: 'The parameter `text` is empty or not set',
  1108: 'The parameter `scheduledDate` is not a valid date',
  1109: 'The parameter `dlrCallbackUrl` is not a valid URL',
  1110: 'Invalid alphabet',
  1111: 'Idempotency Id provided is not a valid UUID (v1-v5)',
  1115: 'Message ID provided is not valid',
  1116: 'The scheduled date is in the past',
  1120: 'The parameter `strategy` is empty or not set',
  1121: 'The parameter `strategy` must have at least two channels',
  1122: 'The parameter `strategy` must have channel `sms` as last element',
  1123: 'The parameter `channel` is not valid. Allowed values: viber, whatsapp, sms',
  1124: 'The parameter `ttl` is not a number',
  1125: 'Min value for `ttl` is 300 seconds',
  1126: 'The parameter `templateId` is not set',
  1127: 'The parameter `templateId` is not valid',
  1129: 'The parameter `strategy` contains duplicate channels',
  1134: 'Max value for `ttl` is 1209600 seconds (14 days)',
  1135: "The parameter 'transliteration' should be an object",
  1140: 'Group ID is not a valid group',
  1155: 'Campaign ID provided is not valid',
  1165: 'Campaign ID or msg ID provided is not valid',
  1207: 'The phone number provided is not valid',
  1210: 'The phone numbers provided are invalid',
  1503: 'The parameter `removeEmojis` is not boolean (true or false)',
};

/** The vendor code for one schema violation (the codes the vendor documents per field). */
function codeFor(issue: Issue, operationId: string): number | undefined {
  const [field, second, third] = issue.path;
  const k = issue.keyword;
  if (issue.in === 'path') return operationId === 'getSingleReport' ? 1165 : field === 'campaignId' ? 1155 : 1115;
  switch (field) {
    case 'to':
      return k === 'maxItems' ? 1103 : second !== undefined ? 1207 : 1104;
    case 'from':
      return k === 'required' ? 1105 : 1106;
    case 'text':
      return 1107;
    case 'scheduledDate':
    case 'isUtc':
      return 1108;
    case 'dlrCallbackUrl':
      return 1109;
    case 'idempotencyId':
      return 1111;
    case 'groups':
      return second !== undefined ? 1140 : 1101;
    case 'transliteration':
      return second === 'removeEmojis' ? 1503 : second === 'alphabet' || k === 'required' ? 1110 : 1135;
    case 'ttl':
      return k === 'minimum' ? 1125 : k === 'maximum' ? 1134 : 1124;
    case 'strategy':
      if (second === undefined) return k === 'required' ? 1120 : k === 'maxItems' ? 1129 : 1121;
      return third === 'channel' ? 1123 : third === 'templateId' ? 1127 : third === 'text' ? 1107 : 1123;
    default:
      return undefined;
  }
}

interface Account extends Record<string, unknown> {
  balance: number;
}
const account = (state: SandboxState): Account => state.data<Account>('smscx', () => ({ balance: START_BALANCE }));

/** `YYYY-MM-DD HH:MM:SS` (UTC) or ISO 8601. Destination-local time (`isUtc: false`) is taken as UTC. */
function parseScheduled(value: string): Date | undefined {
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : `${iso}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject dates JS rolls over (2030-02-31 → March).
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y!, m! - 1, d!));
  return check.getUTCMonth() === m! - 1 && check.getUTCDate() === d ? date : undefined;
}

const isoSeconds = (d: Date): string => d.toISOString().slice(0, 19) + '+00:00';
const dlrDate = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

// statusCode values are undocumented (vendor: "Numeric value of the delivery report"); these are the sandbox's own.
const STATUS_CODES: Record<string, number> = { SCHEDULED: 0, ACCEPTED: 1, SENT: 2, DELIVERED: 3, FAILED: 4 };

/** SMS.CX reports: up to 200 DataDlrUpdate per `dlr_update` POST. */
const REPORTER: VendorReporter = {
  vendor: 'smscx',
  perPost: DLR_BATCH,
  lifecycle: (_m, failed) => ({ intermediate: ['ACCEPTED', 'SENT'], final: failed ? 'FAILED' : 'DELIVERED' }),
  settle: (m, final, at) => {
    m.status = final;
    m.extra['updatedAt'] = at;
  },
  item: (m, status, at) => ({
    campaignId: m.groupId,
    msgId: m.id,
    trackData: m.extra['trackData'],
    statusCode: STATUS_CODES[status] ?? 2,
    status,
    // Non-null means "could not be delivered"; the vendor documents no values.
    errorCode: status === 'FAILED' ? 1 : null,
    datetime: dlrDate(at),
  }),
  body: (items) => ({ event: 'dlr_update', data: items }),
};

interface Recipient {
  to: string;
  country: string;
}

interface Plan {
  kind: 'sms' | 'multichannel';
  campaign: boolean;
  recipients: Recipient[];
  invalid: string[];
  duplicatesRemoved: number;
  groups?: Array<{ id: number; name: string; phoneNumbers: number }>;
  text: string;
  firstChannel: string;
  scheduledAt?: Date;
}

/** Everything a send and its estimate share: recipients, schedule, strategy rules. Returns a Reply on a business error. */
function plan(ctx: OpContext, kind: 'sms' | 'multichannel', campaign: boolean): Plan | Reply {
  const b = ctx.body;
  let scheduledAt: Date | undefined;
  if (b.scheduledDate !== undefined) {
    scheduledAt = parseScheduled(b.scheduledDate);
    if (!scheduledAt) return badParam(1108, MESSAGES[1108]!);
    if (scheduledAt.getTime() < ctx.now.getTime()) return badParam(1116, MESSAGES[1116]!);
  }
  let text: string = b.text ?? '';
  let firstChannel = 'sms';
  if (kind === 'multichannel') {
    const strategy: Array<{ channel: string; templateId?: number; text?: string }> = b.strategy;
    const channels = strategy.map((s) => s.channel);
    if (new Set(channels).size !== channels.length) return badParam(1129, MESSAGES[1129]!);
    if (channels[channels.length - 1] !== 'sms') return badParam(1122, MESSAGES[1122]!);
    for (const step of strategy) {
      if (step.channel !== 'sms' && step.templateId === undefined) return badParam(1126, MESSAGES[1126]!);
      if (step.channel !== 'sms' && step.templateId! <= 0) return badParam(1127, MESSAGES[1127]!);
      if (step.channel === 'sms' && !step.text) return badParam(1107, MESSAGES[1107]!);
    }
    text = strategy[strategy.length - 1]!.text!;
    firstChannel = channels[0]!;
  }

  const recipients: Recipient[] = [];
  const invalid: string[] = [];
  let duplicatesRemoved = 0;
  let groups: Plan['groups'];
  if (campaign) {
    groups = [];
    const seen = new Set<string>();
    for (const id of b.groups as number[]) {
      const group = SMSCX_GROUPS.find((g) => g.id === id);
      if (!group) return badParam(1140, MESSAGES[1140]!);
      if (group.phoneNumbers.length === 0) return badParam(1102, 'The group provided has no contacts');
      groups.push({ id: group.id, name: group.name, phoneNumbers: group.phoneNumbers.length });
      for (const n of group.phoneNumbers) {
        if (seen.has(n)) duplicatesRemoved++;
        else {
          seen.add(n);
          const checked = checkPhone(n);
          recipients.push({ to: n, country: checked.ok ? checked.country : 'XX' });
        }
      }
    }
    if (recipients.length > MAX_RECIPIENTS) return badParam(1103, MESSAGES[1103]!);
  } else {
    for (const input of b.to as string[]) {
      const result = checkPhone(input, b.countryIso);
      if (result.ok) recipients.push({ to: result.e164, country: result.country });
      else invalid.push(input);
    }
    if (invalid.length > 0 && (!b.allowInvalid || recipients.length === 0)) {
      const code = b.to.length === 1 ? 1207 : 1210;
      return badParam(code, MESSAGES[code]!, { invalid });
    }
  }
  return { kind, campaign, recipients, invalid, duplicatesRemoved, groups, text, firstChannel, scheduledAt };
}

const UUID_V1_TO_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * SMS.CX (PY SDK model docstrings): "If the value is not a valid UUID (v1-v5) the API will not
 * return an error but will discard this parameter". The spec lets any lowercase UUID through.
 */
function keptTrackData(value: unknown): string | undefined {
  return typeof value === 'string' && UUID_V1_TO_V5.test(value) ? value : undefined;
}

/** Builds the answer of a send or an estimate; with `commit`, also stores, records and dispatches the messages. */
function answer(ctx: OpContext, p: Plan, commit: boolean): Reply {
  const b = ctx.body;
  const segments = countSegments(p.text);
  const parts = p.kind === 'multichannel' ? 1 : Math.max(1, segments.segments);
  const campaignId = uuid();
  const callbackUrl: string | undefined = b.dlrCallbackUrl ?? ctx.state.webhook('smscx');
  const createdAt = isoSeconds(ctx.now);
  const scheduledAt = p.scheduledAt ? isoSeconds(p.scheduledAt) : undefined;
  const status = p.scheduledAt ? 'SCHEDULED' : 'ACCEPTED';
  const statusCode = p.scheduledAt ? 0 : 1;
  const textAnalysis = { length: p.text.length, unicode: segments.encoding === 'UCS-2', parts };
  const trackData = keptTrackData(b.trackData);
  const byCountry: Record<string, number> = {};
  const data: Array<Record<string, unknown>> = [];
  const planned: Array<Parameters<typeof newMessage>[1]> = [];
  let totalCost = 0;
  for (const r of p.recipients) {
    const cost = p.kind === 'multichannel' ? MULTICHANNEL_PRICE : round((SMS_PRICES[r.country] ?? DEFAULT_PRICE) * parts);
    totalCost += cost;
    byCountry[r.country] = (byCountry[r.country] ?? 0) + 1;
    const msgId = uuid();
    if (!b.shortResponse) {
      data.push({
        msgId,
        ...(p.kind === 'multichannel' ? { channel: p.firstChannel } : {}),
        status,
        statusCode,
        errorCode: null,
        createdAt,
        ...(scheduledAt ? { scheduledAt } : {}),
        inQuietHours: false,
        cost,
        to: r.to,
        countryIso: r.country,
        from: b.from,
        ...(b.noTextDetails ? {} : { text: p.text, parts, ...(p.kind === 'sms' ? { textAnalysis } : {}) }),
        ...(b.noTextDetails ? { parts } : {}),
        ...(trackData !== undefined ? { trackData } : {}),
      });
    }
    if (commit) {
      planned.push({
        id: msgId,
        groupId: campaignId,
        to: r.to,
        from: b.from,
        text: p.text,
        channel: p.kind === 'multichannel' ? p.firstChannel : 'sms',
        status,
        parts,
        cost,
        scheduledAt: p.scheduledAt,
        callbackUrl,
        extra: { kind: p.kind, trackData: trackData ?? null, campaign: p.campaign, country: r.country },
      });
    }
  }
  totalCost = round(totalCost);
  const info: Record<string, unknown> = {
    campaignId,
    totalPhoneNumbers: p.recipients.length + p.invalid.length + p.duplicatesRemoved,
    totalValid: p.recipients.length,
    totalInvalid: p.invalid.length,
    totalCost,
    totalParts: parts * p.recipients.length,
    ...(p.campaign ? { duplicatesRemoved: p.duplicatesRemoved } : {}),
    dlrCallbackUrl: b.dlrCallbackUrl ?? null,
    phoneNumbersByCountry: byCountry,
    ...(p.groups ? { groups: p.groups } : {}),
    scheduled: p.scheduledAt !== undefined,
    totalInQuietHours: 0,
    ...(p.invalid.length > 0 ? { invalid: p.invalid } : {}),
  };
  const headers: Record<string, string> = {
    'x-request-id': uuid(),
    'x-response-time': `${Date.now() - ctx.now.getTime()}ms`,
    'x-rate-limit-limit': '1000',
    'x-rate-limit-remaining': '999',
  };
  if (commit) {
    const acct = account(ctx.state);
    if (totalCost > acct.balance) return fail(400, 'insufficient_credit', 1113, 'Insufficient credit');
    acct.balance = round(acct.balance - totalCost);
    const messages = planned.map((fields) => newMessage(ctx, fields));
    if (b.idempotencyId) headers['x-idempotency-id'] = b.idempotencyId;
    dispatch(ctx.state, messages, ctx.now, {
      sentStatus: 'SENT',
      cancelled: (m) => m.status === 'DELETED',
      onDelivered: (delivered) => void deliverReports(ctx.state, callbackUrl, delivered, REPORTER),
    });
    ctx.record(messages.map((m) => m.id));
  }
  return { status: 200, headers, body: { info, data } };
}

function paidSend(kind: 'sms' | 'multichannel', campaign: boolean) {
  return (ctx: OpContext): Reply => {
    const key = ctx.body.idempotencyId === undefined ? undefined : `smscx:${ctx.body.idempotencyId as string}`;
    // The first answer is replayed for a repeated idempotencyId: nothing is sent or billed again.
    const first = key ? ctx.state.replays.get(key) : undefined;
    if (first) return first;
    const p = plan(ctx, kind, campaign);
    if (!('recipients' in p)) return p;
    const reply = answer(ctx, p, true);
    if (key && reply.status === 200) ctx.state.replays.set(key, reply);
    return reply;
  };
}

function estimate(kind: 'sms' | 'multichannel', campaign: boolean) {
  return (ctx: OpContext): Reply => {
    const p = plan(ctx, kind, campaign);
    return 'recipients' in p ? answer(ctx, p, false) : p;
  };
}

function deleteMessage(kind: 'sms' | 'multichannel') {
  return (ctx: OpContext): Reply => {
    const m = ctx.state.store('smscx').get(ctx.params['msgId'] ?? '');
    if (!m || m.extra['kind'] !== kind || m.status === 'DELETED') return fail(404, 'not_found', 1100, 'Message ID provided was not found or is not scheduled');
    if (m.status !== 'SCHEDULED' || isDue(m, ctx.now)) return fail(403, 'access_denied', 1118, 'Only scheduled campaigns/messages can be deleted');
    m.status = 'DELETED';
    account(ctx.state).balance = round(account(ctx.state).balance + m.cost);
    ctx.record();
    return { status: 200, headers: { 'x-request-id': uuid() }, body: { info: { msgId: m.id, parts: m.parts, creditReturned: m.cost, channel: kind } } };
  };
}

function deleteCampaign(kind: 'sms' | 'multichannel') {
  return (ctx: OpContext): Reply => {
    const id = ctx.params['campaignId'] ?? '';
    const campaign = [...ctx.state.store('smscx').values()].filter((m) => m.groupId === id && m.extra['kind'] === kind);
    if (campaign.length === 0) return fail(404, 'not_found', 1150, 'Campaign ID provided was not found or is not scheduled');
    const pending = campaign.filter((m) => m.status === 'SCHEDULED' && !isDue(m, ctx.now));
    if (pending.length === 0) return fail(403, 'access_denied', 1118, 'Only scheduled campaigns/messages can be deleted');
    let credit = 0;
    let parts = 0;
    for (const m of pending) {
      m.status = 'DELETED';
      credit += m.cost;
      parts += m.parts;
    }
    credit = round(credit);
    account(ctx.state).balance = round(account(ctx.state).balance + credit);
    ctx.record();
    const info = {
      campaignId: id,
      totalPhoneNumbers: campaign.length,
      totalParts: campaign.reduce((sum, m) => sum + m.parts, 0),
      phoneNumbersDeleted: pending.length,
      partsDeleted: parts,
      creditReturned: credit,
      channel: kind,
    };
    return { status: 200, headers: { 'x-request-id': uuid() }, body: { info } };
  };
}

/**
 * One message as the reports show it (DataReportCampaign), read from what the sandbox holds, so a
 * report the `drop` switch lost is still visible here. `updatedAt` is the time of its last report.
 */
function messageReport(m: SandboxMessage): Record<string, unknown> {
  const text = m.text ?? '';
  const updatedAt = m.extra['updatedAt'] as Date | undefined;
  return {
    msgId: m.id,
    status: m.status,
    statusCode: STATUS_CODES[m.status] ?? 2,
    errorCode: m.status === 'FAILED' ? 1 : null,
    inQuietHours: false,
    createdAt: isoSeconds(m.createdAt),
    updatedAt: updatedAt ? isoSeconds(updatedAt) : null,
    ...(m.scheduledAt ? { scheduledAt: isoSeconds(m.scheduledAt) } : {}),
    cost: m.cost,
    to: m.to,
    countryIso: m.extra['country'] ?? 'XX',
    from: m.from,
    text,
    source: 'api',
    channel: m.channel,
    ...(m.channel === 'sms' ? { textAnalysis: { length: text.length, unicode: countSegments(text).encoding === 'UCS-2', parts: m.parts } } : {}),
  };
}

/** A message deleted before it went out is gone from the reports, as if never sent. */
const reportable = (m: SandboxMessage | undefined): m is SandboxMessage => m !== undefined && m.status !== 'DELETED';

/** The vendor's cursors read as base64 offsets (its example `NTM2NTA` is base64 of "53650"). */
const cursor = (offset: number): string => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
function offsetOf(value: unknown): number | undefined {
  if (value === undefined) return 0;
  const n = Number(Buffer.from(String(value), 'base64').toString('utf8'));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function singleReport(ctx: OpContext): Reply {
  const m = ctx.state.store('smscx').get(ctx.params['msgId'] ?? '');
  if (!reportable(m)) return fail(404, 'not_found', 1160, 'Campaign ID or msg ID provided was not found');
  ctx.record();
  return { status: 200, headers: { 'x-request-id': uuid() }, body: { data: messageReport(m) } };
}

function campaignReport(ctx: OpContext): Reply {
  const id = ctx.params['campaignId'] ?? '';
  const q = ctx.query;
  const all = [...ctx.state.store('smscx').values()].filter((m) => m.groupId === id);
  const messages = all.filter(reportable);
  if (messages.length === 0) return fail(404, 'not_found', 1150, 'Campaign ID provided was not found');
  const limit = q['limit'] === undefined ? 500 : Number(q['limit']);
  const from = offsetOf(q['next'] ?? q['previous']);
  if (from === undefined) return badParam(0, 'The paging cursor is not valid');
  ctx.record();
  const page = String(q['short_response']) === 'true' ? [] : messages.slice(from, from + limit);
  const first = messages[0]!;
  const info = {
    campaignId: id,
    campaignName: first.extra['campaign'] ? 'Campaign' : 'API',
    totalPhoneNumbers: messages.length,
    totalCost: round(messages.reduce((sum, m) => sum + m.cost, 0)),
    totalParts: messages.reduce((sum, m) => sum + m.parts, 0),
    channel: first.extra['kind'] === 'multichannel' ? 'multichannel' : 'sms',
  };
  const paging = { next: from + limit < messages.length ? cursor(from + limit) : null, previous: from > 0 ? cursor(Math.max(0, from - limit)) : null, size: limit };
  return { status: 200, headers: { 'x-request-id': uuid() }, body: { info, data: page.map(messageReport), paging } };
}

export const smscx: VendorModule = {
  vendor: 'smscx',
  basePath: '/smscx',
  spec: smscxSpec,
  contentType: 'application/json',
  security: {
    ApiKeyAuth: (headers) => goodCredential(header(headers, 'x-api-key')),
    BearerAuth: (headers) => goodCredential(schemeCredential(header(headers, 'authorization'), 'Bearer')),
  },
  unauthorized: () => fail(401, 'invalid_api_key', 0, 'Invalid API key or access token'),
  invalid(operationId, errors) {
    const issues = issuesOf(errors);
    if (issues.some((i) => i.keyword === 'parse')) return badParam(0, 'The request body is not valid JSON');
    // The vendor reports one error: the first issue with a documented code wins.
    for (const issue of issues) {
      const code = codeFor(issue, operationId);
      if (code !== undefined) return badParam(code, MESSAGES[code] ?? issue.message);
    }
    return badParam(0, issues.map((i) => i.message).join('; '));
  },
  notFound: () => fail(404, 'not_found', 0, 'Resource not found'),
  transportError: (status, message) => fail(status, 'invalid_request', 0, message),
  operations: {
    sendSms: paidSend('sms', false),
    estimateSms: estimate('sms', false),
    sendSmsCampaign: paidSend('sms', true),
    estimateSmsCampaign: estimate('sms', true),
    sendMultichannel: paidSend('multichannel', false),
    estimateMultichannel: estimate('multichannel', false),
    sendMultichannelCampaign: paidSend('multichannel', true),
    estimateMultichannelCampaign: estimate('multichannel', true),
    deleteScheduledSms: deleteMessage('sms'),
    deleteScheduledSmsCampaign: deleteCampaign('sms'),
    deleteScheduledMultichannel: deleteMessage('multichannel'),
    deleteScheduledMultichannelCampaign: deleteCampaign('multichannel'),
    // A read: the balance every paid send and refund above has moved.
    getAccountBalance: (ctx) => ({ status: 200, headers: { 'x-request-id': uuid() }, body: { balance: account(ctx.state).balance, currency: 'eur', billing: 'prepaid' } }),
    getSingleReport: singleReport,
    getCampaignReport: campaignReport,
  },
};
