/**
 * What every `msgkit` command line goes through, whichever commands its program holds: the root
 * command (name, version, where commander writes) and the run that turns the outcome into an exit
 * code. Kept apart from program.ts so that `msgkit normalize` can start with its own command alone
 * (bin.ts), without loading the modules of the others (journal, webhooks, the send path).
 */
import { Command, CommanderError } from 'commander';
import { describeError } from './errors';
import { CliError, line, type Io } from './io';
import { flushed, watchOutput } from './output';
import { version } from '../package.json';

/** The root `msgkit` command writing to `io`, without subcommands; it throws instead of exiting (`exitOverride`). */
export function rootCommand(io: Io): Command {
  return new Command('msgkit')
    .description('SMS tooling from msgkit: segments, phone numbers, sending through any provider, a local sandbox, a dashboard of campaigns')
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** Makes every subcommand of `program` throw instead of exiting and write to `io`, as the root does. */
export function overrideSubcommands(program: Command, io: Io): Command {
  const override = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/**
 * Runs `argv` through the program `create` makes and resolves with the exit code (see `main` in
 * program.ts for what each code means).
 */
export async function runCommandLine(argv: readonly string[], io: Io, create: () => Promise<Command>): Promise<number> {
  const output = watchOutput(io);
  const code = await run(argv, io, create);
  // The error of a last write to a closed pipe comes after the write: wait for it before deciding.
  await flushed(io.stdout);
  const failure = output.failure();
  if (failure) {
    line(io.stderr, `msgkit: cannot write the output: ${failure.code ?? failure.message}`);
    return code === 0 ? 1 : code;
  }
  if (output.signal.aborted && io.whenStdoutCloses !== 'carry-on') return 0;
  return code;
}

async function run(argv: readonly string[], io: Io, create: () => Promise<Command>): Promise<number> {
  let program: Command;
  try {
    program = await create();
  } catch (error) {
    line(io.stderr, `msgkit: ${describeError(error)}`);
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    // Stopping because stdout closed is no failure to tell about (main decides the code).
    if (io.stdoutClosed?.aborted && io.whenStdoutCloses !== 'carry-on') return 0;
    if (error instanceof CliError) {
      line(io.stderr, `msgkit: ${error.message}`);
      return error.exitCode;
    }
    line(io.stderr, `msgkit: ${describeError(error)}`);
    return 1;
  }
}
