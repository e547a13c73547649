import { existsSync } from 'node:fs';
import type { DeliveryReportFormat } from '@msgkit/core';
import { DEFAULT_TIMEOUT_MS } from '@msgkit/core/internal';
import { readJournal } from '@msgkit/journal';
import { basicAuth, createCallbackUrl, type CallbackAuthenticator } from '@msgkit/webhooks';
import type { Command } from 'commander';
import { startReceiver, type ReportServerOptions } from '../dlrReceiver';
import { formatDuration, keptNotice, persistenceNotice, startRedisReceiver } from '../dlrRedisReceiver';
import { connectTimeoutMs, loadQueue, redisFailure, redisUrl } from './campaign';
import { parseDuration } from '../failoverPlan';
import { CliError, line, type Io } from '../io';

// Every vendor's parser: a report may come before the journal exists (the send has not begun yet).
const formats = async (): Promise<DeliveryReportFormat[]> => [
  (await import('@msgkit/smscx')).smscxReports,
  (await import('@msgkit/smsworks')).smsworksReports,
  (await import('@msgkit/octopush')).octopushReports,
  (await import('@msgkit/infobip')).infobipReports,
];

interface ServeFlags {
  journal?: string;
  redis?: string;
  prefix?: string;
  connectTimeout?: string;
  redisPersistence?: string;
  keptWindow?: string;
  sendTimeout?: string;
  agedOutCap?: string;
  host: string;
  port: string;
  secretEnv: string;
  previousSecretEnv: string;
  infobipAuthEnv: string;
  trustProxy?: boolean;
  publicOrigin?: string;
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM. */
const untilStopped = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

/** Where and how either receiver listens, from the flags; refusals are said on stderr. */
function listening(flags: ServeFlags, io: Io, port: number): Pick<ReportServerOptions, 'host' | 'port' | 'trustProxy' | 'publicOrigin' | 'onRefused'> {
  return {
    host: flags.host,
    port,
    ...(flags.trustProxy && { trustProxy: true }),
    ...(flags.publicOrigin !== undefined && { publicOrigin: flags.publicOrigin }),
    onRefused: (reason, status) => line(io.stderr, `msgkit webhooks: refused a callback (${status} ${reason})`),
  };
}

/** A receiver that could not listen, as the CLI says it (exit 1). */
const cannotListen = (flags: ServeFlags, port: number) => (error: NodeJS.ErrnoException): never => {
  throw new CliError(`cannot listen on ${flags.host}:${port}: ${error.code ?? error.message}`);
};

/** The queue's RedisNotDurableError (known by its code) as one line, exit 1: a receiver that could lose reports it answered 200 does not start. */
function notDurable(error: unknown): never {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'redis_not_durable') throw new CliError(`webhooks serve not started: ${String(e.message)}`, 1);
  throw error;
}

/**
 * The recorder's refusal of a window shorter than one send request (issue `kept_window_too_short`,
 * the least window being the workers' request timeout) in the flags' words, exit 2; anything else
 * passes on.
 */
const windowRefused = (flags: ServeFlags, sendTimeoutMs: number | undefined) => (error: unknown): never => {
  const issues = (error as { code?: unknown; issues?: Array<{ code: string }> } | null)?.issues;
  if ((error as { code?: unknown } | null)?.code === 'validation_error' && issues?.some((i) => i.code === 'kept_window_too_short')) {
    const minimum = sendTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    throw new CliError(
      `--kept-window ${flags.keptWindow} is shorter than one send request may take (${formatDuration(minimum)}: ${flags.sendTimeout === undefined ? "core's request timeout, the default; --send-timeout gives the workers' own" : '--send-timeout'}): a report on an account URL could be moved aside unplaced while its send's answer, and with it the ticket, is still on its way`,
      2,
    );
  }
  throw error;
};

