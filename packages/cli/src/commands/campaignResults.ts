/**
 * `msgkit campaign results <id> --out <file>`: one row per recipient of a queue campaign (see
 * `campaignResults` of @msgkit/queue), streamed from Redis into a temporary file beside the target,
 * synced and renamed over it at the end: a full disk, an error or a kill never leaves a half file
 * under the target's name, and an earlier results file stays whole until the new one replaces it.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, statSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CampaignResultRow } from '@msgkit/queue';
import type { Command } from 'commander';
import { CliError, line, type Io } from '../io';
import { connectTimeoutMs, loadQueue, redisFailure, redisUrl } from './campaign';

type Queue = typeof import('@msgkit/queue');

/**
 * The columns, named as in `msgkit send --results` (e164, status, provider, vendor_id, error, tries)
 * and `msgkit report --results` (state, reason, message_id, delivered_twice_by) where they mean the same.
 */
export const QUEUE_RESULT_COLUMNS = ['e164', 'batch', 'status', 'provider', 'vendor_id', 'error', 'tries', 'state', 'delivery_status', 'reason', 'message_id', 'delivered_twice_by'] as const;
const HEADER = QUEUE_RESULT_COLUMNS.join(',');
const JSON_START = '{"e164":';

const csv = (value: string | number | undefined) => {
  const text = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A row under the file's column names, in their order. */
function cellsOf(r: CampaignResultRow): Record<(typeof QUEUE_RESULT_COLUMNS)[number], string | number> {
  return {
    e164: r.e164,
    batch: r.batch,
    status: r.status,
    provider: r.provider,
    vendor_id: r.vendorId ?? '',
    error: r.error ?? '',
    tries: r.tries,
    state: r.state,
    delivery_status: r.deliveryStatus ?? '',
    reason: r.reason,
    message_id: r.messageId ?? '',
    delivered_twice_by: r.deliveredTwiceBy ?? '',
  };
}

/** The target, refused where writing it would destroy something that is not an earlier such file. */
function checkTarget(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isFile()) throw new CliError(`--out ${path} exists and is not a regular file`, 2);
  if (stat.size === 0) return;
  const fd = openSync(path, 'r');
  let start: string;
  try {
    const buffer = Buffer.alloc(HEADER.length);
    start = buffer.toString('utf8', 0, readSync(fd, buffer, 0, HEADER.length, 0));
  } finally {
    closeSync(fd);
  }
  if (start !== HEADER && !start.startsWith(JSON_START)) throw new CliError(`--out ${path} exists and is not a campaign results file: msgkit never overwrites it`, 2);
}

/** Appends text through a 64 kB buffer; every write completes or throws (ENOSPC, EFBIG, EIO). */
class Buffered {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly file: FileHandle) {}
  async add(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= 65_536) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const bytes = Buffer.from(this.#parts.join(''));
    this.#parts = [];
    this.#size = 0;
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.file.write(bytes, offset, bytes.length - offset);
      if (!(bytesWritten > 0)) throw Object.assign(new Error('short write'), { code: 'short_write' });
      offset += bytesWritten;
    }
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory; the file's own sync is what they offer.
  }
}

interface Totals {
  rows: number;
  status: Record<string, number>;
  state: Record<string, number>;
}

/** Writes the rows to `target` through a temporary file renamed into place; resolves with the totals. */
async function writeRows(rows: AsyncIterable<CampaignResultRow>, target: string, json: boolean): Promise<Totals> {
  const temp = join(dirname(target), `.${basename(target)}.msgkit-${randomUUID().slice(0, 8)}.tmp`);
  const totals: Totals = { rows: 0, status: {}, state: {} };
  let file: FileHandle | undefined;
  try {
    file = await open(temp, 'wx');
    const out = new Buffered(file);
    if (!json) await out.add(`${HEADER}\n`);
    for await (const row of rows) {
      totals.rows++;
      totals.status[row.status] = (totals.status[row.status] ?? 0) + 1;
      totals.state[row.state] = (totals.state[row.state] ?? 0) + 1;
      const cells = cellsOf(row);
      await out.add(json ? `${JSON.stringify(cells)}\n` : `${QUEUE_RESULT_COLUMNS.map((c) => csv(cells[c])).join(',')}\n`);
    }
    await out.flush();
    await file.datasync();
    await file.close();
    file = undefined;
    // Whole or not at all: a reader never sees half a results file under its name.
    await rename(temp, target);
    syncDirectory(dirname(target));
    return totals;
  } catch (error) {
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** Adds `msgkit campaign results` to the `campaign` command. */
export function campaignResultsCommand(campaign: Command, io: Io, load?: () => Promise<Queue>): void {
  campaign
    .command('results')
    .description(
      "write one row per recipient of a queue campaign: its batch, send outcome (sent; refused and why; unknown and why; pending), the vendor that holds it (a chain's too), its ids, and its delivery state (delivered, failed, pending, unknown and why). Read from Redis a few batches at a time; the file is written whole or not at all. Exit 0 when written, 1 when Redis cannot be reached or the file cannot be written, 2 for an unknown campaign id",
    )
    .argument('<id>', 'the campaign id given to enqueueCampaign')
    .requiredOption('--out <file>', 'where to write the rows (replaced whole at the end; an existing file that is not such a results file is refused)')
    .option('--csv', 'write CSV (the default)')
    .option('--json', 'write JSON Lines: one object per recipient, with the CSV column names as keys')
    .option('--redis <url>', 'Redis URL (default: MSGKIT_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', "key prefix the campaign was enqueued with (default: the queue's own)")
    .option('--connect-timeout <seconds>', 'how long connecting to Redis may take before exit 1 (default 10)')
    .action(async (id: string, options: { out: string; csv?: boolean; json?: boolean; redis?: string; prefix?: string; connectTimeout?: string }) => {
      if (options.csv && options.json) throw new CliError('give --csv or --json, not both', 2);
      const url = redisUrl(options.redis, io);
      const timeout = connectTimeoutMs(options.connectTimeout);
      checkTarget(options.out);
      const queue = await loadQueue(load);
      const rows = queue.campaignResults(url, id, { ...(options.prefix && { prefix: options.prefix }), ...(timeout !== undefined && { connectTimeoutMs: timeout }) });
      let totals: Totals;
      try {
        totals = await writeRows(rows, options.out, options.json === true);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (code === 'campaign_not_found') throw new CliError(`no campaign ${id} in ${new URL(url).host}`, 2);
        if (code === 'redis_unavailable') redisFailure(error);
        if (typeof code === 'string' && /^E[A-Z]+$|^short_write$/.test(code)) throw new CliError(`the results file ${options.out} could not be written (${code}); nothing was written under that name`, 1);
        throw error;
      }
      const list = (counts: Record<string, number>, order: string[]) => order.map((k) => `${counts[k] ?? 0} ${k}`).join(', ');
      line(io.stdout, `${totals.rows} recipient(s) written to ${options.out}`);
      line(io.stdout, `send: ${list(totals.status, ['sent', 'refused', 'unknown', 'pending'])}`);
      line(io.stdout, `delivery: ${list(totals.state, ['delivered', 'failed', 'pending', 'unknown'])}`);
    });
}
