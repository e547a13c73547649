/**
 * A campaign journal on local disk for msgkit's sendInBatches: an append-only, fsynced JSON-lines file that survives a crash at any instant, so a campaign resumes without sending twice; read back whole or followed record by record.
 *
 * @module @msgkit/journal
 */
export { campaignIdOf, contentOf, FileJournal, identityParts, openFileJournal, readJournal, reopenFileJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions, ReopenJournalOptions, StateLine } from './fileJournal';
export { JournalFormatError, readJournalRecordAt, readJournalRecords } from './records';
export type { JournalRecord, ReadRecordsOptions, SettleLine } from './records';
export { JournalLockedError, lockHolder } from './lock';
export { AttemptIndex, FileFailoverJournal, TICKET_UNKNOWN, ticketUnknown } from './attempts';
export type { AttemptLine, AttemptLocation, DoneLine, FailoverJournalOptions, RecordedAttempt, RecordedOutcome } from './attempts';
