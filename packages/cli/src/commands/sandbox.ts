import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';

export function sandboxCommand(program: Command, io: Io): void {
  program
    .command('sandbox')
    .description('run the local sandbox of all four vendor APIs in the foreground (Ctrl-C stops it)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '4010')
    .action(async (options: { port: string }) => {
      // A server keeps serving after whoever read its first lines has gone.
      io.whenStdoutCloses = 'carry-on';
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be 0–65535, got "${options.port}"`, 2);
      // Loaded here: the sandbox (four specs and their validators) would slow every other command's start.
      const { startSandbox } = await import('@msgkit/sandbox');
      const sandbox = await startSandbox({ port });
      line(io.stdout, `msgkit sandbox listening on ${sandbox.url}`);
      for (const [vendor, url] of Object.entries(sandbox.baseUrls)) line(io.stdout, `  ${vendor.padEnd(9)} baseUrl ${url}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void sandbox.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