/** `msgkit webhooks serve --redis`: reports of queue campaigns into their Redis. */
async function serveRedis(flags: ServeFlags, io: Io, port: number, access: { secrets?: string[]; auth: Record<string, CallbackAuthenticator>; vendor?: string }): Promise<void> {
  const url = redisUrl(flags.redis, io);
  const timeout = connectTimeoutMs(flags.connectTimeout);
  const persistence = flags.redisPersistence ?? 'require-aof';
  if (persistence !== 'require-aof' && persistence !== 'trust-aof' && persistence !== 'accept-loss') throw new CliError(`--redis-persistence must be require-aof, trust-aof or accept-loss, got "${persistence}"`, 2);
  const keptWindowMs = flags.keptWindow === undefined ? undefined : parseDuration(flags.keptWindow);
  if (flags.keptWindow !== undefined && keptWindowMs === undefined) throw new CliError(`--kept-window must be a duration with its unit (s, m, h, d), e.g. 24h, got "${flags.keptWindow}"`, 2);
  const sendTimeoutS = flags.sendTimeout === undefined ? undefined : Number(flags.sendTimeout);
  // The recorder takes whole milliseconds, 1 or more (queue DeliveryRecorderOptions.sendTimeoutMs).
  const sendTimeoutMs = sendTimeoutS === undefined ? undefined : Math.round(sendTimeoutS * 1000);
  if (flags.sendTimeout !== undefined && (!/^\d+(\.\d+)?$/.test(flags.sendTimeout) || !Number.isSafeInteger(sendTimeoutMs) || sendTimeoutMs! < 1)) throw new CliError(`--send-timeout must be a positive number of seconds, got "${flags.sendTimeout}"`, 2);
  const agedOutCap = flags.agedOutCap === undefined ? undefined : Number(flags.agedOutCap);
  if (agedOutCap !== undefined && (!/^\d+$/.test(flags.agedOutCap!) || !Number.isSafeInteger(agedOutCap))) throw new CliError(`--aged-out-cap must be a whole number, 0 or more, got "${flags.agedOutCap}"`, 2);
  const queue = await loadQueue();
  const recorder = await queue
    .createDeliveryRecorder({
      connection: url,
      redisPersistence: persistence,
      ...(keptWindowMs !== undefined && { keptWindowMs }),
      ...(sendTimeoutMs !== undefined && { sendTimeoutMs }),
      ...(agedOutCap !== undefined && { agedOutCap }),
      onNotDurable: (error) => line(io.stderr, `msgkit webhooks: ${error.message}. Every report is answered 500 (the vendor sends it again) until Redis writes an append-only file again`),
      ...(flags.prefix !== undefined && { prefix: flags.prefix }),
      ...(timeout !== undefined && { connectTimeoutMs: timeout }),
    })
    .catch(windowRefused(flags, sendTimeoutMs))
    .catch(notDurable)
    .catch(redisFailure);
  const counts = await recorder.keptCounts();
  let agedOut = counts.agedOut;
  const receiver = await startRedisReceiver({
    recorder,
    afterFlush: async () => {
      const now = await recorder.keptCounts();
      if (now.agedOut > agedOut) line(io.stderr, `msgkit webhooks: ${now.agedOut - agedOut} report(s) on an account URL moved aside unplaced (ticket unknown after --kept-window, or a number not in its batch); ${now.agedOut} in all, ${now.kept} still kept`);
      agedOut = Math.max(agedOut, now.agedOut);
    },
    formats: await formats(),
    ...access,
    ...listening(flags, io, port),
  }).catch(cannotListen(flags, port));
  line(io.stdout, `msgkit webhooks: ${receiver.url}/ recording into Redis at ${new URL(url).host}${flags.prefix !== undefined ? ` (prefix ${flags.prefix})` : ''}`);
  for (const text of persistenceNotice(recorder.persistence, new URL(url).host)) line(io.stdout, `msgkit webhooks: ${text}`);
  line(io.stdout, `msgkit webhooks: ${keptNotice(recorder.kept, counts, queue.DEFAULT_KEPT_WINDOW_MS)}`);
  line(io.stdout, 'Ctrl-C stops it');
  await untilStopped();
  const waiting = await receiver.close();
  if (waiting !== 0) line(io.stderr, `msgkit webhooks: ${waiting < 0 ? 'some' : waiting} report(s) wait in Redis for their batch's answer (or, on Octopush's account URL, for a worker to record their ticket); the next serve (or msgkit reconcile --redis) places them`);
}

