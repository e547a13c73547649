/** Where a command writes, and what it reads from the environment: injectable for tests. */
export interface Io {
  /** Read by `msgkit segments -`; absent in tests that give none. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Set by a command that finished but must report failure (e.g. a recipient not sent). */
  exitCode: number;
  /**
   * Aborted when stdout can take no more: its reader left (`msgkit … | head`) or a write failed.
   * Set by `main`; a command that streams output stops when it fires.
   */
  stdoutClosed?: AbortSignal;
  /**
   * What a closed stdout means to the running command: `stop` (the default: the output was the
   * work, so the command ends quietly with exit 0) or `carry-on` (the work is elsewhere, a campaign
   * or a server, which the pipe has no say in; the command's own exit code stands).
   */
  whenStdoutCloses?: 'stop' | 'carry-on';
}

export const processIo = (): Io => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, exitCode: 0 });

export const line = (stream: NodeJS.WritableStream, text = '') => stream.write(`${text}\n`);

/** A failure the user can act on: printed as one line, exit code 1 (2 for usage errors). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
