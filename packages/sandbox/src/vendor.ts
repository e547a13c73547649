import type { SandboxState } from './state';
import type { Reply, Vendor } from './types';

type Headers = Record<string, string | string[] | undefined>;

/** The fields of an ajv error the sandbox reads. */
export interface ErrorObject {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  params: Record<string, any>;
  message?: string;
}

/** What an operation handler gets: the validated request and the sandbox's memory. */
export interface OpContext {
  vendor: Vendor;
  operationId: string;
  method: string;
  path: string;
  // The body was validated against the vendor's spec before the handler runs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Headers;
  state: SandboxState;
  now: Date;
  /** Records this request as accepted (with the ids of the messages it created). */
  record(messageIds?: string[]): void;
}

/** One vendor API: where it lives, its spec, its credentials, its error bodies and its operations. */
export interface VendorModule {
  vendor: Vendor;
  /** Prefix plus the path part of the vendor's server URL, e.g. `/smsworks/v1`. */
  basePath: string;
  spec(): Record<string, unknown>;
  /** Content type of JSON answers. */
  contentType: string;
  /** Per security scheme name of the spec: is this request's credential for that scheme good? */
  security: Record<string, (headers: Headers) => boolean>;
  unauthorized(operationId: string | undefined): Reply;
  /** The vendor's answer to a request that breaks its spec. */
  invalid(operationId: string, errors: ErrorObject[]): Reply;
  notFound(method: string, path: string): Reply;
  /** A body refused before any parsing (408 too slow, 413 too large), in the vendor's error shape. */
  transportError(status: 408 | 413, message: string): Reply;
  operations: Record<string, (ctx: OpContext) => Reply>;
}

/** Any non-empty credential is accepted, except the literal `invalid` (so tests can provoke a 401). */
export function goodCredential(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '' && value.trim() !== 'invalid';
}

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `Scheme <credential>` → the credential, when the scheme matches (case-insensitive). */
export function schemeCredential(value: string | undefined, scheme: string): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\S+)\s+(.*)$/.exec(value.trim());
  return match && match[1]!.toLowerCase() === scheme.toLowerCase() ? match[2] : undefined;
}

/** One ajv error as a location in the request: `{ in: 'body', path: ['to', '3'] }` (a missing property included). */
export interface Issue {
  in: 'body' | 'path' | 'query' | 'header' | 'other';
  path: string[];
  keyword: string;
  message: string;
  error: ErrorObject;
}

const LOCATIONS: Record<string, Issue['in']> = { requestBody: 'body', path: 'path', query: 'query', header: 'header' };

export function issuesOf(errors: ErrorObject[]): Issue[] {
  return errors.map((error) => {
    const parts = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (error.keyword === 'required' && typeof error.params['missingProperty'] === 'string') parts.push(error.params['missingProperty']);
    if (error.keyword === 'parse') return { in: 'body', path: [], keyword: 'parse', message: `Malformed JSON: ${error.message ?? ''}`, error };
    const where = LOCATIONS[parts[0] ?? ''] ?? 'other';
    const path = where === 'other' ? parts : parts.slice(1);
    const name = path.length > 0 ? path.join('.') : where === 'body' ? 'body' : where;
    return { in: where, path, keyword: error.keyword, message: `${name} ${error.message ?? 'is invalid'}`, error };
  });
}

/** `a.b[0].c` style path for error bodies. */
export function dotted(path: string[]): string {
  return path.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}
