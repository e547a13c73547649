/**
 * The options every provider client shares besides its credentials, checked and turned into the
 * policy `execute` applies, in one place so the four clients take them alike.
 */
import type { ValidationIssue } from '../errors';
import { noteHandlerIssues, printNotes, type NoteHandler } from '../rules/notes';
import type { ClientPolicy, HttpPolicyOptions } from './execute';
import type { AttemptHooks } from './hooks';
import { policyIssues, stringOptionIssues } from './input';
import { attemptLog, logOptionIssues, logs, type AttemptLog, type LogLevel, type Logger } from './log';
import { createRedactor } from './redact';
import type { FetchLike } from './redirect';

export interface ClientOptions extends HttpPolicyOptions, AttemptHooks {
  /** The vendor API's base URL (the sandbox's in tests). */
  baseUrl?: string | undefined;
  /** Country (ISO 3166-1 alpha-2) for numbers written without a country code. */
  defaultCountry?: string | undefined;
  fetch?: FetchLike | undefined;
  /**
   * Receives what is sent as given although the vendor will take it differently. Default: with
   * logging on, a `warn` line; else a `MsgkitNote` process warning. Each distinct note once. A
   * handler that throws stops the call before anything is sent.
   */
  onNote?: NoteHandler | undefined;
  /** Where log lines go (console-shaped); giving one turns logging on. Default: stderr. */
  logger?: Logger | undefined;
  /** Default: MSGKIT_LOG, else `warn` (retries, failures, notes) once logging is on. */
  logLevel?: LogLevel | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The environment, where the runtime has one (Node, Bun, Deno); none in a browser. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

const functionIssue = (value: unknown, name: string, what: string): ValidationIssue[] =>
  value === undefined || typeof value === 'function' ? [] : [{ path: [name], code: 'invalid_type', message: `must be ${what}` }];

/** Every issue of the shared options (credentials are each client's own). */
export function clientOptionIssues(options: { [K in keyof ClientOptions]?: unknown }, env: Env): ValidationIssue[] {
  return [
    ...stringOptionIssues(options.baseUrl, 'baseUrl'),
    ...stringOptionIssues(options.defaultCountry, 'defaultCountry'),
    ...noteHandlerIssues(options.onNote),
    ...policyIssues(options),
    ...functionIssue(options.fetch, 'fetch', 'a fetch function'),
    ...functionIssue(options.onRequest, 'onRequest', 'a function'),
    ...functionIssue(options.onResponse, 'onResponse', 'a function'),
    ...functionIssue(options.onRetry, 'onRetry', 'a function'),
    ...logOptionIssues(options, env),
  ];
}

/** The policy of a client whose options clientOptionIssues found nothing wrong with. */
export function clientPolicy(client: string, options: ClientOptions, secrets: ReadonlyArray<string | undefined>, env: Env): ClientPolicy {
  const policy: ClientPolicy = { client, redactor: createRedactor(secrets), log: attemptLog(options, env) };
  if (options.timeoutMs !== undefined) policy.timeoutMs = options.timeoutMs;
  if (options.maxRetries !== undefined) policy.maxRetries = options.maxRetries;
  const { onRequest, onResponse, onRetry } = options;
  if (onRequest || onResponse || onRetry) policy.hooks = { onRequest, onResponse, onRetry };
  return policy;
}

/** `onNote`, else a warn line per distinct note when logging is on, else printNotes(). */
export function noteHandler(onNote: NoteHandler | undefined, policy: ClientPolicy): NoteHandler {
  if (onNote) return onNote;
  const log: AttemptLog | undefined = policy.log;
  if (!log) return printNotes();
  const written = new Set<string>();
  return (note) => {
    const text = `msgkit ${policy.client}: note ${note.code} at ${note.path.length > 0 ? note.path.join('.') : '(request)'}: ${note.message}`;
    if (written.has(text) || !logs(log, 'warn')) return;
    written.add(text);
    log.logger.warn(policy.redactor ? policy.redactor.text(text) : text);
  };
}
