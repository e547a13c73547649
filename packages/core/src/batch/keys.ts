import { v5 as uuidv5 } from 'uuid';
import { ValidationError, type ValidationIssue } from '../errors';
import { messageFor } from '../rules/messages';

/**
 * The namespace of every campaign batch key (a fixed, random UUID of msgkit's own). Changing it
 * would give every batch of a resumed campaign a new key, so a crash-and-resume across an upgrade
 * could bill twice: it never changes.
 */
export const CAMPAIGN_KEY_NAMESPACE = '6b8f3c2e-4d1a-4f7b-9a5e-2c7d8e1f0a93';

/**
 * The deduplication key of batch `index` of campaign `campaignId`: a UUID v5 (SMS.CX requires
 * `idempotencyId` to be a UUID v1–v5; Octopush takes any string as `request_id`). The same campaign
 * and index always give the same key, so a batch resent after a crash, by this process or by another
 * worker, carries the key it had the first time and the vendor drops the duplicate.
 */
export function batchDedupeKey(campaignId: string, index: number): string {
  const issues: ValidationIssue[] = [];
  if (typeof campaignId !== 'string' || campaignId === '') issues.push({ path: ['campaignId'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a non-empty string' }) });
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) issues.push({ path: ['index'], code: 'invalid_type', message: messageFor('invalid_type', { expected: 'a whole number ≥ 0' }) });
  if (issues.length > 0) throw new ValidationError(issues);
  return uuidv5(`${campaignId}\u0000${index}`, CAMPAIGN_KEY_NAMESPACE);
}
