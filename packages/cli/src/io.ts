/** Where a command writes, and what it reads from the environment: injectable for tests. */
export interface Io {
  /** Read by `msgkit segments -`; absent in tests that give none. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Set by a command that finished but must report failure (e.g. a recipient not sent). */
  exitCode: number;
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
