import { createHash } from 'node:crypto';
import { chunk, normalizeRecipients, ValidationError, type CampaignMessage, type CampaignSender, type ValidationIssue } from '@msgkit/core';
import { Queue, type JobsOptions } from 'bullmq';
import { AccountRecord, type AccountPause } from './account';
import { connectRedis, type RedisConnection } from './connection';
import { RedisJournal, type CampaignMeta } from './journal';
import { batchJobId, checkWord, DEFAULT_PREFIX, queueName } from './names';

/** One batch job's data: everything a worker on another machine needs to send it. */
export interface BatchJobData {
  campaignId: string;
  /** The sender's name: a worker refuses a job for another sender. */
  provider: string;
  index: number;
  recipients: string[];
  message: CampaignMessage;
  /**
   * The campaign's content digest (CampaignMeta.fingerprint): a worker refuses a job whose campaign
   * record holds another one, and the batch's dedupe key is bound to it. Absent on jobs enqueued by
   * versions before it.
   */
  digest?: string;
}

/** Options of `enqueueCampaign`: where, which campaign, to whom, what, and in batches of how many. */
export interface EnqueueCampaignOptions {
  connection: RedisConnection;
  /** Your id for the campaign (letters, digits, `.`, `_`, `-`): batch job ids and dedupe keys derive from it. */
  campaignId: string;
  /**
   * The campaign sender its provider package exports, the same a worker sends with (its credentials
   * are not used here): its name picks the queue, its `maxRecipients` bounds the batch size, and its
   * `validate` refuses a message the vendor would refuse, before anything is queued.
   */
  sender: Pick<CampaignSender, 'name' | 'maxRecipients' | 'validate'>;
  /** The provider account whose queue (and rate limit) the batches go to; `default` when you have one. */
  account?: string;
  /**
   * Phone numbers in any common format. They are normalized to E.164 here, once: an invalid one
   * refuses the campaign (rather than the whole batch it would land in), and a repeated number is
   * sent once.
   */
  recipients: readonly string[];
  /** The country of numbers written without an international prefix (ISO 3166 alpha-2); none by default. */
  defaultCountry?: string;
  message: CampaignMessage;
  /** Recipients per request, at most the sender's per-request maximum (`maxRecipients`). */
  batchSize: number;
  /** Retries of a batch whose request provably did not reach the vendor, or that a dedupe key makes safe (default 8). */
  attempts?: number;
  /** First retry delay, doubled each time (default 1 000 ms). */
  backoffMs?: number;
  /** Redis key prefix of the journal and of BullMQ (default `msgkit`). */
  prefix?: string;
  /** How long connecting to Redis may take before a RedisUnavailableError (default 10 000 ms). */
  connectTimeoutMs?: number;
}

/** What `enqueueCampaign` did: the queue, the batches and recipients, and whether it added anything. */
export interface EnqueuedCampaign {
  campaignId: string;
  queue: string;
  batches: number;
  recipients: number;
  /** Recipients left out because an earlier one had the same number. */
  duplicates: number;
  /** False when this campaign was enqueued before: no batch is added twice. */
  created: boolean;
  /**
   * Set when the account's queue is paused because the vendor refused its credentials: nothing is
   * sent until resumeAccount (after the workers have the fixed credentials).
   */
  accountPaused?: AccountPause;
}

/** JSON with object keys in one order, so the same content always gives the same digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What a campaign id is bound to: provider, account, batch size, every field of the message (text,
 * sender and any other) and the normalized recipients in order, as SHA-256 hex.
 */
export function campaignDigest(content: { provider: string; account: string; batchSize: number; message: CampaignMessage; recipients: readonly string[] }): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

// BullMQ's addBulk is one round trip per call; this keeps each call's payload a few MB at most.
const JOBS_PER_CALL = 200;

/**
 * Splits a campaign into batch jobs on the queue of its provider account. Job ids come from the
 * campaign id and batch index, and the campaign's description is stored once, so enqueuing the same
 * campaign again (after a crash, or twice by mistake) adds nothing; a different campaign under an
 * id already used is refused.
 */
export async function enqueueCampaign(options: EnqueueCampaignOptions): Promise<EnqueuedCampaign> {
  const { sender, message, batchSize } = options;
  const provider = sender.name;
  const account = options.account ?? 'default';
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  checkWord('campaignId', options.campaignId);
  checkWord('account', account);
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > sender.maxRecipients) {
    issues.push({ path: ['batchSize'], code: 'batch_size_out_of_range', message: `must be a whole number from 1 to ${sender.maxRecipients} for ${provider}` });
  }
  let recipients: string[] = [];
  let duplicates = 0;
  if (!Array.isArray(options.recipients) || options.recipients.length === 0 || options.recipients.some((r) => typeof r !== 'string')) {
    issues.push({ path: ['recipients'], code: 'recipients_empty', message: 'must be a non-empty list of phone numbers' });
  } else {
    const normalized = normalizeRecipients(options.recipients, options.defaultCountry === undefined ? undefined : { defaultCountry: options.defaultCountry });
    recipients = normalized.valid;
    duplicates = normalized.duplicates;
    for (const bad of normalized.invalid) issues.push({ path: ['recipients', bad.index], code: bad.code, message: `not a usable phone number: ${bad.input}` });
  }
  if (typeof message?.text !== 'string' || message.text === '') issues.push({ path: ['message', 'text'], code: 'text_empty', message: 'must be a non-empty string' });
  // The vendor's own rules (a sender it requires or refuses, its options): every batch would be refused.
  else for (const issue of sender.validate(message)) issues.push({ ...issue, path: ['message', ...issue.path] });
  if (issues.length > 0) throw new ValidationError(issues);

  const queue = queueName(provider, account);
  const batches = chunk(recipients, batchSize);
  const fingerprint = campaignDigest({ provider, account, batchSize, message, recipients });
  const meta: CampaignMeta = {
    campaignId: options.campaignId,
    provider,
    account,
    queue,
    batches: batches.length,
    recipients: recipients.length,
    batchSize,
    fingerprint,
    createdAt: new Date().toISOString(),
  };

  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  const bull = new Queue<BatchJobData>(queue, { connection: redis, prefix });
  try {
    const stored = await new RedisJournal(redis, prefix).register(meta);
    if (stored.meta.fingerprint !== fingerprint) {
      throw new ValidationError([
        { path: ['campaignId'], code: 'campaign_id_reused', message: `campaign ${options.campaignId} was enqueued before with other recipients, text, sender, provider, account or batch size; nothing was added` },
      ]);
    }
    const jobOptions = (index: number): JobsOptions => ({
      jobId: batchJobId(options.campaignId, index),
      attempts: options.attempts ?? 8,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 1_000 },
      // Kept so that adding the campaign again finds the job and adds nothing.
      removeOnComplete: false,
      removeOnFail: false,
    });
    // Added even when the campaign was already stored: a producer that died half way through
    // adding resumes here, and the jobs it had added are found by id and left alone.
    for (let first = 0; first < batches.length; first += JOBS_PER_CALL) {
      await bull.addBulk(
        batches.slice(first, first + JOBS_PER_CALL).map((batch, offset) => {
          const index = first + offset;
          return { name: 'batch', data: { campaignId: options.campaignId, provider, index, recipients: batch, message, digest: fingerprint }, opts: jobOptions(index) };
        }),
      );
    }
    const { paused } = await new AccountRecord(redis, prefix, queue).read();
    return { campaignId: options.campaignId, queue, batches: batches.length, recipients: recipients.length, duplicates, created: stored.created, ...(paused && { accountPaused: paused }) };
  } finally {
    await bull.close();
    await release();
  }
}
