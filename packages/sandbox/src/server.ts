import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES, MAX_JSON_DEPTH, readBody, type BodyLimits, type BodyResult } from './body';
import { DLR_TIMEOUT_MS } from './dlr';
import { arm, takeFault } from './faults';
import { maskBody, maskHeaders, maskUrlPassword } from './mask';
import { backendFor, type RequestEnv } from './openapi';
import { SandboxState } from './state';
import { VENDORS, type FaultSpec, type Reply, type Sandbox, type SandboxOptions, type Vendor } from './types';
import type { ErrorObject, OpContext, VendorModule } from './vendor';
import { infobip } from './vendors/infobip';
import { octopush } from './vendors/octopush';
import { smscx } from './vendors/smscx';
import { smsworks } from './vendors/smsworks';

const MODULES: readonly VendorModule[] = [smscx, smsworks, octopush, infobip];
const ADMIN = '/__sandbox';

/**
 * Starts the sandbox: the four vendor APIs on one loopback port, each under its own prefix
 * (`baseUrls`), validated against the vendors' OpenAPI specs. Close it with `close()`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new TypeError('The sandbox only listens on 127.0.0.1');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer from 0 to 65535');
  const limits: BodyLimits = {
    maxBytes: positiveInteger(options.maxBodyBytes ?? MAX_BODY_BYTES, 'maxBodyBytes'),
    maxDepth: MAX_JSON_DEPTH,
    timeoutMs: positiveInteger(options.bodyTimeoutMs ?? BODY_TIMEOUT_MS, 'bodyTimeoutMs'),
  };
  const state = new SandboxState({
    dlrDelayMs: options.dlrDelayMs ?? 20,
    dlrAttempts: options.dlrAttempts ?? 3,
    dlrTimeoutMs: positiveInteger(options.dlrTimeoutMs ?? DLR_TIMEOUT_MS, 'dlrTimeoutMs'),
    webhooks: options.webhooks,
    reports: options.reports,
  });

  // Build (or reuse) every validator before listening, so the first request is not slow.
  await Promise.all(MODULES.map(backendFor));

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: 'sandbox failure', message: String(error) } }, 'application/json');
      else res.destroy();
    });
  });
  // Many clients keep connections alive; do not make close() wait for them.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host}:${actualPort}`;
  const baseUrls = Object.freeze(Object.fromEntries(MODULES.map((m) => [m.vendor, url + m.basePath])) as Record<Vendor, string>);
  // The control endpoints answer only requests addressed to this very server: a page whose DNS
  // name is rebound to 127.0.0.1 sends its own Host and so cannot read or reset the sandbox.
  const ownHosts = new Set([`127.0.0.1:${actualPort}`, `localhost:${actualPort}`, `[::1]:${actualPort}`]);
  if (actualPort === 80) for (const name of ['127.0.0.1', 'localhost', '[::1]']) ownHosts.add(name);
  const ownOrigins = new Set([...ownHosts].map((host) => `http://${host}`));
  state.port = actualPort;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsedUrl = new URL(req.url ?? '/', url);
    const pathname = parsedUrl.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const isAdmin = pathname === ADMIN || pathname.startsWith(ADMIN + '/');
    if (isAdmin && !ownHosts.has(req.headers.host?.toLowerCase() ?? '')) {
      return refuse(res, { status: 403, body: { error: 'forbidden', message: `${ADMIN} answers only requests addressed to ${url}` } }, 'application/json');
    }
    if (isAdmin) {
      const refusal = controlRefusal(method, req.headers.origin, req.headers['content-type'], ownOrigins, url);
      if (refusal) return refuse(res, refusal, 'application/json');
    }
    const module = isAdmin ? undefined : MODULES.find((m) => pathname === m.basePath || pathname.startsWith(m.basePath + '/'));

    const read = await readBody(req, limits);
    if (!read.ok) {
      if (read.status === 0) return; // the client went away
      return refuse(res, refusal(module, read), module?.contentType ?? 'application/json');
    }
    const raw = read.raw;

    if (isAdmin) return send(res, admin(method, pathname.slice(ADMIN.length), parsedUrl.searchParams, raw), 'application/json');
    if (!module) {
      return send(res, { status: 404, body: { error: 'not found', message: `No vendor API under ${pathname}`, baseUrls } }, 'application/json');
    }
    const relative = pathname.slice(module.basePath.length) || '/';

    // Faults come before anything else, so a faulted request is neither validated nor recorded;
    // an `after` fault lets the request through and spoils only its answer.
    const fault = takeFault(state.faults, module.vendor, method, pathname, relative);
    if (fault && !fault.after) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) return send(res, { status: fault.status, headers: fault.headers, body: fault.body }, module.contentType);
    }

    let body: unknown;
    if (raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text; // the validator reports it as malformed JSON in the vendor's error shape
      }
    }
    const headers = req.headers as Record<string, string | string[] | undefined>;
    const env: RequestEnv = {
      module,
      run(operationId, parts) {
        const handler = module.operations[operationId];
        if (!handler) return module.notFound(method, relative);
        const context: OpContext = {
          ...parts,
          vendor: module.vendor,
          operationId,
          method,
          path: relative,
          headers,
          state,
          now: new Date(),
          record(messageIds = []) {
            state.received.push({
              vendor: module.vendor,
              operationId,
              method,
              path: relative,
              query: maskBody(parts.query) as Record<string, unknown>,
              headers: maskHeaders(headers),
              body: maskBody(parts.body),
              receivedAt: context.now,
              messageIds,
            });
          },
        };
        const before = state.received.length;
        const reply = handler(context);
        const acted = state.received.length > before;
        state.answered.push({
          vendor: module.vendor,
          operationId,
          method,
          path: relative,
          status: reply.status,
          acted,
          messages: acted ? state.received[state.received.length - 1]!.messageIds.length : 0,
          receivedAt: context.now,
          answeredAt: new Date(),
        });
        return reply;
      },
    };
    const backend = await backendFor(module);
    const reply = (await backend.handleRequest({ method, path: relative, query: queryOf(parsedUrl.searchParams), headers: headers as Record<string, string>, body }, env)) as Reply;
    if (fault?.after) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) return send(res, { status: fault.status, headers: fault.headers, body: fault.body }, module.contentType);
    }
    send(res, reply, module.contentType);
  }

  function refusal(module: VendorModule | undefined, read: Exclude<BodyResult, { ok: true } | { status: 0 }>): Reply {
    if (read.reason === 'too_deep') {
      const message = `JSON nested deeper than ${limits.maxDepth} levels`;
      const parse: ErrorObject = { keyword: 'parse', instancePath: '', schemaPath: '', params: {}, message };
      return module ? module.invalid('', [parse]) : { status: 400, body: { error: 'invalid_json', message } };
    }
    const message = read.status === 413 ? `The request body is larger than ${limits.maxBytes} bytes` : `The request body did not arrive within ${limits.timeoutMs} ms`;
    return module ? module.transportError(read.status, message) : { status: read.status, body: { error: read.status === 413 ? 'payload_too_large' : 'request_timeout', message } };
  }

  function admin(method: string, path: string, search: URLSearchParams, raw: Buffer): Reply {
    const vendor = search.get('vendor') ?? undefined;
    if (vendor !== undefined && !VENDORS.includes(vendor as Vendor)) return { status: 400, body: { error: `unknown vendor ${vendor}` } };
    const v = vendor as Vendor | undefined;
    if (method === 'GET' && (path === '' || path === '/')) return { status: 200, body: { url, baseUrls } };
    if (method === 'GET' && path === '/received') return { status: 200, body: sandbox.received(v) };
    if (method === 'GET' && path === '/requests') return { status: 200, body: sandbox.requests(v) };
    if (method === 'GET' && path === '/messages') return { status: 200, body: sandbox.messages(v) };
    if (method === 'GET' && path === '/deliveries') return { status: 200, body: sandbox.deliveries(v) };
    if (method === 'GET' && path === '/faults') return { status: 200, body: sandbox.faults.list() };
    if (method === 'DELETE' && path === '/faults') {
      sandbox.faults.clear();
      return { status: 204 };
    }
    if (method === 'POST' && path === '/faults') {
      try {
        const parsed = JSON.parse(raw.toString('utf8') || 'null') as FaultSpec | FaultSpec[];
        const list = Array.isArray(parsed) ? parsed : [parsed];
        const armed = list.map((f) => {
          if (typeof f !== 'object' || f === null) throw new TypeError('a fault must be an object');
          if (f.vendor !== undefined && !VENDORS.includes(f.vendor)) throw new TypeError(`unknown vendor ${String(f.vendor)}`);
          return arm(f);
        });
        state.faults.push(...armed);
        return { status: 201, body: { armed: armed.length } };
      } catch (error) {
        return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
      }
    }
    if (method === 'GET' && path === '/reports') return { status: 200, body: state.behaviour };
    if ((method === 'POST' || method === 'PUT') && path === '/reports') {
      try {
        state.setBehaviour(JSON.parse(raw.toString('utf8') || '{}'));
        return { status: 200, body: state.behaviour };
      } catch (error) {
        return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
      }
    }
    if (method === 'GET' && path === '/reports/held') return { status: 200, body: { held: state.held.filter((r) => v === undefined || r.vendor === v).length } };
    if (method === 'POST' && path === '/reports/release') return { status: 200, body: { released: state.release(v) } };
    if (method === 'DELETE' && path === '/reports') {
      state.setBehaviour(options.reports ?? {});
      return { status: 200, body: state.behaviour };
    }
    if (method === 'POST' && path === '/reset') {
      sandbox.reset();
      return { status: 204 };
    }
    return { status: 404, body: { error: 'not found', message: `No sandbox control endpoint ${method} ${ADMIN}${path}` } };
  }

  const sandbox: Sandbox = {
    url,
    port: actualPort,
    baseUrls,
    received: (vendor) => state.received.filter((r) => vendor === undefined || r.vendor === vendor),
    requests: (vendor) => state.answered.filter((r) => vendor === undefined || r.vendor === vendor),
    messages: (vendor) =>
      (vendor === undefined ? [...state.messages.values()].flatMap((m) => [...m.values()]) : [...(state.messages.get(vendor)?.values() ?? [])]).map((m) =>
        m.callbackUrl === undefined || maskUrlPassword(m.callbackUrl) === m.callbackUrl ? m : { ...m, callbackUrl: maskUrlPassword(m.callbackUrl) },
      ),
    deliveries: (vendor) => state.dlr.done.filter((d) => vendor === undefined || d.vendor === vendor).map((d) => ({ ...d, url: maskUrlPassword(d.url) })),
    settled: () => state.settled(),
    faults: {
      add(fault) {
        if (fault.vendor !== undefined && !VENDORS.includes(fault.vendor)) throw new TypeError(`unknown vendor ${String(fault.vendor)}`);
        state.faults.push(arm(fault));
      },
      list: () => state.faults.map((f) => ({ ...f })),
      clear() {
        state.faults = [];
      },
    },
    reports: {
      set: (behaviour) => state.setBehaviour(behaviour),
      get: () => ({ ...state.behaviour, delayMs: [...state.behaviour.delayMs] as [number, number] }),
      held: (vendor) => state.held.filter((r) => vendor === undefined || r.vendor === vendor).length,
      release: (vendor) => state.release(vendor),
    },
    reset: () => state.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return sandbox;
}

const SIMPLE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A web page open in the developer's browser can send a cross-site POST without asking (a "simple"
 * request: text/plain, form or multipart body, or none), and the Host check does not stop it, since
 * the page addresses 127.0.0.1 itself. So every control request that changes state must carry
 * `Content-Type: application/json`, which a browser sends cross-site only after a CORS preflight
 * the sandbox never grants (415 otherwise); and a request whose Origin is not the sandbox's own is
 * refused outright (403). Programs (tests, the CLI) send no Origin.
 */
