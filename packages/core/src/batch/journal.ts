/**
 * What a campaign journal records, and the rule that decides, on resume, whether a batch is sent
 * again. The store itself lives elsewhere (`@msgkit/journal` on local disk, `@msgkit/queue` in
 * Redis); both implement `CampaignJournal` with these exact semantics so that a campaign behaves
 * the same whichever one records it.
 */
import { errorMessages, type MsgkitErrorCode } from '../errors';

/**
 * How a batch ended:
 * - `sent`: the vendor accepted it; `ids` are the vendor's id(s) for it.
 * - `refused`: the vendor or msgkit definitely did not send it (an error with `outcomeUnknown`
 *   false, or a batch msgkit never started); `code` and `message` say why, without secrets.
 * - `unknown`: the vendor may or may not have sent it: an error with `outcomeUnknown` true, or
 *   code `interrupted` for a batch begun by a run that stopped (killed, crashed) before its answer
 *   was recorded. One word for that state everywhere: journal, report, results file.
 *
 * `vendorCode` is the vendor's own error code when it answered with one; `reason` is a short
 * reason (the vendor's own message, or msgkit's one line for the code) for tables and CSV cells.
 */
export type BatchOutcome = { status: 'sent'; ids: string[] } | ({ status: 'refused' } & BatchFailure) | ({ status: 'unknown' } & BatchFailure);

/** Why a batch is `refused` or `unknown`: msgkit's code and message, the vendor's code, and a short reason. */
export interface BatchFailure {
  code: string;
  message: string;
  vendorCode?: string | number;
  reason?: string;
}

/** The outcome of a batch begun by a run that stopped before recording how it ended. */
export const interruptedOutcome: Readonly<{ status: 'unknown' } & BatchFailure> = /* @__PURE__ */ Object.freeze({
  status: 'unknown' as const,
  code: 'interrupted',
  message: 'The run stopped while this batch was being sent; the vendor may have received it',
  reason: 'the run stopped while this batch was being sent',
});

/** A batch as the journal knows it: recorded before it was sent, with its outcome once settled. */
export interface JournalBatch {
  index: number;
  /** The vendor dedupe key it was sent with (see `batchDedupeKey`), when the vendor deduplicates; a resend reuses it. */
  dedupeKey?: string;
  /** How many recipients it holds. */
  size: number;
  /** A digest of its recipients in order, to prove on resume that batch N is the same batch N. */
  digest: string;
  /**
   * Absent only while this process is sending it. A store read back after the run that began it
   * stopped gives such a batch `interruptedOutcome` (unknown), never a state of its own.
   */
  outcome?: BatchOutcome;
}

/** What a journal records of a batch before its request starts. */
export interface BeginRecord {
  index: number;
  dedupeKey?: string;
  /** E.164 recipients, in the order sent. */
  recipients: string[];
  /** Where each recipient came from (e.g. its row in the input file), same order as `recipients`. */
  rows?: number[];
}

/**
 * Where `sendInBatches` records a campaign: each batch before it is sent (`begin`) and its outcome
 * after (`settle`), durably, so a run killed at any instant resumes without sending a batch twice.
 * `@msgkit/journal`'s `FileJournal` is one.
 */
export interface CampaignJournal {
  readonly campaignId: string;
  /**
   * A digest of what every batch sends besides its recipients (provider, sender, text, options).
   * Each batch key binds it with the campaign id and the batch's recipients (`batchDedupeKey`), so
   * the same campaign id reused for another message or list never reuses a key.
   */
  readonly content?: string;
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
 * and @msgkit/queue's worker. Only code, message, the vendor's code and a short reason are kept:
 * msgkit errors never carry secrets in them, and nothing else (bodies, headers, causes) is written
 * to disk.
 */
export function outcomeOfError(error: unknown): BatchOutcome {
  const e = error as { outcomeUnknown?: unknown; code?: unknown; message?: unknown; name?: unknown; vendorCode?: unknown; vendorMessage?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const vendorCode = typeof e?.vendorCode === 'string' || typeof e?.vendorCode === 'number' ? e.vendorCode : undefined;
  const reason = typeof e?.vendorMessage === 'string' && e.vendorMessage !== '' ? e.vendorMessage : Object.hasOwn(errorMessages, code) ? errorMessages[code as MsgkitErrorCode] : undefined;
  const detail = { code, message, ...(vendorCode !== undefined && { vendorCode }), ...(reason !== undefined && { reason }) };
  return e?.outcomeUnknown === false ? { status: 'refused', ...detail } : { status: 'unknown', ...detail };
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
