/**
 * @module Sizes of the suite's load scenarios: small in `npm test`, full under `npm run bench:soak`
 * (issue 13 moved the soak runs out of the suite). One scenario, two sizes, the same assertions.
 */

/** True under `npm run bench:soak` (bench/soak.config.ts sets SOAK=1). */
export const SOAKING = process.env.SOAK === '1';

/** `small` in the suite, `full` when soaking. */
export function soakSize(small: number, full: number): number {
  return SOAKING ? full : small;
}
