import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

import type { CallbackAnswer, IncomingCallback } from './handler';

type WebHandler = (request: Request) => Promise<Response>;
/** A msgkit webhook handler: Node requests skip the Web Request/Response objects through `receive`. */
type Receiver = WebHandler & { receive?: (callback: IncomingCallback) => Promise<CallbackAnswer> };

const DEFAULT_MAX = 1024 * 1024;

/** The request body passed the size limit; nothing of it was kept. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * A Web `Request` from a Node request. `body` is what a framework already read: a Buffer or string
 * (express.raw, express.text), or a parsed object (express.json, Fastify's default), taken as its
 * JSON text. No msgkit credential signs the body bytes (the token signs the URL; Basic signs
 * nothing), so a parsed body verifies as well as the raw one.
 */
export async function fromNodeRequest(req: IncomingMessage, body?: unknown, options: { maxBodyBytes?: number } = {}): Promise<Request> {
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const url = `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const bytes = await bodyBytes(req, body, options.maxBodyBytes ?? DEFAULT_MAX);
  headers.delete('transfer-encoding');
  // The bytes handed on (a parsed body is re-serialized), not what the client declared.
  headers.set('content-length', String(bytes.byteLength));
  return new Request(url, { method, headers, body: bytes as Uint8Array<ArrayBuffer> });
}

/** Writes a Web `Response` to a Node response. */
export async function writeNodeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Serves one Node request with the handler: `body` is what a framework already read (see
 * `fromNodeRequest`). A msgkit handler is called through `receive`, without building Web
 * `Request`/`Response` objects; any other Web handler through `fromNodeRequest`.
 */
export async function handleNodeRequest(handler: Receiver, req: IncomingMessage, res: ServerResponse, body?: unknown, options: { maxBodyBytes?: number } = {}): Promise<void> {
  try {
    if (handler.receive) {
      const bytes = await bodyBytes(req, body, options.maxBodyBytes ?? DEFAULT_MAX);
      const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
      const answer = await handler.receive({
        method: req.method ?? 'GET',
        url: `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
        headers: { get: (name) => joined(req.headers[name.toLowerCase()]) },
        body: bytes,
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    await writeNodeResponse(res, await handler(await fromNodeRequest(req, body, options)));
  } catch (error) {
    const tooLarge = error instanceof BodyTooLargeError;
    if (!res.headersSent) res.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json', connection: 'close' }).end(tooLarge ? '{"error":"too_large"}' : '{"error":"receiver_failure"}');
    else res.destroy();
  }
}

/**
 * The handler as a `node:http` listener (also an Express route handler: `app.post('/dlr',
 * toNodeListener(handler))`, with or without a body parser before it).
 */
export function toNodeListener(handler: Receiver, options: { maxBodyBytes?: number } = {}): (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => void {
  return (req, res) => void handleNodeRequest(handler, req, res, req.body, options);
}

function joined(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

async function bodyBytes(req: IncomingMessage, body: unknown, max: number): Promise<Uint8Array> {
  if (body === undefined || body === null) return req.readableEnded ? new Uint8Array() : readStream(req, max);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function readStream(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(max));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
