import type { Io } from './io';

/** The errors of a pipe whose reader has gone, and of writing to a stream closed because of it. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export interface WatchedOutput {
  /** Aborted once stdout can take no more. */
  signal: AbortSignal;
  /** Why stdout failed, when it was not its reader leaving (a full disk under `> file`, EIO…). */
  failure(): NodeJS.ErrnoException | undefined;
}

/**
 * Watches the command's stdout and stderr for write errors. Without a listener, a closed pipe
 * is an uncaught 'error' event: a stack trace, exit 1, for what is a normal end (`| head`). Node
 * ignores SIGPIPE, so the error event is the only news of it. The listeners stay for the life of
 * the streams: the error of the last write arrives a tick after the write.
 */
export function watchOutput(io: Io): WatchedOutput {
  const closed = new AbortController();
  let failure: NodeJS.ErrnoException | undefined;
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!READER_GONE.has(error.code ?? '')) failure ??= error;
    closed.abort(error);
  });
  // Nowhere is left to report a failing stderr; its reader leaving is as normal as stdout's.
  io.stderr.on('error', () => {});
  io.stdoutClosed = closed.signal;
  return { signal: closed.signal, failure: () => failure };
}

/** Resolves once everything written to `stream` so far has been handed to the system (or failed). */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  const writable = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  if (writable.destroyed || writable.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
