export { campaignIdOf, FileJournal, identityParts, JournalFormatError, openFileJournal, readJournal, recipientsHasher } from './fileJournal';
export type { BeginLine, CampaignHeader, CampaignIdentity, JournalContents, OpenJournalOptions } from './fileJournal';
