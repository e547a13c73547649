export { campaignIdOf, contentOf, FileJournal, identityParts, JournalFormatError, openFileJournal, readJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions } from './fileJournal';
export { JournalLockedError, lockHolder } from './lock';
export { AttemptIndex, FileFailoverJournal } from './attempts';
export type { AttemptLine, AttemptLocation, DoneLine, FailoverJournalOptions, RecordedAttempt } from './attempts';
