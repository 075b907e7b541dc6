/**
 * @module A seeded source of random numbers in [0, 1) (pure-rand's xoroshiro128+), so that a test's
 * random data and a bench's seed are the same on every run.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** @example const r = seededRandom(7); r() // 0 ≤ r() < 1, the same sequence for the same seed */
export function seededRandom(seed: number): () => number {
  const rng = xoroshiro128plus(seed);
  return () => uniformFloat64(rng);
}
