#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { formatCampaignStatus } from './format';
import { campaignStatus, followCampaign } from './status';

const USAGE = `usage: msgkit-queue status <campaign-id> [--redis <url>] [--prefix <prefix>] [--json] [--follow]
  --redis   Redis URL (default: MSGKIT_REDIS_URL, else redis://127.0.0.1:6379)
  --follow  print each batch event until the campaign is done, then the status
exit codes: 0 every batch sent, 1 some batch refused, unknown or not done, 2 bad arguments or no such campaign`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { redis: { type: 'string' }, prefix: { type: 'string' }, json: { type: 'boolean' }, follow: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`msgkit-queue: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, id] = positionals;
  if (command !== 'status' || !id || positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const url = values.redis ?? process.env.MSGKIT_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const options = values.prefix ? { prefix: values.prefix } : {};
  if (values.follow) {
    for await (const event of followCampaign(url, id, { ...options, from: '0' })) {
      process.stdout.write(event.type === 'begin' ? `batch ${event.index} ${event.state === 'resumed' ? 'resumed' : 'begun'}\n` : `batch ${event.index} ${event.outcome} (${event.count})\n`);
    }
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
    process.stderr.write(`msgkit-queue: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