function controlRefusal(method: string, origin: string | undefined, contentType: string | undefined, ownOrigins: ReadonlySet<string>, url: string): Reply | undefined {
  if (origin !== undefined && !ownOrigins.has(origin.toLowerCase())) {
    return { status: 403, body: { error: 'forbidden', message: `${ADMIN} answers no request from another origin (${origin}); only ${url}` } };
  }
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const changesState = !SIMPLE_METHODS.has(method);
  if (changesState && type !== 'application/json' && !(method === 'DELETE' && type === undefined)) {
    return { status: 415, body: { error: 'unsupported_media_type', message: `${method} ${ADMIN}/… takes only Content-Type: application/json (got ${type ?? 'none'})` } };
  }
  return undefined;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return value;
}

/**
 * Answers and closes the connection: a client still sending a refused body is not read on (Node
 * drops the rest and closes once the answer is out).
 */
function refuse(res: ServerResponse, reply: Reply, contentType: string): void {
  send(res, { ...reply, headers: { ...reply.headers, connection: 'close' } }, contentType);
}

function send(res: ServerResponse, reply: Reply, contentType: string): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = contentType;
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/**
 * The query as the vendors read it: a repeated parameter is an array, however often it repeats.
 * (openapi-backend's own parser, qs, turns more than 20 repeats into an object, which the vendor's
 * schema then refuses: Infobip's logs take 100 messageIds at once.)
 */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}
