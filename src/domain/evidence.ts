/** @module Checks every piece of evidence passes before it is stored, whatever door it came through. */

/** Clock skew allowed between a platform and us before an instant counts as "in the future". */
export const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The indexes of instants more than `FUTURE_SKEW_MS` ahead of `now` (at most `limit`): evidence
 * of presence cannot lie in the future of the server clock.
 */
export function futureInstants(instants: readonly string[], now: number, limit = 50): number[] {
  const out: number[] = [];
  for (let i = 0; i < instants.length && out.length < limit; i++) {
    if (Date.parse(instants[i]!) > now + FUTURE_SKEW_MS) out.push(i);
  }
  return out;
}
