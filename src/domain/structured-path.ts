/**
 * @module Credits of a structured path (R-EVT-6, art. 22 c.6 and guidelines): an event of more
 * than 20 hours over several days on one subject, held in person or mixed. Pure: instants as
 * epoch ms; integer/rational arithmetic only (R-CAL-4).
 *
 * The path's sessions are the event's fractions. The member's presence in each session is
 * computed by the R-ATT-3 machinery (`assessAttendance`: clip, merge; each session judged with
 * its pro-rated tolerance as in R-ATT-5) and passed in here as covered minutes and `qualifies`.
 *
 * - **Attended ≥ 70% of the hours** (`covered × 100 ≥ 70 × total`, whole minutes, no floating
 *   point): the path grants `min(20, event credits)`, whatever each session's own outcome.
 * - **Otherwise** only sessions with full scientific autonomy that the member qualified for
 *   (R-ATT-5 tolerance) grant their own credits, each at most 15, all together at most 20.
 *
 * **Decision (year split, R-EVT-6 with R-CAL-2, R-CAL-4):** the hours of a session belong to the Rome
 * year of its start (R-CAL-2, as a webinar across midnight of 31 Dec). With C credits, T minutes
 * in all and m₁ minutes held in the first year, the first year gets round(C × m₁ / T) (R-CAL-4)
 * and the second year the rest, C − round(C × m₁ / T), so that the records always add up to C
 * (rounding both shares could give C ± 1). In general year k gets round(C × Mₖ / T) −
 * round(C × Mₖ₋₁ / T) with Mₖ the minutes held up to the end of year k: the same for two years.
 * A year whose share rounds to 0 gets no record.
 *
 * **Decision (deontology, R-OBL-1):** as for any credited span, the whole hours of deontology
 * topics held in the sessions (`deontologyMinutesIn`, R-CAL-4), at most the credits granted.
 * When the R-EVT-6 caps bind (20 for the path, 15 for an autonomous session) the deontology
 * hours are pro-rated to the credits granted: round(deontology minutes × granted / (60 × nominal
 * credits)); when nothing is capped this is exactly `deontologyCredits`. The path's deontology
 * credits are split across years like the credits, by the deontology minutes held in each year
 * (first year rounded, second the rest), never more than a year's credits (any excess moves to
 * the other year, which always has room since deontology ≤ credits).
 */
import { yearOf } from './calendar.ts';
import { deontologyMinutesIn, type Topic } from './credits.ts';
import { roundRational } from './rational.ts';

/** R-EVT-6 parameters (plain data; a policy profile may override them later, R-POL-1). */
export const STRUCTURED_PATH_RULES = {
  /** A path lasts more than this many hours in all (sessions only, gaps between them excluded). */
  minHoursExclusive: 20,
  /** Share of the hours a member must attend, percent. */
  attendancePct: 70,
  /** Most credits the path grants. */
  pathCreditsCap: 20,
  /** Most credits a session with full scientific autonomy grants on its own. */
  autonomousCreditsCap: 15,
  /** Modes a path may be held in. */
  modes: ['in-person', 'mixed'] as readonly string[],
} as const;

const MINUTE = 60_000;

export interface PathSession {
  start: number;
  end: number;
  /** The fraction's credits (its share of the event credits). */
  credits: number;
  /** Full scientific autonomy: may grant its own credits, up to 15 (R-EVT-6). */
  autonomous: boolean;
}

/** The member's presence in one session, from `assessAttendance` (R-ATT-3, R-ATT-5). */
export interface SessionAttendance {
  coveredMinutes: number;
  /** Absence within the session's pro-rated tolerance (R-ATT-5). */
  qualifies: boolean;
}

export interface PathInput {
  sessions: readonly PathSession[];
  /** One per session, same order. */
  attendance: readonly SessionAttendance[];
  eventCredits: number;
  topics?: readonly Topic[];
  /** Joins left open (R-ATT-6): presence could still grow. */
  openIntervals?: number;
}

/** Which R-EVT-6 branch decided (R-ATT-9). */
export type PathDecision =
  | 'attended-threshold' // ≥ 70% of the hours: the path's credits, capped at 20
  | 'autonomous-fractions' // < 70%, but autonomous sessions qualified on their own
  | 'below-threshold'; // < 70% and no autonomous session qualified

