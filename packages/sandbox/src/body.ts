import type { IncomingMessage } from 'node:http';

/**
 * Default request-body limit: 48 MiB. The largest request a vendor documents as acceptable is
 * The SMS Works `POST /batch/any`: 5000 messages, each with a 1280-character `content`, a
 * 280-character `tag` and up to 1 KB of metadata. In non-Latin text (3 UTF-8 bytes a character)
 * with a callback URL that is about 6 KB a message, 30 MB in all; SMS.CX's 25 000 recipients
 * are 0.5 MB and Octopush's 500 under 0.1 MB. Infobip documents no maximum.
 */
export const MAX_BODY_BYTES = 48 * 1024 * 1024;

/**
 * Deepest JSON nesting taken (arrays and objects together). The deepest request in the four specs
 * nests under 10 levels; past this the body is refused before JSON.parse sees it, since parsing a
 * body of millions of `[` costs seconds and gigabytes.
 */
export const MAX_JSON_DEPTH = 64;

/** How long a request body may take to arrive, from the request's headers to its last byte. */
export const BODY_TIMEOUT_MS = 10_000;

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
  timeoutMs: number;
}

export type BodyResult =
  | { ok: true; raw: Buffer }
  | { ok: false; status: 400; reason: 'too_deep' }
  | { ok: false; status: 408; reason: 'timeout' }
  | { ok: false; status: 413; reason: 'too_large' }
  /** The client went away before the body ended: nothing to answer. */
  | { ok: false; status: 0; reason: 'aborted' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Counts JSON nesting as bytes arrive, ignoring brackets inside strings. UTF-8 continuation bytes
 * are all >= 0x80, so scanning bytes rather than characters is exact.
 */
export class DepthScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(private readonly max: number) {}

  /** False once the nesting has gone past the maximum. */
  push(chunk: Buffer): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) this.#inString = false;
      } else if (byte === QUOTE) this.#inString = true;
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++this.#depth > this.max) return false;
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) this.#depth--;
    }
    return true;
  }
}

/**
 * Reads a request body within the limits. On a refusal it stops keeping bytes at once, so a huge
 * or endless body costs at most `maxBytes` of memory; the caller answers and closes the connection.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.resolve({ ok: false, status: 413, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const scanner = new DepthScanner(limits.maxDepth);
    let size = 0;
    const finish = (result: BodyResult): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      chunks.length = 0;
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish({ ok: false, status: 413, reason: 'too_large' });
      if (!scanner.push(chunk)) return finish({ ok: false, status: 400, reason: 'too_deep' });
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const raw = Buffer.concat(chunks);
      finish({ ok: true, raw });
    };
    const onClose = (): void => finish({ ok: false, status: 0, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, status: 408, reason: 'timeout' }), limits.timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
