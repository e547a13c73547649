/**
 * The msgkit command: count segments, normalize numbers (streaming, CSV out), send through any msgkit provider (--dry-run, a crash-safe --journal to resume without sending twice, per-row --results), report a journal, run the sandbox.
 *
 * @module @msgkit/cli
 */
export { createProgram, main } from './program';
export { loadSenders, SENDER_NAMES, SENDERS } from './senders';
export type { Io } from './io';
