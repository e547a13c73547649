// Shared timing helpers: warm-up, then several rounds in which the contenders alternate (so that
// drift in CPU frequency or GC pressure hits each of them alike), and medians of the rounds.

/** Deterministic PRNG (mulberry32) so every run measures the same data: the tests' one copy. */
export { seeded } from '@msgkit/test-server/seeded';

export const pick = (random, items) => items[Math.floor(random() * items.length)];

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @param {Record<string, () => unknown>} contenders name -> one full pass over the data
 * @returns {Record<string, number>} median milliseconds per pass
 */
export function race(contenders, { warmup = 3, rounds = 9 } = {}) {
  const names = Object.keys(contenders);
  let sink = 0;
  for (let i = 0; i < warmup; i++) for (const name of names) sink ^= touch(contenders[name]());
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const start = performance.now();
      sink ^= touch(contenders[name]());
      times[name].push(performance.now() - start);
    }
  }
  if (sink === 0.5) console.log('');
  return Object.fromEntries(names.map((name) => [name, median(times[name])]));
}

// Keeps results alive so the engine cannot drop the work that produced them.
function touch(value) {
  return typeof value === 'number' ? value : Array.isArray(value) ? value.length : value ? 1 : 0;
}

export const ratio = (a, b) => (a / b).toFixed(3);
