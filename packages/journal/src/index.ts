export { campaignIdOf, contentOf, FileJournal, identityParts, JournalFormatError, openFileJournal, readJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, JournalFile, JournalFileSystem, OpenJournalOptions } from './fileJournal';
export { JournalLockedError, lockHolder } from './lock';
