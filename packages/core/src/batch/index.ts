export { chunk } from './chunk';
export { sendInBatches } from './sendInBatches';
export type { BatchResult, SendInBatchesOptions } from './sendInBatches';
export { batchDedupeKey, CAMPAIGN_KEY_NAMESPACE } from './keys';
