#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resumeAccount } from './account';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './connection';
import { RedisUnavailableError } from './errors';
import { formatCampaignStatus } from './format';
import { PROVIDERS, type ProviderName } from './names';
import { campaignStatus, followCampaign, formatCampaignEvent } from './status';

const USAGE = `usage: msgkit-queue status <campaign-id> [--redis <url>] [--prefix <prefix>] [--json] [--follow] [--connect-timeout <ms>]
       msgkit-queue resume <provider> [--account <account>] [--redis <url>] [--prefix <prefix>] [--connect-timeout <ms>]
  --redis            Redis URL (default: MSGKIT_REDIS_URL, else redis://127.0.0.1:6379)
  --follow           print each batch event until the campaign is done, then the status
  --connect-timeout  how long connecting to Redis may take (default ${DEFAULT_CONNECT_TIMEOUT_MS} ms); then exit 1
  resume             let the workers of a provider account take its batches again after the vendor
                     refused its credentials (fix the workers' credentials first)
exit codes: status: 0 every batch sent, 1 some batch refused, unknown or not done (or Redis unreachable),
2 bad arguments or no such campaign; resume: 0 resumed, 1 Redis unreachable, 2 bad arguments`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        redis: { type: 'string' },
        prefix: { type: 'string' },
        account: { type: 'string' },
        json: { type: 'boolean' },
        follow: { type: 'boolean' },
        'connect-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, id] = positionals;
  if ((command !== 'status' && command !== 'resume') || !id || positionals.length !== 2) throw new UsageError('');
  const url = values.redis ?? process.env.MSGKIT_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const timeout = values['connect-timeout'];
  const connectTimeoutMs = timeout === undefined ? undefined : Number(timeout);
  if (connectTimeoutMs !== undefined && !(Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0)) throw new UsageError(`--connect-timeout must be a positive number of milliseconds, got "${timeout}"`);
  const options = { ...(values.prefix && { prefix: values.prefix }), ...(connectTimeoutMs !== undefined && { connectTimeoutMs }) };

  if (command === 'resume') {
    if (!PROVIDERS.includes(id as ProviderName)) throw new UsageError(`provider must be one of ${PROVIDERS.join(', ')}, got "${id}"`);
    const before = await resumeAccount({ connection: url, provider: id as ProviderName, ...(values.account && { account: values.account }), ...options });
    process.stdout.write(
      before.paused ? `${before.queue} resumed (it was paused since ${before.paused.at}: ${before.paused.code}: ${before.paused.message})\n` : `${before.queue} was not paused by msgkit; resumed\n`,
    );
    return 0;
  }
  if (values.follow) {
    for await (const event of followCampaign(url, id, { ...options, from: '0' })) process.stdout.write(`${formatCampaignEvent(event)}\n`);
  }
  const status = await campaignStatus(url, id, options);
  if (!status) {
    process.stderr.write(`msgkit-queue: no campaign ${id} in ${new URL(url).host}\n`);
    return 2;
  }
  process.stdout.write(`${values.json ? JSON.stringify(status, null, 2) : formatCampaignStatus(status)}\n`);
  return status.sent.batches === status.batches ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `msgkit-queue: ${error.message}\n` : ''}${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    const line = error instanceof RedisUnavailableError ? `cannot reach Redis at ${error.address} (${error.why})` : error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`msgkit-queue: ${line}\n`);
    process.exitCode = 1;
  },
);
