export { countSegments, splitSegments } from './segments';
export type { SegmentCount, SmsEncoding } from './segments';
