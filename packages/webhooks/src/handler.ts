import { hash } from 'node:crypto';
import { InvalidReportError, type DeliveryEvent, type DeliveryReference, type DeliveryReportFormat } from '@msgkit/core';
import type { CallbackAuthenticator } from './auth';
import { DeliveryLedger } from './ledger';
import { publicUrl, type HeaderReader, type PublicUrlOptions } from './proxy';
import type { MessageDelivery } from './reduce';
import { MemoryReplayStore, type ReplayStore } from './replay';
import { WorkQueue, type FailedWork, type QueueOptions } from './queue';
import { secretBytes, VerifiedTokens, verifyCallbackUrl, type CallbackClaims, type TokenCheck } from './token';

/** One accepted callback: its reports and the states they led to. */
export interface ReportBatch {
  vendor: string;
  events: DeliveryEvent[];
  states: MessageDelivery[];
  /** The claims of the callback URL's token, when it carried one. */
  claims?: CallbackClaims;
  receivedAt: Date;
}

/**
 * Why a callback was refused, as counted in `WebhookStats.refused` and given to `onRefused` (each
 * maps to one HTTP status: 401 `unsigned`, 403 `forged`/`expired`/`replayed`, …).
 */
export type Refusal = 'method' | 'unsigned' | 'forged' | 'expired' | 'replayed' | 'unknown_vendor' | 'too_large' | 'unsupported_media_type' | 'invalid_report' | 'busy' | 'record_failed';

export interface WebhookOptions extends PublicUrlOptions {
  /** The report parsers of the vendors you use (`smscxReports` from `@msgkit/smscx`, ...). */
  formats: readonly DeliveryReportFormat[];
  /** Secrets of msgkit's callback URLs (`createCallbackUrl`), newest first; each at least 32 bytes. */
  secrets?: readonly (string | Uint8Array)[];
  /** Vendor-documented authentication for callbacks without a msgkit token, by vendor (Infobip: `basicAuth`). */
  auth?: Readonly<Record<string, CallbackAuthenticator>>;
  /** Vendor of callbacks that name none (no token): for a handler mounted for one vendor. */
  vendor?: string;
  /** Where states are reduced (default: a new in-memory ledger, `handler.ledger`). */
  ledger?: DeliveryLedger;
  /**
   * Durable recording, awaited before the vendor gets its 200: a journal append, a database write.
   * When it throws the vendor gets a 500 and sends the report again.
   */
  record?: (batch: ReportBatch) => void | Promise<void>;
  /** The slow work, run after the answer from a bounded queue, retried on failure. */
  onReports?: (batch: ReportBatch) => void | Promise<void>;
  /** Called once a batch's `onReports` has failed every attempt; the batch stays in `handler.failed`. */
  onError?: (failure: FailedWork<ReportBatch>) => void;
  /** Called for every refused callback, with the reason (never with a secret). */
  onRefused?: (reason: Refusal, detail: { vendor?: string; status: number; error?: unknown }) => void;
  queue?: QueueOptions;
  replay?: ReplayStore;
  /** Credentials that carry no expiry (vendor authentication) are remembered this long for replay detection (default 7 days). */
  replayWindowMs?: number;
  /** Largest body taken (default 1 MiB; SMS.CX batches 200 reports, Infobip up to 100 in the sandbox). */
  maxBodyBytes?: number;
  /**
   * The clock, in milliseconds since the epoch (default `Date.now`), for token expiry and the
   * replay window.
   */
  now?: () => number;
}

/**
 * Counts since the handler was created: callbacks accepted, reports read, reports whose status the
 * vendor's table lacks (`unmapped`), and refusals by reason.
 */
export interface WebhookStats {
  accepted: number;
  events: number;
  unmapped: number;
  refused: Record<Refusal, number>;
}

/** A callback as any server hands it over: the Web handler and the Node adapter both use this. */
export interface IncomingCallback {
  method: string;
  /** The URL as this server received it (`publicUrl` then applies the proxy options). */
  url: string;
  headers: HeaderReader;
  /** The raw body, or how to read it (undefined when over `maxBodyBytes`). */
  body: Uint8Array | (() => Promise<Uint8Array | undefined>);
}

