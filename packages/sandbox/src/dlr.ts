import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import type { DeliveryAttempt, Vendor } from './types';

const BACKOFF_MS = [50, 100, 200, 400];
/** How long one POST may take before it is abandoned and tried again (`dlrTimeoutMs` of startSandbox). */
export const DLR_TIMEOUT_MS = 2000;
// A 25 000-message send to a local receiver must not open 25 000 sockets at once.
const CONCURRENCY = 16;
const NOT_HTTP = 'not an http(s) URL';
const ITSELF = 'the sandbox itself';

/**
 * Posts delivery reports in the background: never awaited by a request, a bounded number of
 * attempts per report, and every outcome kept for assertions. A report goes only to the URL it
 * names: redirects are not followed, only http(s) is spoken, and never to the sandbox's own port
 * on a loopback address (checked again on every connection, so a DNS name cannot be rebound to
 * it), so a request cannot make the sandbox call its own control endpoints.
 */
export class DlrSender {
  readonly done: DeliveryAttempt[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #controller = new AbortController();
  readonly #queue: Array<() => void> = [];
  readonly #agents = { http: new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY }), https: new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  #running = 0;

  /** `ownPort` gives the sandbox's port once it listens. */
  constructor(
    private readonly attempts: number,
    private readonly ownPort: () => number | undefined = () => undefined,
    private readonly timeoutMs: number = DLR_TIMEOUT_MS,
  ) {
    // Each running report (at most CONCURRENCY) listens on the one signal while it posts or backs off, and stops when done.
    setMaxListeners(CONCURRENCY, this.#controller.signal);
  }

  post(vendor: Vendor, url: string, body: unknown, mark: { late?: true } = {}): void {
    const job = this.#deliver(vendor, url, body, mark).finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  close(): void {
    this.#controller.abort();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async #deliver(vendor: Vendor, url: string, body: unknown, mark: { late?: true }): Promise<void> {
    if (this.#running >= CONCURRENCY) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#running++;
    try {
      await this.#attempt(vendor, url, body, mark);
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }

  async #attempt(vendor: Vendor, url: string, body: unknown, mark: { late?: true }): Promise<void> {
    const outcome: DeliveryAttempt = { vendor, url, body, attempts: 0, ok: false, ...mark };
    const target = parse(url);
    if (!target) outcome.refused = NOT_HTTP;
    else if (await this.#isSelf(target)) outcome.refused = ITSELF;
    const payload = JSON.stringify(body);
    for (let attempt = 0; target && !outcome.refused && attempt < this.attempts && !this.#controller.signal.aborted; attempt++) {
      if (attempt > 0) await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!, this.#controller.signal);
      outcome.attempts = attempt + 1;
      try {
        outcome.status = await this.#postOnce(target, payload);
        outcome.ok = outcome.status >= 200 && outcome.status < 300;
        // A redirect answers the same way next time; it is never followed.
        if (outcome.ok || (outcome.status >= 300 && outcome.status < 400)) break;
      } catch (error) {
        outcome.status = undefined;
        if ((error as { code?: unknown }).code === SELF_CODE) outcome.refused = ITSELF;
      }
    }
    this.done.push(outcome);
  }

  async #postOnce(target: URL, payload: string): Promise<number> {
    // This attempt's own signal, ended by close() or its timeout; the listener on the sender's signal goes with the attempt.
    const attempt = new AbortController();
    const closed = () => attempt.abort(this.#controller.signal.reason);
    this.#controller.signal.addEventListener('abort', closed, { once: true });
    const timer = setTimeout(() => attempt.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs);
    try {
      return await this.#request(target, payload, attempt.signal);
    } finally {
      clearTimeout(timer);
      this.#controller.signal.removeEventListener('abort', closed);
    }
  }

  #request(target: URL, payload: string, signal: AbortSignal): Promise<number> {
    const https = target.protocol === 'https:';
    const port = portOf(target);
    const own = this.ownPort();
    return new Promise((resolve, reject) => {
      const req: ClientRequest = (https ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          agent: https ? this.#agents.https : this.#agents.http,
          signal,
          lookup: (hostname, options, callback) =>
            dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
              if (error) return callback(error, '', 0);
              if (port === own && addresses.some((a) => reachesLoopback(a.address))) return callback(selfError(), '', 0);
              if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
              callback(null, addresses[0]!.address, addresses[0]!.family);
            }),
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async #isSelf(target: URL): Promise<boolean> {
    if (portOf(target) !== this.ownPort()) return false;
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return reachesLoopback(host);
    const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (error, all) => resolve(error ? [] : all)));
    return addresses.some((a) => reachesLoopback(a.address));
  }
}

const SELF_CODE = 'ERR_SANDBOX_SELF';

function selfError(): NodeJS.ErrnoException {
  return Object.assign(new Error('A delivery report may not go to the sandbox itself'), { code: SELF_CODE });
}

function parse(url: string): URL | undefined {
  try {
    const target = new URL(url);
    return target.protocol === 'http:' || target.protocol === 'https:' ? target : undefined;
  } catch {
    return undefined;
  }
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * Would a connection to this address reach a server listening on 127.0.0.1? Any 127/8 address,
 * the unspecified address (Linux connects it locally) and their IPv4-mapped IPv6 forms (which
 * `new URL` writes in hex, `::ffff:7f00:1`); `::1` too, in case the sandbox ever listens there.
 */
export function reachesLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (isIP(a) === 4) return a.startsWith('127.') || a === '0.0.0.0';
  if (a === '::1' || a === '::') return true;
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(a);
  if (!mapped) return false;
  if (mapped[1]) return reachesLoopback(mapped[1]);
  const high = parseInt(mapped[2]!, 16);
  const low = parseInt(mapped[3]!, 16);
  return high >> 8 === 127 || (high === 0 && low === 0);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // The listener goes when the timer fires: the sender's one signal outlives every back-off.
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}
