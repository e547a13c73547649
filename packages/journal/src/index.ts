export { campaignIdOf, contentOf, FileJournal, identityParts, openFileJournal, readJournal, reopenFileJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions, StateLine } from './fileJournal';
export { JournalFormatError, readJournalRecordAt, readJournalRecords } from './records';
export type { JournalRecord, ReadRecordsOptions, SettleLine } from './records';
export { JournalLockedError, lockHolder } from './lock';