/** The answer to a callback, before any server writes it. */
export interface CallbackAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A delivery-report receiver (from `createWebhookHandler`): call it with a Web `Request` (Hono,
 * Next.js, Deno, Bun…), or hand it to `toNodeListener` for `node:http`, Express or Fastify.
 */
export interface WebhookHandler {
  (request: Request): Promise<Response>;
  /** The same receiver without Web `Request`/`Response` objects (what `toNodeListener` calls). */
  receive(callback: IncomingCallback): Promise<CallbackAnswer>;
  readonly ledger: DeliveryLedger;
  readonly stats: WebhookStats;
  /** Batches whose `onReports` failed every attempt: kept, never dropped. */
  readonly failed: ReadonlyArray<FailedWork<ReportBatch>>;
  /** Callbacks that authenticated but did not parse: kept with their body text (the last 1 000). */
  readonly invalid: ReadonlyArray<{ vendor: string; body: string; error: InvalidReportError }>;
  /** Resolves when every accepted batch's `onReports` has run (or failed for good). */
  drain(): Promise<void>;
}

const REFUSALS: Record<Refusal, number> = { method: 405, unsigned: 401, forged: 403, expired: 403, replayed: 403, unknown_vendor: 404, too_large: 413, unsupported_media_type: 415, invalid_report: 400, busy: 503, record_failed: 500 };
const MAX_INVALID = 1000;
const MAX_URLS = 10_000;

/**
 * The delivery-report receiver: one Web-standard handler for every vendor. In order: POST only,
 * authenticate (msgkit's URL token, or the vendor's documented credential), refuse replays, parse
 * with the vendor's own parser, reduce into the ledger and `record`, answer 200 with no body; then
 * run `onReports` from a bounded queue. Refused callbacks never reach `record` or `onReports`.
 */
