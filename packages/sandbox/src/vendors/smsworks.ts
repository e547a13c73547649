import { smsworksSpec } from '../generated/specs';
import type { SandboxState } from '../state';
import type { Reply, SandboxMessage } from '../types';
import { goodCredential, header, issuesOf, schemeCredential, type OpContext, type VendorModule } from '../vendor';
import { deliverReports, type VendorReporter } from '../reports';
import { dispatch, isDue, newMessage, numericId, smsParts } from './common';

// The SMS Works publishes no error codes: the sandbox uses HTTP-like errorCode/status pairs, as the
// spec's (illustrative) examples do.
const CUSTOMER_ID = '0fca8c3c-6cbc-11e7-8154-a6006ad3dba0';
const START_CREDITS = 10_000;
/** Lookups answer the vendor's basic ErrorModel; everything else the ExtendedErrorModel. */
const BASIC_ERRORS = new Set(['getBatch', 'getMessage']);

function error(operationId: string | undefined, status: number, code: string, message: string, permanent = true): Reply {
  if (operationId && BASIC_ERRORS.has(operationId)) return { status, body: { message } };
  return { status, body: { message, errorCode: status, status: code, permanent } };
}

interface Account extends Record<string, unknown> {
  credits: number;
}
const account = (state: SandboxState): Account => state.data<Account>('smsworks', () => ({ credits: START_CREDITS }));

/** Non-UK destinations typically cost double. */
function credits(destination: string, parts: number): number {
  return destination.startsWith('44') ? parts : parts * 2;
}

function schedule(ctx: OpContext, value: unknown): Date | Reply {
  if (typeof value !== 'string' || value.trim() === '') return error(ctx.operationId, 400, 'BAD_REQUEST', 'schedule is required to schedule a message');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return error(ctx.operationId, 400, 'BAD_REQUEST', `schedule "${value}" is not a date`);
  return date;
}

function messageResponse(m: SandboxMessage): Record<string, unknown> {
  const digits = /^\d{1,15}$/.test(m.to) ? Number(m.to) : m.to;
  return {
    messageid: m.id,
    id: m.id,
    ...(m.groupId ? { batchid: m.groupId } : {}),
    customerid: CUSTOMER_ID,
    sender: m.from ?? '',
    destination: digits,
    content: m.text ?? '',
    status: m.status,
    ...(m.status === 'UNDELIVERABLE' ? { failurereason: { code: 34, details: 'Handset error', permanent: false } } : {}),
    tag: (m.extra['tag'] as string | undefined) ?? '',
    schedule: (m.scheduledAt ?? m.createdAt).toString(),
    created: m.createdAt.toString(),
    modified: ((m.extra['modified'] as Date | undefined) ?? m.createdAt).toString(),
    ...(m.callbackUrl ? { deliveryreporturl: m.callbackUrl } : {}),
    ...(m.extra['metadata'] ? { metadata: m.extra['metadata'] } : {}),
  };
}

/**
 * The vendor publishes no DLR schema; a MessageResponse per message, one per POST, is what it is
 * known to send (specs/smsworks.yaml DeliveryReport).
 */
const REPORTER: VendorReporter = {
  vendor: 'smsworks',
  perPost: 1,
  lifecycle: (_m, failed) => ({ intermediate: ['SENT'], final: failed ? 'UNDELIVERABLE' : 'DELIVERED' }),
  settle: (m, final, at) => {
    m.status = final;
    m.extra['modified'] = at;
  },
  item: (m, status, at) => messageResponse({ ...m, status, extra: { ...m.extra, modified: at } }),
  body: (items) => items[0],
};

interface Input {
  sender: string;
  destination: string;
  content: string;
  deliveryreporturl?: string;
  tag?: string;
  validity?: number;
  metadata?: unknown;
}