export interface PathCredit {
  /** 0: the path as a whole; i ≥ 1: the i-th session (an autonomous fraction). */
  fraction: number;
  /** Rome year (R-CAL-2). */
  year: number;
  credits: number;
  deontologyCredits: number;
}

export interface PathOutcome {
  rule: 'R-EVT-6';
  /** `incomplete`: under the threshold with an open join that could still reach it; no credit (R-ATT-6). */
  status: 'complete' | 'incomplete';
  decision: PathDecision;
  totalMinutes: number;
  coveredMinutes: number;
  absentMinutes: number;
  /** For display, rounded down to 2 decimals; the decision compares whole minutes exactly. */
  attendedPct: number;
  thresholdPct: number;
  meetsThreshold: boolean;
  /** Credits granted in all (0 when incomplete). */
  credits: number;
  /** The credit records to write: one per year for the path, one per autonomous session. */
  records: PathCredit[];
  /** The path's year split (attended-threshold only): minutes held and credits per year. */
  years: Array<{ year: number; minutes: number; credits: number; deontologyCredits: number }>;
  /** Every session: presence and what it granted on its own. */
  sessions: Array<{
    fraction: number;
    autonomous: boolean;
    minutes: number;
    coveredMinutes: number;
    qualifies: boolean;
    credits: number;
    /** The autonomous cap (15) or the path's remaining room (20 in all) reduced its credits. */
    capped: boolean;
  }>;
}

/**
 * The credits a member earns from a structured path (R-EVT-6), with the explanation (R-ATT-9).
 *
 * @example
 * // 3 sessions of 8 h over 30 Dec – 1 Jan, 24 credits; the member attended all of them:
 * assessStructuredPath({ sessions, attendance, eventCredits: 24 })
 * // → { decision: 'attended-threshold', credits: 20, records: [{ year: 2025, credits: 13, … }, { year: 2026, credits: 7, … }] }
 *
 * @rule R-EVT-6
 */
