import { countSegmentsFor, type SmsBilling } from '@msgkit/core';
import { isCalendarDateTime } from '@msgkit/core/internal';
import { octopushSpec } from '../generated/specs';
import type { SandboxState } from '../state';
import type { Reply, SandboxMessage } from '../types';
import { dotted, goodCredential, header, issuesOf, type OpContext, type VendorModule } from '../vendor';
import { deliverReports, type VendorReporter } from '../reports';
import { dispatch, isDue, newMessage, round, uuid } from './common';

const START_BALANCE = 1000;
const WALLET_PACK = uuid();
/** Euros per SMS part / per message. */
const PRICES: Record<string, number> = { sms_premium: 0.065, sms_low_cost: 0.045, voice_sms: 0.05, vocal_sms: 0.05, rcs: 0.04, email: 0.002, live_chat: 0, hlr: 0.005 };
const CANCEL_MIN_LEAD_MS = 10 * 60_000;

/**
 * How Octopush counts a text (shared/vendors/octopush.md §7, its "special characters" page): 160 /
 * 153 GSM characters, 70 / 67 Unicode, and `& $ @` line feed, carriage return, tab and `¨` billed as
 * two characters. The same facts as @msgkit/octopush's `billing`, which the sandbox cannot import
 * (that package is tested against this one); the CLI's plan-against-sandbox test keeps them equal.
 */
const BILLING: SmsBilling = {
  vendor: 'octopush',
  nationalLanguages: {},
  parts: { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } },
  doubleCounted: '&$@\n\r\t¨',
  credits: 'price per SMS of the route × number_of_sms_needed',
  textRules: [],
  sources: ['shared/vendors/octopush.md §7'],
};
const smsParts = (text: string | undefined): number => Math.max(1, text ? countSegmentsFor(BILLING, text).segments : 1);

interface Account extends Record<string, unknown> {
  balance: number;
  seq: number;
  /** When each live request_id was used by an accepted send (ms), by `${operationId}:${request_id}`. */
  requestIds: Map<string, number>;
}
const account = (state: SandboxState): Account => state.data<Account>('octopush', () => ({ balance: START_BALANCE, seq: 0, requestIds: new Map() }));

/**
 * How long a request_id is remembered: "A request_id will expire after 24 hours" (seeds/003
 * `metadata.request_id`; shared/vendors/octopush.md §3.1, §3.3).
 */
export const REQUEST_ID_LIFETIME_MS = 24 * 3600 * 1000;
/**
 * A repeat within that lifetime: "In case the duplication will be detected, a validation error will
 * be returned" (seeds/003), with the legacy return code 120 and its words (§4.8), in the flat
 * `{code, message}` form of v1 business codes (§4.7, like 121) and HTTP 400, the status the SEED
 * gives its errors. [INFERRED: no source shows the v1 body of a 120; the HTTP status and flat form
 * are those of the other codes the v1 docs still use.] No ticket: the refusal names none.
 */
const duplicateRequestId = (): Reply => fail(120, 'An SMS with the same request_id has already been sent');

const fail = (code: number, message: string, errors?: Record<string, { code: number; message: string }>, status = 400): Reply => ({
  status,
  body: { code, message, ...(errors ? { errors } : {}) },
});
const payloadError = (errors: Record<string, { code: number; message: string }>): Reply => fail(400, 'Payload validation error.', errors);

/** PHP uniqid()-like ticket: prefix + 13 lower-case hex characters (8 of seconds, 5 of a counter). */
function ticket(state: SandboxState, prefix: string): string {
  const acct = account(state);
  acct.seq = (acct.seq + 1) % 0x100000;
  return `${prefix}_${Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')}${acct.seq.toString(16).padStart(5, '0')}`;
}

const PARIS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });
/** Minutes east of UTC in Paris at an instant ("GMT+02:00" → 120). */
function parisOffsetMinutes(ms: number): number {
  const name = PARIS.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * `send_at` as the spec allows it: ISO 8601 with a zone, or `YYYY-MM-DD HH:mm:ss`, which the PHP
 * README says Octopush reads as Central European time (Paris, with its summer time). A day that
 * does not exist (2030-02-30) is no date: Octopush ignores a value it cannot read and sends at once
 * (SEED), so it gives undefined.
 */
function sendAtDate(value: string): Date | undefined {
  if (!isCalendarDateTime(value)) return undefined;
  const naive = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  if (!naive) return new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const asUtc = Date.parse(`${naive[1]}T${naive[2]}Z`);
  const guess = asUtc - parisOffsetMinutes(asUtc) * 60_000;
  return new Date(asUtc - parisOffsetMinutes(guess) * 60_000);
}

/** Octopush's date format in reports: `Y-m-d H:i:s`, no zone. */
const phpDate = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * One report, naming the send's ticket (the campaign's `groupId`) as its `message_id`: DEV
 * `callbacks/acknowledge-receipt` calls it the "Ticket of the original message", and a send answers
 * no other id (shared/vendors/octopush.md §4.1, §5).
 */
