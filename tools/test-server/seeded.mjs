/**
 * mulberry32, the seeded PRNG of msgkit's tests, benches and e2e runs: small, fast, and the same
 * numbers on every machine for the same seed. The e2e and bench figures were measured with its
 * sequences (tools/e2e/seeded.test.mjs keeps their first numbers): never change it.
 * The sandbox keeps its own copy (packages/sandbox/src/reports.ts), as a published package does not
 * depend on this private one.
 */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