function create(ctx: OpContext, inputs: Input[], options: { batchId?: string; scheduledAt?: Date }): SandboxMessage[] {
  const acct = account(ctx.state);
  const scheduled = options.scheduledAt && options.scheduledAt.getTime() > ctx.now.getTime() ? options.scheduledAt : undefined;
  const partsByText = new Map<string, number>();
  const messages = inputs.map((input) => {
    let parts = partsByText.get(input.content);
    if (parts === undefined) partsByText.set(input.content, (parts = smsParts(input.content)));
    const cost = credits(input.destination, parts);
    acct.credits -= cost;
    return newMessage(ctx, {
      id: numericId(18),
      groupId: options.batchId,
      to: input.destination,
      from: input.sender,
      text: input.content,
      channel: 'sms',
      status: scheduled ? 'SCHEDULED' : 'SENT',
      parts,
      cost,
      scheduledAt: scheduled,
      callbackUrl: input.deliveryreporturl ?? ctx.state.webhook('smsworks'),
      extra: { tag: input.tag, metadata: input.metadata, modified: ctx.now },
    });
  });
  dispatch(ctx.state, messages, ctx.now, {
    sentStatus: 'SENT',
    cancelled: (m) => m.status === 'CANCELLED',
    onDelivered: (delivered) => void deliverReports(ctx.state, (m) => m.callbackUrl, delivered, REPORTER),
  });
  ctx.record(messages.map((m) => m.id));
  return messages;
}

function batchInputs(body: { sender: string; destinations?: string[]; content: string; deliveryreporturl?: string; tag?: string }): Input[] {
  return (body.destinations ?? []).map((destination) => ({ ...body, destination }));
}

interface SearchQuery {
  status?: string;
  credits?: number;
  destination?: string;
  sender?: string;
  keyword?: string;
  from?: string;
  to?: string;
  limit?: number;
  skip?: number;
  metadata?: Array<{ key?: string; value?: string }>;
}

/**
 * POST /messages: every message the sandbox holds that matches every criterion, oldest first, from
 * what it holds now (a report the `drop` switch lost included). Dates are read the way the vendor
 * reads free date text (JavaScript's Date); `created` is the time compared.
 */
function search(ctx: OpContext): Reply {
  const q = ctx.body as SearchQuery;
  const bound = (value: string | undefined): Date | undefined | Reply => {
    if (value === undefined) return undefined;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? error(ctx.operationId, 400, 'BAD_REQUEST', `"${value}" is not a date`) : date;
  };
  const from = bound(q.from);
  const to = bound(q.to);
  if (from !== undefined && !(from instanceof Date)) return from;
  if (to !== undefined && !(to instanceof Date)) return to;
  const pairs = q.metadata ?? [];
  const found = [...ctx.state.store('smsworks').values()].filter((m) => {
    const metadata = (m.extra['metadata'] as Array<{ key?: string; value?: string }> | undefined) ?? [];
    return (
      (q.status === undefined || m.status === q.status) &&
      (q.destination === undefined || m.to === q.destination) &&
      (q.sender === undefined || m.from === q.sender) &&
      (q.credits === undefined || m.cost === q.credits) &&
      q.keyword === undefined &&
      (from === undefined || m.createdAt.getTime() >= from.getTime()) &&
      (to === undefined || m.createdAt.getTime() <= to.getTime()) &&
      pairs.every((p) => metadata.some((kept) => kept.key === p.key && kept.value === p.value))
    );
  });
  const skip = q.skip ?? 0;
  ctx.record();
  return { status: 200, body: found.slice(skip, skip + (q.limit ?? 1000)).map(messageResponse) };
}

function emptyBatch(ctx: OpContext): Reply {
  return error(ctx.operationId, 400, 'BAD_REQUEST', 'destinations must contain at least one phone number');
}

