export { countSegments, splitSegments } from './segments';
export { suggestCheaper } from './cheaper';
export type { CheaperSubstitution, CheaperSuggestions, SubstitutionKind } from './cheaper';
export type { SegmentCount, SmsEncoding } from './segments';
export { NATIONAL_LANGUAGES } from './national-count';
export type { SegmentOptions } from './national-count';
export type { NationalLanguage } from './national-tables';
export type { NationalShift } from './national';