/** `msgkit webhooks serve`: the delivery-report receiver of a journaled campaign, or of queue campaigns in Redis. */
export function webhooksCommand(program: Command, io: Io): void {
  const webhooks = program.command('webhooks').description('delivery reports');
  webhooks
    .command('serve')
    .description("receive the vendor's delivery reports and record each in a campaign journal (msgkit send --journal), or in the Redis of queue campaigns (--redis), durably before answering; `msgkit report` or `msgkit campaign status` then shows delivered/failed. Runs until Ctrl-C")
    .option('--journal <file>', 'the campaign journal the reports belong to (it may not exist yet)')
    .option('--redis <url>', 'record into the Redis of @msgkit/queue campaigns instead (their workers sign the callback URLs: deliveryReports)')
    .option('--prefix <prefix>', "with --redis: the key prefix the campaigns were enqueued with (default: the queue's own)")
    .option('--connect-timeout <seconds>', 'with --redis: how long connecting to Redis may take before exit 1 (default 10)')
    .option(
      '--redis-persistence <mode>',
      "with --redis: require-aof (default: Redis must write an append-only file, appendfsync everysec or always, checked at start and on every reconnection; a report is answered 200 only then), trust-aof (CONFIG disabled: refused only if INFO says aof_enabled:0), accept-loss (any Redis: a restart can lose reports already answered 200)",
    )
    .option('--kept-window <duration>', "with --redis: how long a report on an account URL (Octopush) may wait for a worker to record its ticket before it is moved aside unplaced, counted (default 24h: Octopush's request_id lifetime; printed at start)")
    .option('--send-timeout <seconds>', "with --redis: the longest one send request of the campaigns' workers may take (their senders' timeoutMs, msgkit send --timeout; default 30, core's): --kept-window may not be shorter, since a ticket is recorded only once its send's answer is read")
    .option('--aged-out-cap <n>', 'with --redis: how many reports moved aside unplaced Redis keeps for proof, the newest (default 10000; the count counts them all)')
    .option('--host <address>', 'address to bind (put a TLS proxy in front for the internet)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8787')
    .option('--secret-env <name>', 'environment variable holding the callback secret of `msgkit send --dlr-url` (≥ 32 bytes)', 'MSGKIT_WEBHOOK_SECRET')
    .option('--previous-secret-env <name>', 'environment variable holding the secret being rotated out: URLs it signed are still taken (an account URL in a back office, until you set a new one)', 'MSGKIT_WEBHOOK_SECRET_PREVIOUS')
    .option('--infobip-auth-env <name>', "environment variable holding `username:password` of the Infobip webhook's BASIC security (Subscriptions API)", 'INFOBIP_WEBHOOK_AUTH')
    .option('--trust-proxy', 'read the public scheme and host from Forwarded / X-Forwarded-* (only behind your own proxy)')
    .option('--public-origin <origin>', 'the public origin the vendor posts to, e.g. https://hooks.example.com (wins over any header)')
    .action(async (flags: ServeFlags) => {
      io.whenStdoutCloses = 'carry-on';
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be 0–65535, got "${flags.port}"`, 2);
      const secret = io.env[flags.secretEnv];
      if (secret !== undefined && Buffer.byteLength(secret) < 32) throw new CliError(`${flags.secretEnv} must be at least 32 bytes`, 2);
      // The secret being rotated out: URLs it signed (an account URL set in a vendor's back office) are still taken.
      const previous = io.env[flags.previousSecretEnv];
      if (previous !== undefined && (secret === undefined || Buffer.byteLength(previous) < 32)) throw new CliError(`${flags.previousSecretEnv} needs ${flags.secretEnv} beside it and must be at least 32 bytes`, 2);
      const secrets = secret === undefined ? undefined : previous === undefined ? [secret] : [secret, previous];
      const auth: Record<string, CallbackAuthenticator> = {};
      const basic = io.env[flags.infobipAuthEnv];
      if (basic !== undefined) {
        const colon = basic.indexOf(':');
        if (colon <= 0) throw new CliError(`${flags.infobipAuthEnv} must be username:password`, 2);
        auth['infobip'] = basicAuth({ username: basic.slice(0, colon), password: basic.slice(colon + 1) });
      }
      if (secret === undefined && basic === undefined) throw new CliError(`set ${flags.secretEnv} (the secret of msgkit's signed callback URLs) or ${flags.infobipAuthEnv} (Infobip BASIC): an open receiver would record forged reports`, 2);
      if ((flags.journal === undefined) === (flags.redis === undefined)) throw new CliError('give --journal <file> (a msgkit send campaign) or --redis <url> (queue campaigns), one of them', 2);
      if (flags.redis !== undefined) return serveRedis(flags, io, port, { ...(secrets && { secrets }), auth, ...(basic !== undefined && { vendor: 'infobip' }) });
      const journalPath = flags.journal!;
      // Token-less callbacks (Infobip's account webhook) are the journal's vendor's: a chain's only where it has one.
      const header = existsSync(journalPath) ? (await readJournal(journalPath).catch(() => undefined))?.header : undefined;
      const chain = header && (header.chain ?? [header.provider]);
      const vendor = chain?.length === 1 ? chain[0] : undefined;
      const receiver = await startReceiver({
        journal: journalPath,
        formats: await formats(),
        ...(secrets && { secrets }),
        auth,
        ...(vendor !== undefined ? { vendor } : basic !== undefined ? { vendor: 'infobip' } : {}),
        ...listening(flags, io, port),
      }).catch(cannotListen(flags, port));
      line(io.stdout, `msgkit webhooks: ${receiver.url}/ recording into ${journalPath}`);
      line(io.stdout, 'Ctrl-C stops it');
      await untilStopped();
      if (!(await receiver.close())) {
        line(io.stderr, `msgkit webhooks: ${receiver.spooled()} report(s) stay in ${journalPath}.dlr (the journal was busy, or the send has not recorded their message yet); msgkit report reads them, the next serve moves them`);
      }
    });
  webhooks
    .command('account-url')
    .description(
      "print the callback URL to set once per account at a vendor that takes no callback URL per send (Octopush: callback_url_for_deliveries, in the back office or campaign-parameters): msgkit's token names the vendor and an expiry, no campaign; msgkit webhooks serve --redis places its reports by the message ids the queue workers recorded (deliveryReports.accountUrl)",
    )
    .argument('<url>', 'the public URL of msgkit webhooks serve, e.g. https://hooks.example.com/dlr')
    .requiredOption('--expires <duration>', 'how long the URL is taken (90d, 365d): set a new one before then')
    .option('--vendor <name>', 'the vendor whose reports it takes', 'octopush')
    .option('--secret-env <name>', 'environment variable holding the secret to sign it with (the newest of msgkit webhooks serve)', 'MSGKIT_WEBHOOK_SECRET')
    .action((url: string, flags: { expires: string; vendor: string; secretEnv: string }) => {
      const secret = io.env[flags.secretEnv];
      if (secret === undefined || Buffer.byteLength(secret) < 32) throw new CliError(`set ${flags.secretEnv} (at least 32 bytes): the URL is signed with it`, 2);
      const ms = parseDuration(flags.expires);
      if (ms === undefined) throw new CliError(`--expires must be a duration with its unit (90d, 12h), got "${flags.expires}"`, 2);
      const vendors = ['smscx', 'smsworks', 'octopush', 'infobip'];
      if (!vendors.includes(flags.vendor)) throw new CliError(`--vendor must be one of ${vendors.join(', ')}, got "${flags.vendor}"`, 2);
      const expiresAt = new Date(Date.now() + ms);
      let signed: string;
      try {
        signed = createCallbackUrl({ baseUrl: url, secret, vendor: flags.vendor, expiresAt });
      } catch (error) {
        throw new CliError(`cannot sign ${url}: ${(error as Error).message}`, 2);
      }
      line(io.stdout, signed);
      line(io.stderr, `msgkit webhooks: taken until ${expiresAt.toISOString()}; rotate: move ${flags.secretEnv} to MSGKIT_WEBHOOK_SECRET_PREVIOUS, set a new secret, print and set a new URL`);
    });
}
