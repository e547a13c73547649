/**
 * What a campaign journal records, and the rule that decides, on resume, whether a batch is sent
 * again. The store itself lives elsewhere (`@msgkit/journal` on local disk, `@msgkit/queue` in
 * Redis); both implement `CampaignJournal` with these exact semantics so that a campaign behaves
 * the same whichever one records it.
 */

/**
 * How a batch ended:
 * - `sent`: the vendor accepted it; `ids` are the vendor's id(s) for it.
 * - `refused`: the vendor or msgkit definitely did not send it (an error with `outcomeUnknown`
 *   false, or a batch msgkit never started); `code` and `message` say why, without secrets.
 * - `unknown`: the vendor may or may not have sent it (`outcomeUnknown` true, or in flight when the
 *   process died with no outcome recorded).
 */
export type BatchOutcome =
  | { status: 'sent'; ids: string[] }
  | { status: 'refused'; code: string; message: string }
  | { status: 'unknown'; code: string; message: string };

/** A batch as the journal knows it: recorded before it was sent, with its outcome once settled. */
export interface JournalBatch {
  index: number;
  /** The vendor dedupe key it was sent with (`batchDedupeKey(campaignId, index)`), when the vendor deduplicates. */
  dedupeKey?: string;
  /** How many recipients it holds. */
  size: number;
  /** A digest of its recipients in order, to prove on resume that batch N is the same batch N. */
  digest: string;
  /** Absent while in flight: begun and never settled (on resume: the process died mid-send). */
  outcome?: BatchOutcome;
}

export interface BeginRecord {
  index: number;
  dedupeKey?: string;
  /** E.164 recipients, in the order sent. */
  recipients: string[];
  /** Where each recipient came from (e.g. its row in the input file), same order as `recipients`. */
  rows?: number[];
}

export interface CampaignJournal {
  readonly campaignId: string;
  /** What the journal holds for batch `index`, or undefined if the batch was never begun. */
  batch(index: number): JournalBatch | undefined;
  /** Records the batch durably; resolves only once it would survive a crash. Sending starts after. */
  begin(record: BeginRecord): Promise<void>;
  /** Records how the batch ended, durably. */
  settle(index: number, outcome: BatchOutcome): Promise<void>;
}

/**
 * On resume, what to do with a batch the journal already holds:
 * - `skip`: leave it as recorded (sent; or unknown/in flight at a vendor that cannot deduplicate).
 * - `send`: send it (never begun, refused, or unknown at a vendor that deduplicates by key, so the
 *   resend with the same key cannot bill twice).
 */
export function resumeDecision(batch: JournalBatch | undefined, policy: { deduplicates: boolean; resendUnknown?: boolean }): 'send' | 'skip' {
  if (!batch) return 'send';
  const status = batch.outcome?.status;
  if (status === 'sent') return 'skip';
  if (status === 'refused') return 'send';
  // Unknown or in flight at the crash.
  return policy.deduplicates || policy.resendUnknown === true ? 'send' : 'skip';
}

/**
 * The outcome to record for a failed send: `refused` only when the error proves the vendor did not
 * act (`outcomeUnknown: false`, as every msgkit error states); `unknown` when it says the vendor may
 * have acted, and for any error that does not say (a bug or an abort after the request may have
 * left), so such a batch is never resent on its own. The same rule in both stores: @msgkit/journal
 * and @msgkit/queue's worker. Only code and message are kept: msgkit errors never carry secrets in
 * either, and nothing else (bodies, headers, causes) is written to disk.
 */
export function outcomeOfError(error: unknown): BatchOutcome {
  const e = error as { outcomeUnknown?: unknown; code?: unknown; message?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return e?.outcomeUnknown === false ? { status: 'refused', code, message } : { status: 'unknown', code, message };
}

/**
 * A digest of a batch's recipients in order (two 32-bit FNV-1a lanes with different seeds, as 16
 * hex digits): not a security measure, only proof on resume that batch N holds the recipients it
 * held before the crash. Pure JS, so core stays free of node:crypto.
 */
export function batchDigest(recipients: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const r of recipients) {
    for (let i = 0; i < r.length; i++) {
      const c = r.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 10, 0x01000193);
    b = Math.imul(b ^ 10, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
