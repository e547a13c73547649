import type { Command } from 'commander';
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
import { processIo, type Io } from './io';
import { overrideSubcommands, rootCommand, runCommandLine } from './runner';
import { loadSenders } from './senders';
import type { SenderFactory } from '@msgkit/core';

/**
 * The `msgkit` command as a commander `Command` writing to `io`, with every subcommand; it throws
 * instead of exiting (`exitOverride`). `main` runs it and turns the outcome into an exit code.
 * `factories`: the one list of senders, loaded; `send` takes its vendor option flags and its help
 * from it. Without it `send` is listed with msgkit's own flags only (main() loads it for `send`).
 */
export function createProgram(io: Io, factories?: SenderFactory[]): Command {
  const program = rootCommand(io);
  for (const add of [segmentsCommand, normalizeCommand, planCommand, reportCommand, sandboxCommand, campaignCommand, reconcileCommand, dashboardCommand, webhooksCommand]) add(program, io);
  sendCommand(program, io, factories);
  return overrideSubcommands(program, io);
}

/** True when the command line runs `send` or asks for its help: only then are the provider packages loaded. */
const wantsSenders = (argv: readonly string[]) => {
  const [first, second] = argv.filter((a) => !a.startsWith('-'));
  return first === 'send' || (first === 'help' && second === 'send');
};

/**
 * Runs the command line and resolves with the exit code: 0 done, 1 a failure (something was not
 * sent, an input was invalid, the vendor refused), 2 a usage error (bad or missing arguments), 130 a
 * send interrupted by Ctrl-C (run the same command to resume). A reader that closes stdout early
 * (`| head`) ends an output command quietly with 0; `send` and `sandbox` carry on and keep their code.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  return runCommandLine(argv, io, async () => createProgram(io, wantsSenders(argv) ? await loadSenders() : undefined));
}