export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const formats = new Map(options.formats.map((f) => [f.vendor, f]));
  // Converted (and length-checked) once, not per callback.
  const secrets = (options.secrets ?? []).map(secretBytes);
  const auth = options.auth ?? {};
  if (secrets.length === 0 && Object.keys(auth).length === 0) throw new TypeError('createWebhookHandler needs `secrets` (msgkit callback URLs) or `auth` (vendor credentials): an open receiver would take forged reports');
  const ledger = options.ledger ?? new DeliveryLedger();
  const verified = new VerifiedTokens();
  const replay = options.replay ?? new MemoryReplayStore();
  const now = options.now ?? Date.now;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const windowMs = options.replayWindowMs ?? 7 * 24 * 3600 * 1000;
  const stats: WebhookStats = { accepted: 0, events: 0, unmapped: 0, refused: Object.fromEntries(Object.keys(REFUSALS).map((k) => [k, 0])) as Record<Refusal, number> };
  const invalid: Array<{ vendor: string; body: string; error: InvalidReportError }> = [];
  const queue = new WorkQueue<ReportBatch>((batch) => options.onReports?.(batch), (failure) => options.onError?.(failure), options.queue);

  // Verified callback URLs by the URL as received (and, behind a trusted proxy, the headers that
  // make the public one): a campaign posts every report to one URL, so the URL is parsed and its
  // token checked once; a hit still checks the expiry.
  let takenType: string | undefined;
  const byRawUrl = new Map<string, Extract<TokenCheck, { ok: true }>>();
  const checkToken = (request: IncomingCallback): TokenCheck | { ok: false; reason: 'missing'; url: URL } => {
    const h = request.headers;
    const key = options.trustProxy && options.publicOrigin === undefined ? `${request.url}\n${h.get('forwarded')}\n${h.get('x-forwarded-proto')}\n${h.get('x-forwarded-host')}` : request.url;
    const nowSeconds = Math.floor(now() / 1000);
    const known = byRawUrl.get(key);
    if (known) return known.claims.expiresAt < nowSeconds ? { ok: false, reason: 'expired' } : known;
    const url = publicUrl(request, options);
    const token = verifyCallbackUrl(url, secrets, nowSeconds, verified);
    if (token.ok) {
      byRawUrl.set(key, token);
      if (byRawUrl.size > MAX_URLS) byRawUrl.delete(byRawUrl.keys().next().value!);
    }
    // Without a token the URL is read again for its `vendor` parameter: handed on, not parsed twice.
    return token.ok || token.reason !== 'missing' ? token : { ok: false, reason: 'missing', url };
  };

  const refuse = (reason: Refusal, vendor?: string, error?: unknown): CallbackAnswer => {
    stats.refused[reason]++;
    const status = REFUSALS[reason];
    options.onRefused?.(reason, { status, ...(vendor ? { vendor } : {}), ...(error !== undefined ? { error } : {}) });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (reason === 'busy') headers['retry-after'] = '5';
    if (reason === 'unsigned') headers['www-authenticate'] = 'Basic realm="msgkit"';
    return { status, headers, body: JSON.stringify({ error: reason }) };
  };

  const receive = async (request: IncomingCallback): Promise<CallbackAnswer> => {
    if (request.method !== 'POST') return refuse('method');
    const token = checkToken(request);
    let vendor: string | undefined;
    let credential: string;
    let expiresAtMs: number;
    let claims: CallbackClaims | undefined;
    if (token.ok) {
      claims = token.claims;
      vendor = claims.vendor;
      // The signature names the token (it is an HMAC of everything else in it).
      credential = token.token.slice(token.token.lastIndexOf('.') + 1);
      expiresAtMs = claims.expiresAt * 1000;
    } else if (token.reason !== 'missing') {
      return refuse(token.reason === 'expired' ? 'expired' : 'forged');
    } else {
      vendor = ('url' in token ? token.url : publicUrl(request, options)).searchParams.get('vendor') ?? options.vendor;
      const authenticator = vendor === undefined ? undefined : auth[vendor];
      if (!authenticator) return refuse('unsigned', vendor);
      const verdict = authenticator.check(request);
      if (verdict !== 'ok') return refuse(verdict === 'missing' ? 'unsigned' : 'forged', vendor);
      credential = authenticator.id;
      expiresAtMs = now() + windowMs;
    }
    const format = vendor === undefined ? undefined : formats.get(vendor);
    if (!format || vendor === undefined) return refuse('unknown_vendor', vendor);
    const type = request.headers.get('content-type');
    // A vendor sends one content type on every callback: the last one taken is not tested again.
    if (type !== null && type !== takenType) {
      if (!/^application\/(.+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) return refuse('unsupported_media_type', vendor);
      takenType = type;
    }

    const raw = typeof request.body === 'function' ? await request.body() : request.body.byteLength > maxBody ? undefined : request.body;
    if (raw === undefined) return refuse('too_large', vendor);
    const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const key = `${credential}:${hash('sha256', body, 'base64url')}`;
    if (queue.full) return refuse('busy', vendor);
    // Awaited only when the store answers with a promise (the memory store answers at once).
    const claim = replay.claim(key, expiresAtMs);
    if (!(typeof claim === 'boolean' ? claim : await claim)) return refuse('replayed', vendor);

    let events: DeliveryEvent[];
    try {
      events = format.parse(JSON.parse(body.toString('utf8')));
    } catch (error) {
      await replay.release(key);
      const reportError = error instanceof InvalidReportError ? error : new InvalidReportError(vendor, [], error instanceof Error ? error.message : 'not JSON');
      invalid.push({ vendor, body: body.toString('utf8'), error: reportError });
      if (invalid.length > MAX_INVALID) invalid.shift();
      return refuse('invalid_report', vendor, reportError);
    }
    if (claims && (claims.campaign !== undefined || claims.batch !== undefined)) {
      for (const event of events) {
        const reference = event.reference;
        event.reference = reference ? { ...ref(claims), ...reference } : ref(claims);
      }
    }
    // The ledger first: applying a report twice changes nothing, so a vendor's retry after a
    // failed `record` is harmless.
    for (const event of events) {
      ledger.apply(event);
      if (event.unmapped) stats.unmapped++;
    }
    // The batch only for `record` and `onReports`: an object literal with getters costs a
    // one-report callback more than its replay check, and a ledger-only receiver never sees it.
    const batch = options.record || options.onReports ? reportBatch(ledger, vendor, events, claims, now()) : undefined;
    if (options.record) {
      try {
        const recorded = options.record(batch!);
        if (recorded) await recorded;
      } catch (error) {
        await replay.release(key);
        return refuse('record_failed', vendor, error);
      }
    }
    stats.accepted++;
    stats.events += events.length;
    if (options.onReports) queue.push(batch!);
    return { status: 200, headers: {} };
  };

  const handler = async (request: Request): Promise<Response> => {
    const answer = await receive({ method: request.method, url: request.url, headers: request.headers, body: () => readBody(request, maxBody) });
    return answer.body === undefined ? new Response(null, { status: answer.status }) : new Response(answer.body, { status: answer.status, headers: answer.headers });
  };

  return Object.assign(handler, {
    receive,
    ledger,
    stats,
    failed: queue.failed,
    invalid,
    drain: () => queue.drain(),
  });
}

