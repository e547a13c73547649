// The end-to-end tests run at full size (the figures README.md quotes: 1 000 000 queued recipients,
// 100 000 through faults and through 20 kills) with `pnpm e2e:full`, and in `pnpm test` at a smaller
// size with the same seeds and the same number of batches, so that CI stays lean and every fault,
// kill and resume still happens.
export const FULL = process.env.MSGKIT_E2E_FULL === '1';

/** `full` under `pnpm e2e:full`, else `ci`. */
export const bySize = (full, ci) => (FULL ? full : ci);

/** A count for the test names: 1000000 → "1 000 000". */
export const spaced = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
