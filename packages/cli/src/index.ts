export { createProgram, main } from './program';
export { loadSenders, SENDER_NAMES, SENDERS } from './senders';
export type { Io } from './io';
