export { campaignIdOf, contentOf, FileJournal, identityParts, openFileJournal, readJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions } from './fileJournal';
export { JournalFormatError, readJournalRecordAt, readJournalRecords } from './records';
export type { JournalRecord, ReadRecordsOptions, SettleLine } from './records';
export { JournalLockedError, lockHolder } from './lock';
