/**
 * The service's pseudo-random source. Seeded (RANDOM_SEED) it is deterministic, so tests can assert
 * the flaky endpoint's failure rate and the slow endpoint's delays exactly; unseeded it uses Math.random.
 */
export type RandomSource = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG with good statistical quality for simulations. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRandom(seed: number | undefined): RandomSource {
  return seed === undefined ? Math.random : seededRandom(seed);
}

/** Uniform integer in [min, max]. */
export function uniformInt(random: RandomSource, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