function report(m: SandboxMessage, status: string, at: Date): Record<string, unknown> {
  const messageId = m.groupId ?? m.id;
  if (m.channel === 'email') {
    return {
      channel: 'email',
      message_id: messageId,
      list_name: m.extra['list_name'] ?? '',
      meta_data: { template_name: m.extra['template_name'] ?? null },
      deliveries: [{ email: m.to, status, unit_price: m.cost, delivery_date: phpDate(at), status_history: [{ status, delivery_date: phpDate(at) }] }],
    };
  }
  return { channel: m.channel, message_id: messageId, list_name: m.extra['list_name'] ?? '', number: m.to, status, unit_price: m.cost, delivery_date: phpDate(at), meta_data: {} };
}

/** Octopush posts one report per message to the URL set in the back office. */
const REPORTER: VendorReporter = {
  vendor: 'octopush',
  perPost: 1,
  lifecycle: (m, failed) => ({ intermediate: [m.channel === 'email' ? 'ISP_SEND' : 'ACK'], final: failed ? 'NOT_DELIVERED' : 'DELIVERED' }),
  settle: (m, final) => void (m.status = final),
  item: report,
  body: (items) => items[0],
};

interface Send {
  channel: string;
  product: string;
  text?: string;
  sender?: string;
  sendAt?: string;
  listName?: string;
  requestId?: string;
  recipients: Array<{ to: string }>;
  extra?: Record<string, unknown>;
}

/** Creates one campaign; refuses (code 120) a request_id an accepted send used within its lifetime. */
function send(ctx: OpContext, input: Send, answer: (t: { ticket: string | null; contacts: number; cost: number; parts: number; residual: number }) => Record<string, unknown>): Reply {
  // One store per endpoint: a request_id reused on the other send endpoint is a different campaign.
  // An empty request_id names no key (spec DECISION): such sends are never refused as repeats.
  const key = !input.requestId ? undefined : `${ctx.operationId}:${input.requestId}`;
  const used = account(ctx.state).requestIds;
  if (key !== undefined) {
    const at = used.get(key);
    if (at !== undefined && ctx.now.getTime() - at < REQUEST_ID_LIFETIME_MS) return duplicateRequestId();
    if (at !== undefined) used.delete(key);
  }
  const simulation = ctx.body.simulation_mode === true;
  const acct = account(ctx.state);
  const sms = input.channel === 'sms' || input.channel === 'rcs';
  const parts = sms ? smsParts(input.text) : 1;
  const unit = round((PRICES[input.product] ?? 0) * parts, 6);
  const at = input.sendAt ? sendAtDate(input.sendAt) : undefined;
  const scheduledAt = at && at.getTime() > ctx.now.getTime() ? at : undefined;
  const prefix = input.channel === 'voice_sms' ? 'voice' : input.channel;
  const campaign = input.channel === 'live_chat' ? null : ticket(ctx.state, prefix);
  const cost = round(unit * input.recipients.length, 6);
  let residual = acct.balance;
  if (!simulation) {
    acct.balance = round(acct.balance - cost, 6);
    residual = acct.balance;
    const messages = input.recipients.map((r) =>
      newMessage(ctx, {
        id: ticket(ctx.state, prefix),
        groupId: campaign ?? undefined,
        to: r.to,
        from: input.sender,
        text: input.text,
        channel: input.channel,
        status: scheduledAt ? 'SCHEDULED' : 'SENT',
        parts,
        cost: unit,
        scheduledAt,
        callbackUrl: ctx.state.webhook('octopush'),
        extra: { list_name: input.listName, ...input.extra },
      }),
    );
    dispatch(ctx.state, messages, ctx.now, {
      sentStatus: 'SENT',
      cancelled: (m) => m.status === 'CANCELLED',
      onDelivered: (delivered) => void deliverReports(ctx.state, (m) => m.callbackUrl, delivered, REPORTER),
    });
    ctx.record(messages.map((m) => m.id));
  }
  const reply: Reply = { status: 200, body: answer({ ticket: campaign, contacts: input.recipients.length, cost, parts: parts * input.recipients.length, residual }) };
  // Only a send that went out holds its id: a refusal or a simulation leaves it free.
  if (key !== undefined && !simulation) used.set(key, ctx.now.getTime());
  return reply;
}

