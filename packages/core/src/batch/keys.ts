import { v5 as uuidv5 } from 'uuid';
import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor } from '../rules/messages';

/**
 * The namespace of every campaign batch key (a fixed, random UUID of msgkit's own). Changing it
 * would give every batch of a resumed campaign a new key, so a crash-and-resume across an upgrade
 * could bill twice: it never changes.
 */
export const CAMPAIGN_KEY_NAMESPACE = '6b8f3c2e-4d1a-4f7b-9a5e-2c7d8e1f0a93';

/** What a batch key is bound to besides the campaign id and the batch index. */
export interface BatchKeyContent {
  /**
   * A digest of what every batch of the campaign sends besides its recipients: provider, sender,
   * text and the options that shape the request (any string; it is hashed into the key).
   */
  content?: string;
  /** The batch's recipients, in the order sent. */
  recipients: readonly string[];
}

/**
 * The deduplication key of batch `index` of campaign `campaignId`: a UUID v5 (SMS.CX requires
 * `idempotencyId` to be a UUID v1–v5; Octopush takes any string as `request_id`). The same campaign
 * and index always give the same key, so a batch resent after a crash, by this process or by another
 * worker, carries the key it had the first time and the vendor drops the duplicate.
 *
 * With `bound`, the key also binds what the batch sends: the same campaign id reused with another
 * text, sender, provider or list gets other keys, so the vendor never drops a different message as
 * a duplicate of the old one. Without it (msgkit 0.1's keys) the key binds only the id and index;
 * it stays as it was so that a campaign begun before an upgrade resumes with the keys it was sent with.
 */
export function batchDedupeKey(campaignId: string, index: number, bound?: BatchKeyContent): string {
  const issues: ValidationIssue[] = [];
  if (typeof campaignId !== 'string' || campaignId === '') issues.push({ path: ['campaignId'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a non-empty string' }) });
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) issues.push({ path: ['index'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a whole number ≥ 0' }) });
  if (bound !== undefined && (typeof bound !== 'object' || bound === null || !Array.isArray(bound.recipients) || (bound.content !== undefined && typeof bound.content !== 'string'))) {
    issues.push({ path: ['bound'], code: 'invalid_type', message: messageFor('invalid_type', { expected: '{ content?: string, recipients: string[] }' }) });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  if (bound === undefined) return uuidv5(`${campaignId}\u0000${index}`, CAMPAIGN_KEY_NAMESPACE);
  // v5 hashes the whole input (SHA-1), so the recipients go in as they are, not through a shorter digest.
  return uuidv5(`${campaignId}\u0000${index}\u0000${bound.content ?? ''}\u0000${bound.recipients.join('\n')}`, CAMPAIGN_KEY_NAMESPACE);
}
