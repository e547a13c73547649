/** mulberry32: numbers in [0, 1), the same sequence on every machine for the same seed. */
export declare function seeded(seed: number): () => number;
