export { campaignIdOf, contentOf, FileJournal, identityParts, JournalFormatError, openFileJournal, readJournal, reopenFileJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions, StateLine } from './fileJournal';
export { JournalLockedError, lockHolder } from './lock';
