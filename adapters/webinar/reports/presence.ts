/**
 * @module One entry's presence: its join and leave chosen among the readings (autumn fold) and
 * checked (leave ≥ join), or the entry rejected with its code.
 */
import { REJECT_MESSAGES, type RejectCode, type ReportRejection } from './codes.ts';
import type { IntervalNote } from './interval.ts';

/** The start/end of one interval after reading both boundaries. */
export type Resolved = { ok: true; join: number | null; leave: number | null; notes: IntervalNote[] } | { ok: false; code: 'leave-before-join' };

/**
 * Chooses one instant per boundary when a local time falls in the autumn fold, deterministically:
 * 1. keep only readings with leave ≥ join; none → `leave-before-join`; one → that one;
 * 2. else, when the report states the interval's duration, the one reading whose length is within
 *    `toleranceSeconds` of it;
 * 3. else the earliest join, then the earliest leave not before it (the rule of
 *    `romeLocalToUtc`: the first occurrence).
 * Without any fold this is just the leave ≥ join check.
 */
export function resolveBoundaries(join: number[] | null, leave: number[] | null, reportedSeconds: number | undefined, toleranceSeconds: number): Resolved {
  const js: Array<number | null> = join ?? [null];
  const ls: Array<number | null> = leave ?? [null];
  const pairs: Array<[number | null, number | null]> = [];
  for (const j of js) for (const l of ls) if (j === null || l === null || l >= j) pairs.push([j, l]);
  if (pairs.length === 0) return { ok: false, code: 'leave-before-join' };
  const ambiguous = js.length > 1 || ls.length > 1;
  if (pairs.length === 1) {
    return { ok: true, join: pairs[0]![0], leave: pairs[0]![1], notes: ambiguous ? ['fold-resolved-by-order'] : [] };
  }
  if (reportedSeconds !== undefined) {
    const fit = pairs.filter(([j, l]) => j !== null && l !== null && Math.abs((l - j) / 1000 - reportedSeconds) <= toleranceSeconds);
    if (fit.length === 1) return { ok: true, join: fit[0]![0], leave: fit[0]![1], notes: ['fold-resolved-by-duration'] };
  }
  const j = js[0]!; // ascending: the earliest
  const l = j === null ? ls[0]! : (ls.find((x) => x !== null && x >= j) ?? null);
  return { ok: true, join: j, leave: l, notes: ['fold-resolved-earliest'] };
}

/**
 * The join and leave instants of one report entry, or null after recording why the entry is
 * rejected (an unreadable instant, or a leave before its join). A missing side stays null.
 */
export function presenceOf(
  join: { ok: true; ms: number | null } | { ok: false; code: RejectCode },
  leave: { ok: true; ms: number | null } | { ok: false; code: RejectCode },
  at: { row: number; path: string },
  rejected: ReportRejection[],
): { join: number | null; leave: number | null } | null {
  if (!join.ok || !leave.ok) {
    const code = !join.ok ? join.code : (leave as { code: RejectCode }).code;
    rejected.push({ ...at, code, message: REJECT_MESSAGES[code] });
    return null;
  }
  if (join.ms !== null && leave.ms !== null && leave.ms < join.ms) {
    rejected.push({ ...at, code: 'leave-before-join', message: REJECT_MESSAGES['leave-before-join'] });
    return null;
  }
  return { join: join.ms, leave: leave.ms };
}
