import { infobipSpec } from '../generated/specs';
import type { SandboxState } from '../state';
import type { Reply, SandboxMessage } from '../types';
import { dotted, goodCredential, header, issuesOf, schemeCredential, type OpContext, type VendorModule } from '../vendor';
import { deliverReports, type VendorReporter } from '../reports';
import { checkPhone, dispatch, newMessage, round, smsParts, upperHex, uuid } from './common';

const PRICE_PER_MESSAGE = 0.01;
const START_BALANCE = 1000;
const REPORTS_PER_CALLBACK = 100;

const STATUS = {
  enroute: { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE', description: 'Message sent to next instance' },
  accepted: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED', description: 'Message accepted, pending for delivery' },
  delivered: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET', description: 'Message delivered to handset' },
  toOperator: { groupId: 3, groupName: 'DELIVERED', id: 2, name: 'DELIVERED_TO_OPERATOR', description: 'Message delivered to operator' },
  notDelivered: { groupId: 2, groupName: 'UNDELIVERABLE', id: 9, name: 'UNDELIVERABLE_NOT_DELIVERED', description: 'Message sent not delivered' },
  missingTo: { groupId: 5, groupName: 'REJECTED', id: 51, name: 'MISSING_TO', description: 'Message rejected: missing destination' },
  badDestination: { groupId: 5, groupName: 'REJECTED', id: 52, name: 'REJECTED_DESTINATION', description: 'Message rejected: invalid destination' },
} as const;
const NO_ERROR = { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false };
const ABSENT = { groupId: 1, groupName: 'HANDSET_ERRORS', id: 27, name: 'EC_ABSENT_SUBSCRIBER', description: 'Absent Subscriber', permanent: false };
const BY_NAME: Record<string, (typeof STATUS)[keyof typeof STATUS]> = Object.fromEntries(Object.values(STATUS).map((s) => [s.name, s]));

/** Scenario step channel → the request's content object for it. */
const CONTENT: Record<string, string> = {
  SMS: 'sms', EMAIL: 'email', VOICE: 'voice', PUSH: 'push', VIBER: 'viber', LINE: 'line', VKONTAKTE: 'vKontakte', KAKAO_CHINGU: 'kakaoChingu', KAKAO_ALIM: 'kakaoAlim', WHATSAPP: 'whatsApp',
};
/** Scenario step channel → the destination address it uses. */
const ADDRESS: Record<string, string> = { EMAIL: 'emailAddress', PUSH: 'pushRegistrationId' };

interface Scenario {
  key: string;
  name?: string;
  flow: Array<{ from?: string; channel: string }>;
  default: boolean;
}
interface Data extends Record<string, unknown> {
  scenarios: Map<string, Scenario>;
  /** Reports not pushed to a webhook, waiting to be pulled once. */
  reports: Array<Record<string, unknown>>;
}
const data = (state: SandboxState): Data =>
  state.data<Data>('infobip', () => {
    const key = upperHex(32);
    return { scenarios: new Map([[key, { key, name: 'Sandbox default: SMS', flow: [{ from: 'InfoSMS', channel: 'SMS' }], default: true }]]), reports: [] };
  });

function fail(status: number, messageId: string, text: string, validationErrors?: Record<string, string[]>): Reply {
  return { status, body: { requestError: { serviceException: { messageId, text, ...(validationErrors ? { validationErrors } : {}) } } } };
}

/** Infobip's timestamp form: `2023-04-06T15:22:37.413+0000`. */
const ibDate = (d: Date): string => d.toISOString().replace('Z', '+0000');

function parseIbDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const d = new Date(value.replace(/([+-]\d{2}):?(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function deliveryReport(m: SandboxMessage, name: string, at: Date): Record<string, unknown> {
  return {
    bulkId: m.groupId,
    messageId: m.id,
    to: m.to,
    sentAt: ibDate(m.scheduledAt ?? m.createdAt),
    doneAt: ibDate(at),
    messageCount: m.parts,
    price: { pricePerMessage: PRICE_PER_MESSAGE, currency: 'EUR' },
    status: BY_NAME[name],
    error: name === STATUS.notDelivered.name ? ABSENT : NO_ERROR,
    channel: m.channel,
    ...(m.extra['callbackData'] !== undefined ? { callbackData: m.extra['callbackData'] } : {}),
  };
}

/** Final (and, with the `intermediate` switch, in-flight) reports, up to 100 per POST. */
const REPORTER: VendorReporter = {
  vendor: 'infobip',
  perPost: REPORTS_PER_CALLBACK,
  lifecycle: (_m, failed) => ({ intermediate: [STATUS.enroute.name, STATUS.toOperator.name], final: failed ? STATUS.notDelivered.name : STATUS.delivered.name }),
  settle: (m, final, at) => {
    m.status = final === STATUS.delivered.name ? 'DELIVERED' : 'UNDELIVERABLE';
    m.extra['status'] = BY_NAME[final];
    m.extra['doneAt'] = at;
  },
  item: deliveryReport,
  body: (items) => ({ results: items }),
};

function log(m: SandboxMessage): Record<string, unknown> {
  const status = m.extra['status'] as object;
  return {
    bulkId: m.groupId, messageId: m.id, to: m.to, from: m.from, text: m.text, sentAt: ibDate(m.scheduledAt ?? m.createdAt),
    ...(m.extra['doneAt'] !== undefined ? { doneAt: ibDate(m.extra['doneAt'] as Date) } : {}),
    messageCount: m.parts, price: { pricePerMessage: PRICE_PER_MESSAGE, currency: 'EUR' }, status, channel: m.channel,
  };
}

const asList = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).filter(Boolean);

function send(ctx: OpContext): Reply {
  const b = ctx.body;
  const { scenarios } = data(ctx.state);
  const scenario = b.scenarioKey !== undefined ? scenarios.get(b.scenarioKey) : [...scenarios.values()].find((s) => s.default);
  if (!scenario) {
    return b.scenarioKey !== undefined
      ? fail(400, 'BAD_REQUEST', 'Bad request', { scenarioKey: [`scenario ${b.scenarioKey} not found`] })
      : fail(400, 'BAD_REQUEST', 'Bad request', { scenarioKey: ['no default scenario: create one or give scenarioKey'] });
  }
  const missing = scenario.flow.map((s) => CONTENT[s.channel]!).filter((key) => b[key] === undefined);
  if (missing.length > 0) return fail(400, 'BAD_REQUEST', 'Bad request', Object.fromEntries(missing.map((k) => [k, ['must not be null']])));

  const first = scenario.flow[0]!;
  const at = parseIbDate(b.sendAt);
  const scheduledAt = at && at.getTime() > ctx.now.getTime() ? at : undefined;
  const content = b[CONTENT[first.channel]!] ?? {};
  const parts = first.channel === 'SMS' ? smsParts(content.text) : 1;
  const bulkId: string = b.bulkId ?? uuid();
  const callbackUrl: string | undefined = b.notify === false ? undefined : (b.notifyUrl ?? ctx.state.webhook('infobip'));
  const answers: Array<Record<string, unknown>> = [];
  const accepted: SandboxMessage[] = [];
  for (const destination of b.destinations as Array<{ messageId?: string; to: Record<string, string> }>) {
    const messageId = destination.messageId ?? uuid();
    const field = ADDRESS[first.channel] ?? 'phoneNumber';
    const address = destination.to[field] ?? (field === 'phoneNumber' ? destination.to['whatsAppUserId'] : undefined);
    let status: object = scheduledAt ? STATUS.accepted : STATUS.enroute;
    if (address === undefined || address === '') status = STATUS.missingTo;
    else if (field === 'phoneNumber' && destination.to['phoneNumber'] && !checkPhone(`+${destination.to['phoneNumber'].replace(/^(\+|00)/, '')}`).ok) {
      status = STATUS.badDestination;
    }
    answers.push({ to: destination.to, status, messageId });
    const rejected = status === STATUS.missingTo || status === STATUS.badDestination;
    const m = newMessage(ctx, {
      id: messageId,
      groupId: bulkId,
      to: address ?? '',
      from: first.from,
      text: content.text,
      channel: first.channel,
      status: rejected ? 'REJECTED' : scheduledAt ? 'SCHEDULED' : 'PENDING',
      parts,
      cost: rejected ? 0 : round(parts * PRICE_PER_MESSAGE),
      scheduledAt,
      callbackUrl,
      extra: { status, callbackData: b.callbackData },
    });
    if (!rejected) accepted.push(m);
  }
  dispatch(ctx.state, accepted, ctx.now, {
    sentStatus: 'PENDING',
    cancelled: () => false,
    onDelivered: (delivered) => {
      // Without a URL the reports wait to be pulled once (GET /omni/1/reports).
      const pulled = deliverReports(ctx.state, callbackUrl, delivered, REPORTER);
      if (!callbackUrl) data(ctx.state).reports.push(...(pulled as Array<Record<string, unknown>>));
    },
  });
  ctx.record(answers.map((a) => a.messageId as string));
  return { status: 200, body: { ...(b.destinations.length > 1 ? { bulkId } : {}), messages: answers } };
}

function scenarioBody(ctx: OpContext, key: string, previous?: Scenario): Scenario {
  const { scenarios } = data(ctx.state);
  const scenario: Scenario = { key, name: ctx.body.name ?? previous?.name, flow: ctx.body.flow, default: ctx.body.default ?? previous?.default ?? false };
  if (scenario.default) for (const s of scenarios.values()) s.default = false;
  scenarios.set(key, scenario);
  return scenario;
}

const show = (s: Scenario): Record<string, unknown> => ({ key: s.key, ...(s.name !== undefined ? { name: s.name } : {}), flow: s.flow, default: s.default });

export const infobip: VendorModule = {
  vendor: 'infobip',
  basePath: '/infobip',
  spec: infobipSpec,
  contentType: 'application/json',
  security: {
    APIKeyHeader: (headers) => goodCredential(schemeCredential(header(headers, 'authorization'), 'App')),
    IBSSOTokenHeader: (headers) => goodCredential(schemeCredential(header(headers, 'authorization'), 'IBSSO')),
    OAuth2: (headers) => goodCredential(schemeCredential(header(headers, 'authorization'), 'Bearer')),
    Basic: (headers) => {
      const encoded = schemeCredential(header(headers, 'authorization'), 'Basic');
      if (!encoded) return false;
      const [user, ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
      return goodCredential(user) && goodCredential(rest.join(':'));
    },
  },
  unauthorized: () => fail(401, 'UNAUTHORIZED', 'Invalid login details'),
  invalid(_operationId, errors) {
    const validationErrors: Record<string, string[]> = {};
    for (const issue of issuesOf(errors)) {
      const key = issue.keyword === 'parse' ? 'body' : dotted(issue.path) || issue.in;
      (validationErrors[key] ??= []).push(issue.keyword === 'parse' ? issue.message : (issue.error.message ?? 'is invalid'));
    }
    return fail(400, 'BAD_REQUEST', 'Bad request', validationErrors);
  },
  notFound: (method, path) => fail(404, 'NOT_FOUND', `No resource for ${method} ${path}`),
  transportError: (status, message) => fail(status, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'REQUEST_TIMEOUT', message),
  operations: {
    sendOmniAdvanced: send,
    getAccountBalance(ctx) {
      let spent = 0;
      for (const m of ctx.state.store('infobip').values()) spent += m.cost;
      return { status: 200, body: { balance: round(START_BALANCE - spent, 5), currency: 'EUR' } };
    },
    listScenarios(ctx) {
      const q = ctx.query as Record<string, unknown>;
      const limit = q['limit'] === undefined ? 100 : Number(q['limit']);
      const page = q['page'] === undefined ? 0 : Number(q['page']);
      let list = [...data(ctx.state).scenarios.values()];
      if (q['isDefault'] !== undefined) list = list.filter((s) => s.default === (String(q['isDefault']) === 'true'));
      ctx.record();
      return { status: 200, body: { scenarios: list.slice(page * limit, page * limit + limit).map(show) } };
    },
    createScenario(ctx) {
      const scenario = scenarioBody(ctx, upperHex(32));
      ctx.record();
      return { status: 201, body: show(scenario) };
    },
    getScenario(ctx) {
      const scenario = data(ctx.state).scenarios.get(ctx.params['scenarioKey'] ?? '');
      if (!scenario) return fail(404, 'NOT_FOUND', 'Scenario not found');
      ctx.record();
      return { status: 200, body: show(scenario) };
    },
    updateScenario(ctx) {
      const key = ctx.params['scenarioKey'] ?? '';
      const previous = data(ctx.state).scenarios.get(key);
      if (!previous) return fail(404, 'NOT_FOUND', 'Scenario not found');
      const scenario = scenarioBody(ctx, key, previous);
      ctx.record();
      return { status: 200, body: show(scenario) };
    },
    getOmniReports(ctx) {
      const q = ctx.query as Record<string, unknown>;
      const limit = q['limit'] === undefined ? 50 : Number(q['limit']);
      const store = data(ctx.state);
      const results: Array<Record<string, unknown>> = [];
      store.reports = store.reports.filter((r) => {
        const match =
          results.length < limit &&
          (q['bulkId'] === undefined || r['bulkId'] === q['bulkId']) &&
          (q['messageId'] === undefined || r['messageId'] === q['messageId']) &&
          (q['channel'] === undefined || r['channel'] === q['channel']);
        if (match) results.push(r);
        return !match; // one-time: a report pulled is gone
      });
      ctx.record();
      return { status: 200, body: { results } };
    },
    getOmniLogs(ctx) {
      const q = ctx.query as Record<string, unknown>;
      const limit = q['limit'] === undefined ? 50 : Number(q['limit']);
      const bulkIds = asList(q['bulkId']);
      const messageIds = asList(q['messageId']);
      const since = parseIbDate(q['sentSince']);
      const until = parseIbDate(q['sentUntil']);
      const logs = [...ctx.state.store('infobip').values()]
        .filter((m) => {
          const sentAt = m.scheduledAt ?? m.createdAt;
          const group = m.status === 'DELIVERED' ? 'DELIVERED' : ((m.extra['status'] as { groupName: string }).groupName);
          return (
            (bulkIds === undefined || bulkIds.includes(m.groupId ?? '')) &&
            (messageIds === undefined || messageIds.includes(m.id)) &&
            (q['from'] === undefined || m.from === q['from']) &&
            (q['to'] === undefined || m.to === q['to']) &&
            (q['channel'] === undefined || m.channel === q['channel']) &&
            (q['generalStatus'] === undefined || group === q['generalStatus']) &&
            (since === undefined || sentAt >= since) &&
            (until === undefined || sentAt <= until)
          );
        })
        .reverse()
        .slice(0, limit);
      ctx.record();
      return { status: 200, body: { results: logs.map(log) } };
    },
  },
};