// The platform's own body reader (Node's is undici's), captured before a server such as
// @hono/node-server swaps in a Request of its own.
const platformArrayBuffer = typeof Request === 'function' ? Request.prototype.arrayBuffer : undefined;

/** The reference a callback URL's token gives its reports. */
function ref(claims: CallbackClaims): DeliveryReference {
  const out: DeliveryReference = {};
  if (claims.campaign !== undefined) out.campaign = claims.campaign;
  if (claims.batch !== undefined) out.batch = claims.batch;
  return out;
}

/** An accepted callback for `record` and `onReports`; its states and Date are built when read. */
function reportBatch(ledger: DeliveryLedger, vendor: string, events: DeliveryEvent[], claims: CallbackClaims | undefined, receivedAt: number): ReportBatch {
  let states: MessageDelivery[] | undefined;
  let received: Date | undefined;
  // Two literals, not a spread of `claims` into one: the keys keep their order (a journal line
  // written from the batch reads the same) and a spread beside getters takes V8's slow path.
  return claims
    ? {
        vendor,
        events,
        get states() {
          return (states ??= touchedStates(ledger, events));
        },
        claims,
        get receivedAt() {
          return (received ??= new Date(receivedAt));
        },
      }
    : {
        vendor,
        events,
        get states() {
          return (states ??= touchedStates(ledger, events));
        },
        get receivedAt() {
          return (received ??= new Date(receivedAt));
        },
      };
}

/** The states of the messages a batch's reports named, each once, in the order first named. */
function touchedStates(ledger: DeliveryLedger, events: readonly DeliveryEvent[]): MessageDelivery[] {
  const touched = new Map<string, DeliveryEvent>();
  for (const event of events) {
    touched.set(`${event.vendor}\u0000${event.messageId}`, event);
  }
  return [...touched.values()].map((e) => ledger.get(e.vendor, e.messageId)!);
}

/** The raw body, or undefined once it passes `max` bytes (reading stops there). */
async function readBody(request: Request, max: number): Promise<Buffer | undefined> {
  const length = request.headers.get('content-length');
  // Digits only: `Number()` would also take '4e1' and '0x28'.
  const declared = length !== null && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
  if (declared !== undefined && declared > max) return undefined;
  // A Request with body methods of its own (@hono/node-server's reads node:http's request in
  // arrayBuffer() and builds a stream only when asked for one) is read in one call, when the
  // server has bounded the body by its declared length (node:http stops there). Checked again
  // after, for a server that does not.
  if (declared !== undefined && request.arrayBuffer !== platformArrayBuffer) {
    const bytes = Buffer.from(await request.arrayBuffer());
    return bytes.byteLength > max ? undefined : bytes;
  }
  if (!request.body) return Buffer.alloc(0);
  // The stream's own reader, not arrayBuffer(): a third of the cost for a report-sized body on
  // Node's Request.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const [only] = chunks;
  return chunks.length === 1 ? Buffer.from(only!.buffer, only!.byteOffset, only!.byteLength) : Buffer.concat(chunks);
}
