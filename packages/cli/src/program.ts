import { Command, CommanderError } from 'commander';
import { campaignCommand } from './commands/campaign';
import { dashboardCommand } from './commands/dashboard';
import { normalizeCommand } from './commands/normalize';
import { planCommand } from './commands/plan';
import { reconcileCommand } from './commands/reconcile';
import { reportCommand } from './commands/report';
import { sandboxCommand } from './commands/sandbox';
import { segmentsCommand } from './commands/segments';
import { sendCommand } from './commands/send';
import { webhooksCommand } from './commands/webhooks';
import { describeError } from './errors';
import { CliError, line, processIo, type Io } from './io';
import { flushed, watchOutput } from './output';
import { loadSenders } from './senders';
import type { SenderFactory } from '@msgkit/core';
import { version } from '../package.json';

/**
 * The `msgkit` command as a commander `Command` writing to `io`, with every subcommand; it throws
 * instead of exiting (`exitOverride`). `main` runs it and turns the outcome into an exit code.
 * `factories`: the one list of senders, loaded; `send` takes its vendor option flags and its help
 * from it. Without it `send` is listed with msgkit's own flags only (run() loads it for `send`).
 */
export function createProgram(io: Io, factories?: SenderFactory[]): Command {
  const program = new Command('msgkit')
    .description('SMS tooling from msgkit: segments, phone numbers, sending through any provider, a local sandbox, a dashboard of campaigns')
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const add of [segmentsCommand, normalizeCommand, planCommand, reportCommand, sandboxCommand, campaignCommand, reconcileCommand, dashboardCommand, webhooksCommand]) add(program, io);
  sendCommand(program, io, factories);
  const override = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    command.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

/**
 * Runs the command line and resolves with the exit code: 0 done, 1 a failure (something was not
 * sent, an input was invalid, the vendor refused), 2 a usage error (bad or missing arguments), 130 a
 * send interrupted by Ctrl-C (run the same command to resume). A reader that closes stdout early
 * (`| head`) ends an output command quietly with 0; `send` and `sandbox` carry on and keep their code.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const output = watchOutput(io);
  const code = await run(argv, io);
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

/** True when the command line runs `send` or asks for its help: only then are the provider packages loaded. */
const wantsSenders = (argv: readonly string[]) => {
  const [first, second] = argv.filter((a) => !a.startsWith('-'));
  return first === 'send' || (first === 'help' && second === 'send');
};

async function run(argv: readonly string[], io: Io): Promise<number> {
  let program: Command;
  try {
    program = createProgram(io, wantsSenders(argv) ? await loadSenders() : undefined);
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
