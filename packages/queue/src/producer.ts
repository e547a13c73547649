import { createHash } from 'node:crypto';
import { ChainValidationError, chunk, compileTemplate, countSegments, normalizePhone, normalizeRecipients, TemplateError, ValidationError, type CampaignMessage, type CampaignSender, type ValidationIssue } from '@msgkit/core';
import { chainIssues } from '@msgkit/core/internal';
import { Queue, type JobsOptions } from 'bullmq';
import { AccountRecord, type AccountPause } from './account';
import { connectRedis, type RedisConnection } from './connection';
import { RedisJournal, type CampaignMeta } from './journal';
import { batchJobId, chainName, checkWord, DEFAULT_PREFIX, queueName } from './names';

/** One batch job's data: everything a worker on another machine needs to send it. */
export interface BatchJobData {
  campaignId: string;
  /** The sender's name (a chain's joined name, `smsworks.smscx`): a worker refuses a job for another sender. */
  provider: string;
  /** A chain campaign's senders, in order. */
  chain?: string[];
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
  sender?: ProducerSender;
  /**
   * A chain of senders, in order, instead of `sender`: the workers send each batch through core's
   * `sendWithFailover` (a recipient moves on only on a proven refusal). The message (every
   * recipient's own text, when personalized) is checked against every sender's rules before
   * anything is queued: a `ChainValidationError` names each vendor and rule. The batch size is at
   * most the smallest `maxRecipients` of the chain.
   */
  senders?: readonly ProducerSender[];
  /**
   * Personalizes the text: one record of values per recipient, in the order of `recipients`, and
   * `message.text` is then a template (`Hi {name}, your code is {code}`, core's compileTemplate).
   * A placeholder a recipient's record lacks, or whose value is empty, refuses the campaign before
   * anything is queued, naming the column and the row (its index in `recipients`). Each recipient
   * is its own batch with its own text (so `batchSize` must be 1), and the campaign's digest covers
   * the template and every recipient's values: another value is another campaign.
   */
  values?: readonly Readonly<Record<string, unknown>>[];
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

/** What the producer uses of a sender: its name, its per-request maximum and its rules (never its credentials). */
export type ProducerSender = Pick<CampaignSender, 'name' | 'maxRecipients' | 'validate'>;

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
  /** A personalized campaign's SMS parts, each recipient counted with its own text. */
  segments?: { total: number; min: number; max: number };
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
export function campaignDigest(content: {
  provider: string;
  account: string;
  batchSize: number;
  message: CampaignMessage;
  recipients: readonly string[];
  /** A chain's senders in order. */
  chain?: readonly string[];
  /** A personalized campaign: its template's digest and each recipient's placeholder values, in order. */
  template?: string;
  values?: readonly (readonly string[])[];
}): string {
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
  const { message, batchSize } = options;
  const account = options.account ?? 'default';
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  checkWord('campaignId', options.campaignId);
  checkWord('account', account);
  const senders = options.senders ?? (options.sender ? [options.sender] : []);
  if ((options.senders === undefined) === (options.sender === undefined) || senders.length === 0) {
    throw new ValidationError([{ path: ['sender'], code: 'sender_required', message: 'give one sender, or a non-empty chain of them as senders, not both' }]);
  }
  const chain = options.senders ? senders.map((s) => s.name) : undefined;
  const provider = chain ? chainName(chain) : senders[0]!.name;
  const maxRecipients = Math.min(...senders.map((s) => s.maxRecipients));
  const personalized = options.values !== undefined;
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > maxRecipients) {
    issues.push({ path: ['batchSize'], code: 'batch_size_out_of_range', message: `must be a whole number from 1 to ${maxRecipients} for ${provider}` });
  } else if (personalized && batchSize !== 1) {
    issues.push({ path: ['batchSize'], code: 'batch_size_personalized', message: 'must be 1 for a personalized text: each recipient gets its own text, so its own request' });
  }
  let recipients: string[] = [];
  let duplicates = 0;
  // Each kept recipient's index in `options.recipients`: its row of values.
  let rows: number[] = [];
  if (!Array.isArray(options.recipients) || options.recipients.length === 0 || options.recipients.some((r) => typeof r !== 'string')) {
    issues.push({ path: ['recipients'], code: 'recipients_empty', message: 'must be a non-empty list of phone numbers' });
  } else if (personalized) {
    ({ recipients, duplicates, rows } = normalizeRows(options.recipients, options.defaultCountry, issues));
    if (!Array.isArray(options.values) || options.values.length !== options.recipients.length) {
      issues.push({ path: ['values'], code: 'values_length', message: `must hold one record of values per recipient (${options.recipients.length})` });
    }
  } else {
    const normalized = normalizeRecipients(options.recipients, options.defaultCountry === undefined ? undefined : { defaultCountry: options.defaultCountry });
    recipients = normalized.valid;
    duplicates = normalized.duplicates;
    for (const bad of normalized.invalid) issues.push({ path: ['recipients', bad.index], code: bad.code, message: `not a usable phone number: ${bad.input}` });
  }
  const chainLevel = chain ? [...issues] : [];
  const bySender: Record<string, ValidationIssue[]> = {};
  let texts: string[] | undefined;
  let template: ReturnType<typeof compileTemplate> | undefined;
  let values: string[][] | undefined;
  if (typeof message?.text !== 'string' || message.text === '') issues.push({ path: ['message', 'text'], code: 'text_empty', message: 'must be a non-empty string' });
  else if (personalized && issues.length === 0) {
    template = compileTemplate(message.text);
    const filled = fillRows(template, rows, options.values!, issues);
    texts = filled.texts;
    values = filled.values;
  }
  if (issues.length === 0 || (chain && issues.length === chainLevel.length)) {
    // The vendors' own rules (a sender they require or refuse, their options), for every text: every batch would be refused.
    const seen = new Set<string>();
    for (const [i, text] of (texts ?? [message.text]).entries()) {
      for (const sender of senders) {
        const own = sender.validate({ ...message, text });
        for (const issue of own) {
          // One issue per vendor and rule, at the first row it holds for: a rule broken by every row is said once.
          const key = `${sender.name}\u0000${issue.code}\u0000${issue.path.join('.')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const at = texts ? { ...issue, message: `row ${rows[i]}: ${issue.message}` } : issue;
          (bySender[sender.name] ??= []).push(at);
          if (!chain) issues.push({ ...at, path: ['message', ...issue.path] });
        }
      }
    }
  }
  // Core's chain-level rules (a sender named twice, the message's shape); the batch is checked above, so a stand-in is given.
  if (chain) issues.push(...chainIssues(senders as readonly CampaignSender[], ['+0'], message).chain);
  if (chain && (issues.length > 0 || Object.keys(bySender).length > 0)) throw new ChainValidationError(bySender, issues);
  if (issues.length > 0) throw new ValidationError(issues);

  const queue = queueName(provider, account);
  const batches = chunk(recipients, batchSize);
  const fingerprint = campaignDigest({ provider, account, batchSize, message, recipients, ...(chain && { chain }), ...(template && { template: template.digest, values: values! }) });
  const segments = texts && segmentsOf(texts);
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
    ...(chain && { chain }),
    ...(template && segments && { personalized: { template: template.digest, segments } }),
  };
  const messageOf = (index: number): CampaignMessage => (texts ? { ...message, text: texts[index]! } : message);

  const { redis, release } = await connectRedis(options.connection, { connectTimeoutMs: options.connectTimeoutMs });
  const bull = new Queue<BatchJobData>(queue, { connection: redis, prefix });
  try {
    const stored = await new RedisJournal(redis, prefix).register(meta);
    if (stored.meta.fingerprint !== fingerprint) {
      throw new ValidationError([
        { path: ['campaignId'], code: 'campaign_id_reused', message: `campaign ${options.campaignId} was enqueued before with other recipients, text, values, sender, chain, provider, account or batch size; nothing was added` },
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
          const data: BatchJobData = { campaignId: options.campaignId, provider, ...(chain && { chain }), index, recipients: batch, message: messageOf(index), digest: fingerprint };
          return { name: 'batch', data, opts: jobOptions(index) };
        }),
      );
    }
    const { paused } = await new AccountRecord(redis, prefix, queue).read();
    return { campaignId: options.campaignId, queue, batches: batches.length, recipients: recipients.length, duplicates, created: stored.created, ...(segments && { segments }), ...(paused && { accountPaused: paused }) };
  } finally {
    await bull.close();
    await release();
  }
}

/** Recipients normalized one by one, each kept with its row (its index in the list); a repeated number is kept at its first row. */
function normalizeRows(inputs: readonly string[], defaultCountry: string | undefined, issues: ValidationIssue[]): { recipients: string[]; duplicates: number; rows: number[] } {
  const recipients: string[] = [];
  const rows: number[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  inputs.forEach((input, row) => {
    const phone = normalizePhone(input, defaultCountry === undefined ? undefined : { defaultCountry });
    if (!phone.ok) issues.push({ path: ['recipients', row], code: phone.code, message: `not a usable phone number: ${input}` });
    else if (seen.has(phone.e164)) duplicates++;
    else {
      seen.add(phone.e164);
      recipients.push(phone.e164);
      rows.push(row);
    }
  });
  return { recipients, duplicates, rows };
}

/** Every kept recipient's text and placeholder values; each row that cannot be filled is an issue naming its row and column. */
function fillRows(template: ReturnType<typeof compileTemplate>, rows: readonly number[], records: readonly Readonly<Record<string, unknown>>[], issues: ValidationIssue[]): { texts: string[]; values: string[][] } {
  const texts: string[] = [];
  const values: string[][] = [];
  for (const row of rows) {
    const record = records[row] ?? {};
    try {
      texts.push(template.render(record, row));
      values.push(template.placeholders.map((name) => String(record[name])));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...(error instanceof TemplateError ? error.issues : error.issues.map((i) => ({ ...i, message: `row ${row}: ${i.message}` }))));
    }
  }
  return { texts, values };
}

function segmentsOf(texts: readonly string[]): { total: number; min: number; max: number } {
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const text of texts) {
    const n = countSegments(text).segments;
    total += n;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return { total, min: texts.length > 0 ? min : 0, max };
}