export const smsworks: VendorModule = {
  vendor: 'smsworks',
  basePath: '/smsworks/v1',
  spec: smsworksSpec,
  contentType: 'application/json;charset=UTF-8',
  security: {
    // `Authorization: JWT <token>`; a bare token (no scheme word) is accepted too, `Bearer` is not.
    JWT: (headers) => {
      const value = header(headers, 'authorization');
      const token = schemeCredential(value, 'JWT') ?? (value && !/\s/.test(value.trim()) ? value : undefined);
      return goodCredential(token);
    },
  },
  unauthorized: (operationId) => error(operationId, 401, 'UNAUTHORIZED', 'Unauthorized: a valid JWT is required in the Authorization header'),
  transportError: (status, message) => error(undefined, status, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'REQUEST_TIMEOUT', message, status === 413),
  invalid: (operationId, errors) => error(operationId, 400, 'BAD_REQUEST', issuesOf(errors).map((i) => i.message).join('; ')),
  notFound: (method, path) => ({ status: 404, body: { message: `Cannot ${method} ${path}` } }),
  operations: {
    getCredits: (ctx) => ({ status: 200, body: { credits: account(ctx.state).credits } }),
    sendMessage(ctx) {
      const [m] = create(ctx, [ctx.body as Input], {});
      return { status: 201, body: { messageid: m!.id, status: 'SENT', credits: account(ctx.state).credits, creditsUsed: m!.cost, messageparts: m!.parts } };
    },
    scheduleMessage(ctx) {
      const at = schedule(ctx, ctx.body.schedule);
      if (!(at instanceof Date)) return at;
      const [m] = create(ctx, [ctx.body as Input], { scheduledAt: at });
      return { status: 200, body: [{ messageid: m!.id, status: 'SCHEDULED' }] };
    },
    sendBatch(ctx) {
      if (!ctx.body.destinations?.length) return emptyBatch(ctx);
      const batchId = numericId(7);
      create(ctx, batchInputs(ctx.body), { batchId });
      return { status: 201, body: { batchid: batchId, status: 'SCHEDULED' } };
    },
    sendAnyBatch(ctx) {
      if (!(ctx.body as Input[]).length) return error(ctx.operationId, 400, 'BAD_REQUEST', 'the batch must contain at least one message');
      const batchId = numericId(7);
      create(ctx, ctx.body as Input[], { batchId });
      return { status: 201, body: { batchid: batchId, status: 'SCHEDULED' } };
    },
    scheduleBatch(ctx) {
      if (!ctx.body.destinations?.length) return emptyBatch(ctx);
      const at = schedule(ctx, ctx.body.schedule);
      if (!(at instanceof Date)) return at;
      const batchId = numericId(7);
      create(ctx, batchInputs(ctx.body), { batchId, scheduledAt: at });
      return { status: 201, body: { batchid: batchId, status: 'SCHEDULED' } };
    },
    getBatch(ctx) {
      const batch = [...ctx.state.store('smsworks').values()].filter((m) => m.groupId === ctx.params['batchid']);
      if (batch.length === 0) return error(ctx.operationId, 404, 'NOT_FOUND', 'Batch not found');
      ctx.record();
      return { status: 200, body: batch.map(messageResponse) };
    },
    searchMessages: search,
    getMessage(ctx) {
      const m = ctx.state.store('smsworks').get(ctx.params['messageid'] ?? '');
      if (!m) return error(ctx.operationId, 404, 'NOT_FOUND', 'Message not found');
      ctx.record();
      return { status: 200, body: messageResponse(m) };
    },
    cancelScheduledBatch(ctx) {
      const id = ctx.params['batchid'] ?? '';
      const batch = [...ctx.state.store('smsworks').values()].filter((m) => m.groupId === id);
      if (batch.length === 0) return error(ctx.operationId, 404, 'NOT_FOUND', 'Scheduled batch not found');
      const pending = batch.filter((m) => m.status === 'SCHEDULED' && !isDue(m, ctx.now));
      if (pending.length === 0) return error(ctx.operationId, 400, 'NOT_SCHEDULED', 'The batch is not scheduled (already sent or cancelled)');
      for (const m of pending) {
        m.status = 'CANCELLED';
        m.extra['modified'] = ctx.now;
        account(ctx.state).credits += m.cost;
      }
      ctx.record();
      return { status: 200, body: { messageid: id, status: 'CANCELLED' } };
    },
  },
};
