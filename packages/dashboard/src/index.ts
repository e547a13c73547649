/**
 * A local web page of campaigns as they run: journal files, folders of them and a queue's Redis,
 * read and never written. `msgkit dashboard` starts it from the command line.
 *
 * @module @msgkit/dashboard
 */
export { startDashboard } from './dashboard';
export type { Dashboard, DashboardOptions } from './dashboard';
export { DashboardOptionsError } from './security';
export { MissingQueuePackageError } from './redisSource';
export { maskNumber, maskText } from './mask';
export { CampaignTotals, NOT_RECORDED, STATES, Timeline } from './totals';
export type { Counts, Failure, FailureGroup, Part, RecipientState, TotalsSummary } from './totals';
export type { CampaignInfo, CampaignSummary, UnknownPage, UnknownRecipient } from './campaign';
