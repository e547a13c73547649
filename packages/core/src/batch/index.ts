export { chunk } from './chunk';
export { sendInBatches } from './sendInBatches';
export type { BatchContext, BatchResult, JournaledBatchResult, JournalOptions, SendInBatchesOptions } from './sendInBatches';
export { batchDigest, outcomeOfError, resumeDecision } from './journal';
export type { BatchOutcome, BeginRecord, CampaignJournal, JournalBatch } from './journal';
export { batchDedupeKey, CAMPAIGN_KEY_NAMESPACE } from './keys';
