// The seeded PRNG (mulberry32) the e2e runs and the benches draw from is one copy
// (@msgkit/test-server/seeded), and its sequences are the ones the published figures were measured with.
import { describe, expect, it } from 'vitest';
import { seeded as bench } from '../bench/src/harness.mjs';
import { mulberry32 } from './fault-proxy.mjs';

// The first numbers of a few seeds (1, the reconcile test's 6 × 7 877, a date, the largest), as the
// copies in fault-proxy.mjs and the bench harness gave them before they became one.
const FIRST = {
  1: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741],
  47262: [0.16981741832569242, 0.19445261429063976, 0.12414403795264661, 0.6880987910553813],
  20261207: [0.1386998244561255, 0.8373371048364788, 0.8499219703953713, 0.6660864395089447],
  4294967295: [0.8964226141106337, 0.189478256739676, 0.7156526781618595, 0.9440599093213677],
};

describe('the seeded PRNG of the e2e runs and the benches', () => {
  it('gives the sequences the figures were measured with, from the fault proxy and the bench harness alike', () => {
    for (const [seed, first] of Object.entries(FIRST)) {
      for (const make of [mulberry32, bench]) {
        const random = make(Number(seed));
        expect(Array.from({ length: first.length }, () => random()), `seed ${seed}`).toEqual(first);
      }
    }
  });

  it('is one copy: the fault proxy and the bench harness give the test helpers\' own', async () => {
    const { seeded } = await import('@msgkit/test-server/seeded');
    expect(mulberry32).toBe(seeded);
    expect(bench).toBe(seeded);
  });
});
