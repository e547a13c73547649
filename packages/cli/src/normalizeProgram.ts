/**
 * `msgkit normalize` on its own: the root command with the normalize subcommand alone, so a run
 * over a list loads the phone metadata, commander and the CSV reader, and none of the other
 * commands' modules (the journal, webhooks, the campaign path), whose loading cost every
 * normalize run CPU time it could not use (issue 20). bin.ts takes this path for `msgkit normalize …`.
 */
import { normalizeCommand } from './commands/normalize';
import { processIo, type Io } from './io';
import { overrideSubcommands, rootCommand, runCommandLine } from './runner';

/** Runs `msgkit normalize …` (argv without the leading `normalize`'s program name) and resolves with the exit code, as `main` does. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  return runCommandLine(argv, io, async () => {
    const program = rootCommand(io);
    normalizeCommand(program, io);
    return overrideSubcommands(program, io);
  });
}