function stopMissing(ctx: OpContext, purpose: string, text: string | undefined, numbers: string[]): Reply | undefined {
  if (purpose === 'wholesale' && numbers.some((n) => n.startsWith('+33')) && !/STOP au \S+/i.test(text ?? '')) {
    return fail(121, 'Mention STOP is missing.');
  }
  return undefined;
}

const required = (field: string) => ({ code: 400, message: `[${field}] field is required.` });

/** The per-channel rules the single multi-channel schema cannot express. */
function channelErrors(body: Record<string, any>): Reply | undefined {
  const meta: Record<string, any> = body.metadata ?? {};
  const recipients: Array<Record<string, string>> = body.recipients;
  const errors: Record<string, { code: number; message: string }> = {};
  const channel: string = body.channel;
  if (channel !== 'email' && !body.text && !(channel === 'rcs' && meta.cards?.length)) errors.text = required('text');
  if (channel === 'email' && !body.text && !meta.template_name) errors.text = required('text');
  if (['sms', 'voice_sms', 'rcs'].includes(channel) && recipients.some((r) => !r.phone_number)) errors.phone_number = required('phone_number');
  // SEED: metadata.type is optional for sms (its enum is checked by the spec when given).
  if (channel === 'voice_sms') {
    if (meta.type !== 'voice_sms') errors.type = { code: 400, message: '[type] field must be voice_sms.' };
    if (!meta.voice_gender) errors.voice_gender = required('voice_gender');
    if (!meta.voice_language) errors.voice_language = { code: 442, message: 'Voice language not supported.' };
  }
  if (channel === 'email') {
    if (recipients.some((r) => !r.email)) return fail(2005, '[destination email] field should be valid.');
    // SEED marks none of them required; email_from and subject are kept, name_from is optional.
    for (const f of ['email_from', 'subject']) if (!meta[f]) errors[f] = required(f);
  }
  if (channel === 'live_chat' && !recipients.some((r) => r.phone_number || r.email || r.conversation_id)) {
    return fail(400, '[recipients] field does not contain any valid recipient.');
  }
  if (['sms', 'voice_sms', 'email', 'live_chat'].includes(channel) && body.sender !== undefined && !/^[a-zA-Z0-9]{3,11}$/.test(body.sender)) {
    errors.sender = { code: 106, message: '[sender] field must contain 3 to 11 alphanumeric characters without spaces.' };
  }
  return Object.keys(errors).length > 0 ? payloadError(errors) : undefined;
}

function cancel(ctx: OpContext, channel: string | undefined): Reply {
  const id: string = ctx.body.ticket_number;
  const campaign = [...ctx.state.store('octopush').values()].filter((m) => m.groupId === id && (channel === undefined || m.channel === channel));
  if (campaign.length === 0) return fail(131, 'Campaign not found.');
  const first = campaign[0]!;
  if (first.status !== 'SCHEDULED' || isDue(first, ctx.now)) return fail(132, 'Campaign already sent or cancelled: only a scheduled campaign can be cancelled.');
  if (first.scheduledAt!.getTime() - ctx.now.getTime() <= CANCEL_MIN_LEAD_MS) return fail(132, 'A campaign can only be cancelled more than 10 minutes before it is sent.');
  if (campaign.length >= 3) return fail(400, 'Cancellation is only allowed when the campaign has fewer than 3 recipients.');
  for (const m of campaign) {
    m.status = 'CANCELLED';
    account(ctx.state).balance = round(account(ctx.state).balance + m.cost, 6);
  }
  ctx.record();
  return { status: 204 };
}

