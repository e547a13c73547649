export { chunk } from './chunk';
export { sendInBatches } from './sendInBatches';
export type { BatchContext, BatchResult, JournaledBatchResult, JournalOptions, SendInBatchesOptions } from './sendInBatches';
export { batchDigest, interruptedOutcome, outcomeOfError, resumeDecision } from './journal';
export type { BatchFailure, BatchOutcome, BeginRecord, CampaignJournal, JournalBatch } from './journal';
export { batchDedupeKey, CAMPAIGN_KEY_NAMESPACE } from './keys';
export type { BatchKeyContent } from './keys';
