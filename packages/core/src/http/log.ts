/**
 * One log line per HTTP attempt, for a client given a `logger`, a `logLevel` or `MSGKIT_LOG`.
 * Silent otherwise: a library prints nothing it was not asked to (notes keep their own channel).
 * Every line and record passes the client's redactor, like its errors: a vendor that echoes a
 * credential into a header, a request id or an error body does not put it in a log.
 */
import type { ValidationIssue } from '../errors';
import type { Redactor } from './redact';

/**
 * The lowest level a client logs at. A successful attempt is written at `info`, a failed one that
 * is tried again at `warn`, a failed one that is not at `error`; `debug` writes every attempt at
 * its own level with the answer's redacted headers and the error's message added to its record.
 * `warn` is the default once logging is on; `off` writes nothing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** What each line also carries as data, for a structured logger. */
export interface LogRecord {
  client: string;
  method: string;
  /** The URL's path, without host or query (a query may hold phone numbers). */
  path: string;
  /** The HTTP status, or undefined when no answer came. */
  status: number | undefined;
  /** 1 for the first request of a call. */
  attempt: number;
  /** From sending the request to the answer read whole (or the failure). */
  durationMs: number;
  requestId: string | undefined;
  /** The error's code when the attempt failed (`server_error`, `timeout`, …). */
  error?: string;
  /** Set when the attempt is tried again after this wait. */
  retryInMs?: number;
  /** A failed call that may have reached the vendor. */
  outcomeUnknown?: boolean;
  /** `debug` only: the answer's headers and the error's message, redacted. */
  headers?: Record<string, string>;
  message?: string;
}

/** Console-shaped: `console` itself, pino, winston and most loggers take `(message, data)`. */
export interface Logger {
  /** Required so that any console-shaped logger fits; a client writes each attempt at `info`, `warn` or `error`, whatever the {@link LogLevel}. */
  debug(message: string, record?: LogRecord): void;
  /** A successful attempt. */
  info(message: string, record?: LogRecord): void;
  /** A failed attempt that the client tries again (the record's `retryInMs` says after how long). */
  warn(message: string, record?: LogRecord): void;
  /** A failed attempt that is not tried again: the call fails with it (`outcomeUnknown` set when the vendor may have acted). */
  error(message: string, record?: LogRecord): void;
}

/** Every {@link LogLevel}, from the most to the least verbose: the values `logLevel` and `MSGKIT_LOG` accept. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

/** A client's logging, resolved once at construction. */
export interface AttemptLog {
  /** Index in LOG_LEVELS: a line is written when its level's index is at least this. */
  threshold: number;
  logger: Logger;
}

// On stderr, so a program whose stdout is data (`msgkit normalize --csv > out`) keeps it clean.
const stderr: Logger = {
  debug: (message) => console.warn(message),
  info: (message) => console.warn(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

const isLevel = (value: unknown): value is LogLevel => typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);

export function logOptionIssues(options: { logger?: unknown; logLevel?: unknown }, env: Readonly<Record<string, string | undefined>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { logger, logLevel } = options;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || !['debug', 'info', 'warn', 'error'].every((name) => typeof (logger as Record<string, unknown>)[name] === 'function'))) {
    issues.push({ path: ['logger'], code: 'invalid_type', message: 'must have debug, info, warn and error functions (console does)' });
  }
  if (logLevel !== undefined && !isLevel(logLevel)) issues.push({ path: ['logLevel'], code: 'invalid', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  const fromEnv = env.MSGKIT_LOG;
  if (fromEnv !== undefined && fromEnv !== '' && !isLevel(fromEnv.trim().toLowerCase())) {
    issues.push({ path: ['env', 'MSGKIT_LOG'], code: 'invalid', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  }
  return issues;
}

/**
 * The level is `logLevel`, else MSGKIT_LOG, else `warn`; logging is on when any of `logger`,
 * `logLevel` or MSGKIT_LOG is given (the logger defaults to stderr). Checked by logOptionIssues.
 */
export function attemptLog(options: { logger?: Logger | undefined; logLevel?: LogLevel | undefined }, env: Readonly<Record<string, string | undefined>>): AttemptLog | undefined {
  const fromEnv = env.MSGKIT_LOG?.trim().toLowerCase() || undefined;
  if (options.logger === undefined && options.logLevel === undefined && fromEnv === undefined) return undefined;
  const level = options.logLevel ?? (fromEnv as LogLevel | undefined) ?? 'warn';
  if (level === 'off') return undefined;
  return { threshold: LOG_LEVELS.indexOf(level), logger: options.logger ?? stderr };
}

export function logs(log: AttemptLog | undefined, level: Exclude<LogLevel, 'off'>): log is AttemptLog {
  return log !== undefined && LOG_LEVELS.indexOf(level) >= log.threshold;
}

/** `msgkit smscx: POST /sms 503 server_error (attempt 1, 20 ms, request id r-1); retrying in 500 ms` */
export function writeAttempt(log: AttemptLog, level: Exclude<LogLevel, 'off'>, record: LogRecord, redactor: Redactor | undefined): void {
  const safe = redactor ? redactor.value(record) : record;
  const facts = [`attempt ${safe.attempt}`, `${Math.round(safe.durationMs)} ms`];
  if (safe.requestId !== undefined) facts.push(`request id ${safe.requestId}`);
  let line = `msgkit ${safe.client}: ${safe.method} ${safe.path}${safe.status === undefined ? '' : ` ${safe.status}`}${safe.error ? ` ${safe.error}` : ''} (${facts.join(', ')})`;
  if (safe.retryInMs !== undefined) line += `; retrying in ${Math.round(safe.retryInMs)} ms`;
  else if (safe.error) line += safe.outcomeUnknown ? '; not retried, outcome unknown' : '; not retried';
  if (safe.message !== undefined) line += `: ${safe.message}`;
  log.logger[level](line, safe);
}