export const octopush: VendorModule = {
  vendor: 'octopush',
  basePath: '/octopush/v1/public',
  spec: octopushSpec,
  contentType: 'application/json',
  security: {
    'api-login': (headers) => goodCredential(header(headers, 'api-login')),
    'api-key': (headers) => goodCredential(header(headers, 'api-key')),
  },
  unauthorized: () => fail(401, 'Unauthorized.', undefined, 401),
  invalid(_operationId, errors) {
    const issues = issuesOf(errors);
    if (issues.some((i) => i.keyword === 'parse')) return fail(400, 'Malformed JSON body.');
    const out: Record<string, { code: number; message: string }> = {};
    for (const issue of issues) {
      // Octopush keys errors by field name; metadata fields are named without their parent.
      const field = dotted(issue.path[0] === 'metadata' ? issue.path.slice(1) : issue.path) || 'body';
      if (field in out) continue;
      if (field === 'voice_language' && issue.keyword === 'enum') out[field] = { code: 442, message: 'Voice language not supported.' };
      else if (/^recipients\[\d+\]\.email$/.test(field) && issue.keyword === 'format') return fail(2005, '[destination email] field should be valid.');
      else out[field] = { code: 400, message: `[${field}] ${issue.error.message ?? 'is invalid'}.` };
    }
    return payloadError(out);
  },
  notFound: (method, path) => fail(404, `No route for ${method} ${path}.`, undefined, 404),
  transportError: (status, message) => fail(status, message, undefined, status),
  operations: {
    sendSmsCampaign(ctx) {
      const b = ctx.body;
      const numbers: string[] = b.recipients.map((r: { phone_number: string }) => r.phone_number);
      const stop = stopMissing(ctx, b.purpose ?? 'wholesale', b.text, numbers);
      if (stop) return stop;
      return send(
        ctx,
        { channel: 'sms', product: b.type, text: b.text, sender: b.sender, sendAt: b.send_at, listName: b.list_name, requestId: b.request_id, recipients: numbers.map((to) => ({ to })) },
        (t) => ({ sms_ticket: t.ticket, number_of_contacts: t.contacts, total_cost: t.cost, number_of_sms_needed: t.parts, residual_credit: t.residual }),
      );
    },
    sendMultichannel(ctx) {
      const b = ctx.body;
      const invalid = channelErrors(b);
      if (invalid) return invalid;
      const meta = b.metadata ?? {};
      const channel: string = b.channel;
      if (channel === 'sms') {
        const stop = stopMissing(ctx, b.purpose ?? 'alert', b.text, b.recipients.map((r: { phone_number: string }) => r.phone_number));
        if (stop) return stop;
      }
      const recipients = b.recipients.map((r: Record<string, string>) => ({ to: r.phone_number ?? r.email ?? r.conversation_id }));
      // Without a type the account's default applies (DEV: parameters that are not mandatory have
      // a default); the sandbox's account defaults to sms_premium, as DEV's sample configuration.
      const product = channel === 'sms' ? (meta.type ?? 'sms_premium') : channel;
      return send(
        ctx,
        { channel, product, text: b.text, sender: b.sender, sendAt: b.send_at, listName: b.list_name, requestId: meta.request_id, recipients, extra: { template_name: meta.template_name } },
        (t) => {
          const common = { number_of_contacts: t.contacts, total_cost: t.cost, residual_credit: t.residual };
          if (channel === 'sms') return { sms_ticket: t.ticket, ...common, number_of_sms_needed: t.parts, message: '******' };
          if (channel === 'voice_sms') return { ticket_number: t.ticket, ...common, estimated_duration: Math.max(5, Math.ceil((b.text?.length ?? 0) / 12)) };
          return { ticket_number: t.ticket, ...common };
        },
      );
    },
    cancelMultichannel: (ctx) => cancel(ctx, ctx.body.channel),
    cancelSmsCampaign: (ctx) => cancel(ctx, 'sms'),
    getBalance(ctx) {
      const q = ctx.query as Record<string, string | undefined>;
      if ((q['country_code'] === undefined) !== (q['product_name'] === undefined)) {
        return payloadError({ [q['country_code'] === undefined ? 'country_code' : 'product_name']: required(q['country_code'] === undefined ? 'country_code' : 'product_name') });
      }
      const balance = account(ctx.state).balance;
      // DEV's curl sends with_details=true, the PHP client with_details=1.
      const details = ['true', '1'].includes(String(q['with_details'])) ? { wallet_packs: [{ wallet_pack_id: WALLET_PACK, credit: balance, expiration_date: '2030-10-23T13:41:46+02:00' }] } : {};
      ctx.record();
      if (q['product_name']) {
        const price = PRICES[q['product_name']] ?? 1;
        return { status: 200, body: { amount: price > 0 ? Math.floor(balance / price) : 0, unit: q['product_name'], ...details } };
      }
      return { status: 200, body: { amount: balance, unit: 'euros', ...details } };
    },
  },
};
