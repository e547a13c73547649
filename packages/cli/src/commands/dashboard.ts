import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';

type DashboardModule = typeof import('@msgkit/dashboard');

/**
 * Loads @msgkit/dashboard, an optional peer dependency (a web server, bull-board's page): a CLI
 * user who never opens the dashboard does not install them. `load` is a parameter so a test can
 * name a module that is missing.
 */
export async function loadDashboard(load: () => Promise<DashboardModule> = () => import('@msgkit/dashboard')): Promise<DashboardModule> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new CliError('msgkit dashboard needs the @msgkit/dashboard package: npm i @msgkit/dashboard', 2);
    throw error;
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface DashboardFlags {
  journal?: string[];
  journalDir?: string[];
  redis?: string;
  prefix?: string;
  host: string;
  port: string;
  token?: string;
  allowHost?: string[];
  connectTimeout?: string;
}

export function dashboardCommand(program: Command, io: Io, load?: () => Promise<DashboardModule>): void {
  program
    .command('dashboard')
    .description('serve a local, read-only web page of campaigns: journal files (msgkit send --journal), folders of them, a queue\'s Redis; prints its address, runs until Ctrl-C (needs: npm i @msgkit/dashboard)')
    .option('--journal <file>', 'a campaign journal (repeatable)', collect)
    .option('--journal-dir <dir>', 'a folder whose journal files are all shown, those started later too (repeatable)', collect)
    .option('--redis <url>', 'a queue\'s Redis: every campaign in it, and bull-board (read-only) for its jobs (needs @msgkit/queue)')
    .option('--prefix <prefix>', 'key prefix the queue campaigns were enqueued with (default: the queue\'s own)')
    .option('--host <address>', 'address to bind; anything but loopback needs a token', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '7420')
    .option('--token <token>', 'the token a browser must present (default: MSGKIT_DASHBOARD_TOKEN; made up for a bind beyond loopback)')
    .option('--allow-host <name>', 'another host name the page may be reached by, for a bind beyond loopback (repeatable)', collect)
    .option('--connect-timeout <seconds>', 'how long connecting to Redis may take before exit 1 (default 10)')
    .action(async (flags: DashboardFlags) => {
      io.whenStdoutCloses = 'carry-on';
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be 0–65535, got "${flags.port}"`, 2);
      const timeout = flags.connectTimeout === undefined ? undefined : Number(flags.connectTimeout);
      if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new CliError(`--connect-timeout must be a positive number of seconds, got "${flags.connectTimeout}"`, 2);
      if (!flags.journal && !flags.journalDir && flags.redis === undefined) throw new CliError('name what to show: --journal <file>, --journal-dir <dir> or --redis <url>', 2);
      const { startDashboard } = await loadDashboard(load);
      const token = flags.token ?? io.env.MSGKIT_DASHBOARD_TOKEN;
      const dashboard = await startDashboard({
        ...(flags.journal && { journals: flags.journal }),
        ...(flags.journalDir && { journalDirs: flags.journalDir }),
        ...(flags.redis !== undefined && { redis: flags.redis }),
        ...(flags.prefix !== undefined && { prefix: flags.prefix }),
        ...(timeout !== undefined && { connectTimeoutMs: timeout * 1000 }),
        ...(token !== undefined && { token }),
        ...(flags.allowHost && { allowHosts: flags.allowHost }),
        host: flags.host,
        port,
      }).catch(failure);
      // The token is printed here once, in the address to open; the page keeps it in a cookie.
      line(io.stdout, `msgkit dashboard: ${dashboard.token === undefined ? dashboard.url : `${dashboard.url}?token=${encodeURIComponent(dashboard.token)}`}`);
      line(io.stdout, 'read-only; numbers masked; Ctrl-C stops it');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void dashboard.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** The dashboard's typed errors as one line: options (exit 2), a missing package (2), Redis out of reach (1). */
function failure(error: unknown): never {
  const e = error as { name?: unknown; code?: unknown; address?: unknown; why?: unknown; message?: unknown } | null;
  if (e?.name === 'DashboardOptionsError' || e?.code === 'missing_queue_package') throw new CliError(String(e.message), 2);
  if (e?.code === 'redis_unavailable') throw new CliError(`cannot reach Redis at ${String(e.address)} (${String(e.why)})`, 1);
  if (e?.code === 'EADDRINUSE') throw new CliError(`the port is taken: choose another with --port (0 picks a free one)`, 1);
  throw error;
}