export function assessStructuredPath(input: PathInput): PathOutcome {
  const rules = STRUCTURED_PATH_RULES;
  const { sessions, attendance } = input;
  if (attendance.length !== sessions.length) throw new RangeError('assessStructuredPath: one attendance per session');
  const topics = input.topics ?? [];
  const minutes = sessions.map((s) => Math.round((s.end - s.start) / MINUTE));
  const totalMinutes = minutes.reduce((a, b) => a + b, 0);
  const coveredMinutes = attendance.reduce((a, s, i) => a + Math.min(Math.max(0, s.coveredMinutes), minutes[i]!), 0);
  // R-EVT-6: exact integer comparison, covered / total ≥ 70 / 100.
  const meetsThreshold = totalMinutes > 0 && coveredMinutes * 100 >= rules.attendancePct * totalMinutes;
  const attendedPct = totalMinutes > 0 ? Math.floor((coveredMinutes * 10_000) / totalMinutes) / 100 : 0;
  const incomplete = (input.openIntervals ?? 0) > 0 && !meetsThreshold;

  const sessionRows: PathOutcome['sessions'] = sessions.map((s, i) => ({
    fraction: i + 1,
    autonomous: s.autonomous,
    minutes: minutes[i]!,
    coveredMinutes: attendance[i]!.coveredMinutes,
    qualifies: attendance[i]!.qualifies,
    credits: 0,
    capped: false,
  }));
  let records: PathCredit[] = [];
  let years: PathOutcome['years'] = [];
  let decision: PathDecision;

  if (meetsThreshold) {
    decision = 'attended-threshold';
    const credits = Math.min(rules.pathCreditsCap, Math.max(0, input.eventCredits));
    const deontologyMinutes = deontologyMinutesIn(topics, sessions);
    const deontology = proRatedDeontology(deontologyMinutes, credits, input.eventCredits);
    // Minutes (all and deontology) held in each Rome year, by session start (R-CAL-2).
    const byYear = new Map<number, { minutes: number; deontologyMinutes: number }>();
    sessions.forEach((s, i) => {
      const y = yearOf(s.start);
      const acc = byYear.get(y) ?? { minutes: 0, deontologyMinutes: 0 };
      acc.minutes += minutes[i]!;
      acc.deontologyMinutes += deontologyMinutesIn(topics, [s]);
      byYear.set(y, acc);
    });
    const yearList = [...byYear.keys()].sort((a, b) => a - b);
    const creditShares = splitByWeight(
      credits,
      yearList.map((y) => byYear.get(y)!.minutes),
    );
    const deontologyShares = capShares(
      splitByWeight(
        deontology,
        yearList.map((y) => byYear.get(y)!.deontologyMinutes),
      ),
      creditShares,
    );
    years = yearList.map((year, k) => ({ year, minutes: byYear.get(year)!.minutes, credits: creditShares[k]!, deontologyCredits: deontologyShares[k]! }));
    records = years.filter((y) => y.credits > 0).map((y) => ({ fraction: 0, year: y.year, credits: y.credits, deontologyCredits: y.deontologyCredits }));
  } else {
    // Only autonomous sessions qualified on their own (R-ATT-5 tolerance): ≤ 15 each, ≤ 20 in all.
    let room: number = rules.pathCreditsCap;
    sessions.forEach((s, i) => {
      if (!s.autonomous || !attendance[i]!.qualifies || s.credits <= 0) return;
      const granted = Math.min(s.credits, rules.autonomousCreditsCap, room);
      const row = sessionRows[i]!;
      row.capped = granted < s.credits;
      if (granted <= 0) return;
      room -= granted;
      row.credits = granted;
      records.push({
        fraction: i + 1,
        year: yearOf(s.start),
        credits: granted,
        deontologyCredits: proRatedDeontology(deontologyMinutesIn(topics, [s]), granted, s.credits),
      });
    });
    decision = records.length ? 'autonomous-fractions' : 'below-threshold';
  }
  if (incomplete) {
    records = [];
    for (const r of sessionRows) r.credits = 0;
  }
  return {
    rule: 'R-EVT-6',
    status: incomplete ? 'incomplete' : 'complete',
    decision,
    totalMinutes,
    coveredMinutes,
    absentMinutes: totalMinutes - coveredMinutes,
    attendedPct,
    thresholdPct: rules.attendancePct,
    meetsThreshold,
    credits: records.reduce((a, r) => a + r.credits, 0),
    records,
    years,
    sessions: sessionRows,
  };
}

/**
 * Deontology credits of `granted` credits out of `nominal` (R-OBL-1, R-CAL-4): the deontology
 * hours pro-rated to the credits granted, never more than them. With nothing capped
 * (granted = nominal) this is `min(granted, round(minutes / 60))`, i.e. `deontologyCredits`.
 */
export function proRatedDeontology(deontologyMinutes: number, granted: number, nominal: number): number {
  if (granted <= 0 || nominal <= 0 || deontologyMinutes <= 0) return 0;
  return Math.min(granted, roundRational(deontologyMinutes * granted, 60 * nominal));
}

/**
 * Splits a whole `total` in proportion to `weights` so that the parts add up to `total` exactly
 * (R-CAL-4): part k = round(total × Wₖ / W) − round(total × Wₖ₋₁ / W), Wₖ the running sum. With
 * two weights: the first part rounded, the second the rest. All-zero weights: all to the first.
 *
 * @example splitByWeight(20, [480, 960]) // → [7, 13] (6.67 → 7, the rest 13)
 */
export function splitByWeight(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, k) => (k === 0 ? total : 0));
  const out: number[] = [];
  let running = 0;
  let before = 0;
  for (const w of weights) {
    running += w;
    const upTo = roundRational(total * running, sum);
    out.push(upTo - before);
    before = upTo;
  }
  return out;
}

/** Caps each share at its limit, moving any excess to the earliest parts with room (sum kept when it fits). */
function capShares(shares: readonly number[], limits: readonly number[]): number[] {
  const out = shares.map((s, k) => Math.min(s, limits[k]!));
  let excess = shares.reduce((a, s, k) => a + s - out[k]!, 0);
  for (let k = 0; k < out.length && excess > 0; k++) {
    const add = Math.min(excess, limits[k]! - out[k]!);
    out[k]! += add;
    excess -= add;
  }
  return out;
}
