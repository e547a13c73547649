import { existsSync } from 'node:fs';
import type { DeliveryReportFormat } from '@msgkit/core';
import { readJournal } from '@msgkit/journal';
import { basicAuth, type CallbackAuthenticator } from '@msgkit/webhooks';
import type { Command } from 'commander';
import { startReceiver } from '../dlrReceiver';
import { CliError, line, type Io } from '../io';

// Every vendor's parser: a report may come before the journal exists (the send has not begun yet).
const formats = async (): Promise<DeliveryReportFormat[]> => [
  (await import('@msgkit/smscx')).smscxReports,
  (await import('@msgkit/smsworks')).smsworksReports,
  (await import('@msgkit/octopush')).octopushReports,
  (await import('@msgkit/infobip')).infobipReports,
];

interface ServeFlags {
  journal: string;
  host: string;
  port: string;
  secretEnv: string;
  infobipAuthEnv: string;
  trustProxy?: boolean;
  publicOrigin?: string;
}

/** `msgkit webhooks serve`: the delivery-report receiver of a journaled campaign. */
export function webhooksCommand(program: Command, io: Io): void {
  const webhooks = program.command('webhooks').description('delivery reports');
  webhooks
    .command('serve')
    .description("receive the vendor's delivery reports and record each in a campaign journal (msgkit send --journal), durably before answering; `msgkit report` then shows delivered/failed. Runs until Ctrl-C")
    .requiredOption('--journal <file>', 'the campaign journal the reports belong to (it may not exist yet)')
    .option('--host <address>', 'address to bind (put a TLS proxy in front for the internet)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--secret-env <name>', 'environment variable holding the callback secret of `msgkit send --dlr-url` (≥ 32 bytes)', 'MSGKIT_WEBHOOK_SECRET')
    .option('--infobip-auth-env <name>', "environment variable holding `username:password` of the Infobip webhook's BASIC security (Subscriptions API)", 'INFOBIP_WEBHOOK_AUTH')
    .option('--trust-proxy', 'read the public scheme and host from Forwarded / X-Forwarded-* (only behind your own proxy)')
    .option('--public-origin <origin>', 'the public origin the vendor posts to, e.g. https://hooks.example.com (wins over any header)')
    .action(async (flags: ServeFlags) => {
      io.whenStdoutCloses = 'carry-on';
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be 0–65535, got "${flags.port}"`, 2);
      const secret = io.env[flags.secretEnv];
      if (secret !== undefined && Buffer.byteLength(secret) < 32) throw new CliError(`${flags.secretEnv} must be at least 32 bytes`, 2);
      const auth: Record<string, CallbackAuthenticator> = {};
      const basic = io.env[flags.infobipAuthEnv];
      if (basic !== undefined) {
        const colon = basic.indexOf(':');
        if (colon <= 0) throw new CliError(`${flags.infobipAuthEnv} must be username:password`, 2);
        auth['infobip'] = basicAuth({ username: basic.slice(0, colon), password: basic.slice(colon + 1) });
      }
      if (secret === undefined && basic === undefined) throw new CliError(`set ${flags.secretEnv} (the secret of msgkit's signed callback URLs) or ${flags.infobipAuthEnv} (Infobip BASIC): an open receiver would record forged reports`, 2);
      // Token-less callbacks (Infobip's account webhook) are the journal's vendor's.
      const vendor = existsSync(flags.journal) ? (await readJournal(flags.journal).catch(() => undefined))?.header.provider : undefined;
      const receiver = await startReceiver({
        journal: flags.journal,
        formats: await formats(),
        ...(secret !== undefined && { secrets: [secret] }),
        auth,
        ...(vendor !== undefined ? { vendor } : basic !== undefined ? { vendor: 'infobip' } : {}),
        host: flags.host,
        port,
        ...(flags.trustProxy && { trustProxy: true }),
        ...(flags.publicOrigin !== undefined && { publicOrigin: flags.publicOrigin }),
        onRefused: (reason, status) => line(io.stderr, `msgkit webhooks: refused a callback (${status} ${reason})`),
      }).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot listen on ${flags.host}:${port}: ${error.code ?? error.message}`);
      });
      line(io.stdout, `msgkit webhooks: ${receiver.url}/ recording into ${flags.journal}`);
      line(io.stdout, 'Ctrl-C stops it');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      if (!(await receiver.close())) {
        line(io.stderr, `msgkit webhooks: ${receiver.spooled()} report(s) stay in ${flags.journal}.dlr (the journal was busy, or the send has not recorded their message yet); msgkit report reads them, the next serve moves them`);
      }
    });
}
