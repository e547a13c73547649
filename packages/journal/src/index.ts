/**
 * A campaign journal on local disk for msgkit's sendInBatches: an append-only, fsynced JSON-lines file that survives a crash at any instant, so a campaign resumes without sending twice.
 *
 * @module @msgkit/journal
 */
export { campaignIdOf, contentOf, FileJournal, identityParts, JournalFormatError, openFileJournal, readJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions } from './fileJournal';
export { JournalLockedError, lockHolder } from './lock';
